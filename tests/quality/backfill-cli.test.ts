// `trademl backfill` and `trademl audit` end to end: the configured lake (LAKE_ROOT), the repository's
// configs/, the vendor simulator as Alpaca.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/sim/server.ts";
import { closeHttpPool } from "../../src/vendors/http.ts";
import { runTrademl } from "../helpers/cli.ts";

let sim: Simulator;
let root: string;
let env: Record<string, string>;
beforeAll(async () => {
  sim = await startSimulator({ today: "2024-07-10", seed: 5 });
  root = await mkdtemp(join(tmpdir(), "trademl-backfill-cli-"));
  env = { LAKE_ROOT: join(root, "lake"), ALPACA_API_KEY_ID: "kid", ALPACA_API_SECRET_KEY: "secret" };
});
afterAll(async () => {
  await sim.close();
  await closeHttpPool();
  await rm(root, { recursive: true, force: true });
});

describe("trademl backfill / audit", () => {
  it("plans without fetching, fills the newest chunks, and reports coverage", async () => {
    const dry = await runTrademl(["backfill", "--symbols", "AAPL", "--table", "equities_eod", "--through", "2024-07-09", "--dry-run", "--format", "json"], env);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as { start: string; end: string; priority: number }[];
    // configs/backfill.yml: equities_eod from 2000-01-01 in 30-day chunks, newest first.
    expect(plan[0]).toMatchObject({ start: "2024-06-10", end: "2024-07-09", priority: 90 });
    expect(plan[1]).toMatchObject({ start: "2024-05-11", end: "2024-06-09" });
    expect(plan.at(-1)?.start).toBe("2000-01-01");
    expect(sim.log).toHaveLength(0);

    const run = await runTrademl(["backfill", "--symbols", "AAPL", "--table", "equities_eod", "--through", "2024-07-09", "--max-tasks", "2", "--vendor-url", sim.url], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/2 of \d+ planned task\(s\) done; stopped at --max-tasks/);
    expect(sim.log).toHaveLength(2);

    const coverage = await runTrademl(["audit", "coverage", "--format", "json"], env);
    expect(coverage.code, coverage.stderr).toBe(0);
    const summary = JSON.parse(coverage.stdout) as { table: string; green: number; red: number; firstSession: string; lastSession: string }[];
    expect(summary).toEqual([expect.objectContaining({ table: "equities_eod", red: 0, firstSession: "2024-05-13", lastSession: "2024-07-09" })]);

    const audit = await runTrademl(["audit", "--through", "2024-07-09"], env);
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.stdout).toMatch(/alpaca\s+equities_eod\s+0\s+0\s+no \(unchanged\)/);

    // Without --symbols the backfill plans for the symbols the ledger holds (AAPL), from before its first session.
    const next = await runTrademl(["backfill", "--table", "equities_eod", "--through", "2024-07-09", "--dry-run", "--format", "json"], env);
    expect(next.code, next.stderr).toBe(0);
    const nextPlan = JSON.parse(next.stdout) as { symbols: string[]; end: string }[];
    expect(nextPlan[0]).toMatchObject({ symbols: ["AAPL"], end: "2024-05-10" });

    const window = await runTrademl(["audit", "window", "equities_eod", "--years", "1"], env);
    expect(window.code).toBe(3);
    expect(window.stdout).toContain("NOT READY");
    expect(window.stdout).toMatch(/history starts 2024-05-13/);
  });

  it("refuses bad options with exit 2", async () => {
    for (const argv of [
      ["backfill", "--source", "nasdaq", "--symbols", "AAPL"],
      ["backfill", "--table", "options_nbbo", "--symbols", "AAPL"],
      ["backfill", "--through", "2024-13-01", "--symbols", "AAPL"],
      ["audit", "--table", "quotes"],
      ["audit", "bogus"],
    ]) {
      const run = await runTrademl(argv, env);
      expect(run.code, `${argv.join(" ")}: ${run.stderr}`).toBe(2);
    }
  });
});
