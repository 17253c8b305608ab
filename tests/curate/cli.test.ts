/** `trademl curate` and `trademl reference` through the CLI on a local lake (LAKE_ROOT). */
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acquireLease } from "../../src/lake/lease.ts";
import { runTrademl } from "../helpers/cli.ts";
import { createTestLake, type TestLake } from "./lake-fixture.ts";

const REPO = resolve(import.meta.dirname ?? ".", "../..");

let t: TestLake;
beforeEach(async () => {
  t = await createTestLake();
});
afterEach(async () => {
  await t.close();
});

describe("trademl curate / reference", () => {
  it("curates, reports what it did, and commits nothing on a second run", async () => {
    await t.putBars("alpaca", [
      { symbol: "XYZ", date: "2024-06-03", close: 400 },
      { symbol: "XYZ", date: "2024-06-04", close: 404 },
      { symbol: "XYZ", date: "2024-06-05", close: 101.5, high: 90, low: 110 },
    ]);
    await t.putActions("alpaca", [{ symbol: "XYZ", ex_date: "2024-06-04", action_type: "split", ratio: -4 }]);
    const env = { LAKE_ROOT: join(t.root, "lake"), TRADEML_LOG_LEVEL: "warn" };
    const argv = ["--config-dir", resolve(REPO, "configs")];
    const first = await runTrademl(["curate", "--json", ...argv], env, t.root);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout) as { daily: { barsQuarantined: number; actionsQuarantined: number; rebuiltSymbols: string[] } };
    expect(report.daily.barsQuarantined).toBe(1);
    expect(report.daily.actionsQuarantined).toBe(1);
    expect(report.daily.rebuiltSymbols).toEqual(["XYZ"]);

    const second = await runTrademl(["curate", ...argv], env, t.root);
    expect(second.code).toBe(0);
    expect(second.stdout.match(/nothing changed; no commit/g)).toHaveLength(2);

    const reference = await runTrademl(["reference", ...argv], env, t.root);
    expect(reference.code).toBe(0);
    expect(reference.stdout).toMatch(/tick-size intervals: 1/);
    expect((await runTrademl(["reference", "--large", "0", ...argv], env, t.root)).code).toBe(2);
  });

  it("refuses to run while another curator holds the curate lease", async () => {
    await t.putBars("alpaca", [{ symbol: "XYZ", date: "2024-06-03", close: 400 }]);
    const other = await acquireLease(t.store, "curate", { holder: "other-node", autoRenew: false });
    expect(other).toBeDefined();
    const env = { LAKE_ROOT: join(t.root, "lake"), TRADEML_LOG_LEVEL: "warn" };
    const run = await runTrademl(["curate", "--config-dir", resolve(REPO, "configs")], env, t.root);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/other-node.*curate_busy/s);
    expect(await t.lake.readManifest("curated/equities_ohlcv_adj")).toBeUndefined();
    await other?.release();
    expect((await runTrademl(["curate", "--config-dir", resolve(REPO, "configs")], env, t.root)).code).toBe(0);
  });
});
