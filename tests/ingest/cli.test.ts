// The commands a user types: `trademl demo` and `trademl node up --once` (no network here: only the
// "no keys" path of node up can run, and it must explain what it skipped).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { readLakeOrigin } from "../../src/ingest/ingest-lake.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { runTrademl } from "../helpers/cli.ts";
import { committedRows, tempDir } from "./helpers.ts";

const CONFIGS = fileURLToPath(new URL("../../configs", import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe("trademl demo", () => {
  it("collects a small universe from the simulator into a lake marked simulated", async () => {
    const t = await tempDir("trademl-demo-");
    cleanups.push(t.cleanup);
    const run = await runTrademl(["demo", "--lake", "lake-demo", "--symbols", "AAPL,SPY", "--days", "10", "--log-level", "warn"], {}, t.dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/raw\/alpaca\/equities_bars\s+\d+/);
    expect(run.stdout).toMatch(/raw\/fred\/treasury_curve\s+\d+/);
    expect(run.stdout).toContain("trademl sql -c");
    expect(run.stdout).toMatch(/0 failed/);
    const lake = `${t.dir}/lake-demo`;
    expect(await readLakeOrigin(new LocalStore({ root: lake }))).toBe("simulated");
    const bars = await committedRows(lake, "raw/alpaca/equities_bars", "DISTINCT symbol");
    expect(bars.map((r) => r["symbol"])).toEqual(["AAPL", "SPY"]);
    // A real pass into the simulated lake is refused (no keys needed to see it: give one fake key).
    const refused = await runTrademl(["node", "up", "--once", "--config-dir", CONFIGS, "--log-level", "silent"], { LAKE_ROOT: lake, FRED_API_KEY: "0123456789abcdef0123456789abcdef" }, t.dir);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/holds simulated data/);
  }, 60_000);

  it("rejects bad options with exit 2", async () => {
    expect((await runTrademl(["demo", "--days", "abc"])).code).toBe(2);
    expect((await runTrademl(["demo", "--symbols", "aapl;rm -rf"])).code).toBe(2);
  });
});

describe("trademl node up --once", () => {
  it("explains every vendor it skipped for missing keys and collects nothing", async () => {
    const t = await tempDir("trademl-node-");
    cleanups.push(t.cleanup);
    const run = await runTrademl(["node", "up", "--once", "--config-dir", CONFIGS, "--log-level", "warn"], { LAKE_ROOT: `${t.dir}/lake` }, t.dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/skipped alpaca: ALPACA_API_KEY_ID and ALPACA_API_SECRET_KEY are not set/);
    expect(run.stdout).toMatch(/skipped polygon: POLYGON_API_KEY is not set/);
    expect(run.stdout).toMatch(/skipped finnhub: FINNHUB_API_KEY is not set/);
    expect(run.stdout).toMatch(/skipped fred: FRED_API_KEY is not set/);
    expect(run.stdout).toMatch(/nothing collected/);
  });

  it("refuses --symbols the lake could not key, before touching the lake", async () => {
    const t = await tempDir("trademl-node-");
    cleanups.push(t.cleanup);
    const run = await runTrademl(["node", "up", "--once", "--symbols", "AAPL,BRK:B", "--config-dir", CONFIGS, "--log-level", "warn"], { LAKE_ROOT: `${t.dir}/lake` }, t.dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--symbols: "BRK:B" cannot be part of a lake key/);
    expect((await runTrademl(["node", "up", "--once", "--symbols", ",", "--config-dir", CONFIGS], { LAKE_ROOT: `${t.dir}/lake` }, t.dir)).code).toBe(2);
    expect(existsSync(`${t.dir}/lake`)).toBe(false);
  });
});
