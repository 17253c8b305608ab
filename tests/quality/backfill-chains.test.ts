// Past option chains: no free vendor serves them, so `trademl backfill` marks the sessions the lake lacks as
// unavailable without asking any vendor, and the next run plans none of them again. The chains come from the
// edge collector against the simulator (two sessions with a missed one between), the backfill from the CLI with
// the repository's configs/.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCollection } from "../../src/ingest/collector.ts";
import { simConnectors } from "../../src/ingest/sim-connectors.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { readMarks } from "../../src/quality/backfill/marks.ts";
import { startSimulator, type Simulator } from "../../src/sim/server.ts";
import { RateGovernor } from "../../src/vendors/governor.ts";
import { closeHttpPool } from "../../src/vendors/http.ts";
import { policiesFromLimits } from "../../src/vendors/policies.ts";
import { runTrademl } from "../helpers/cli.ts";

const TODAY = "2026-11-20";
let sim: Simulator;
let root: string;
let env: Record<string, string>;

/** Collects the alpaca chains of the session before `today`, as the node would on that evening. */
async function collectChains(today: string): Promise<void> {
  sim.setToday(today);
  const governor = new RateGovernor({ policies: policiesFromLimits(undefined, 1 / 60) });
  const report = await runCollection({
    store: new LocalStore({ root: env["LAKE_ROOT"] ?? "" }), origin: "simulated", connectors: simConnectors(sim, governor, { vendors: ["alpaca"] }), governor,
    universe: ["SPY", "AAPL"], datasets: [{ vendor: "alpaca", dataset: "options_chains" }], today, optionUnderliers: 1, holder: "node",
  });
  expect(report.failed).toBe(0);
  expect(report.rows["raw/alpaca/options_chains"]).toBeGreaterThan(0);
}

beforeAll(async () => {
  sim = await startSimulator({ today: TODAY, universe: ["SPY", "AAPL"] });
  root = await mkdtemp(join(tmpdir(), "trademl-backfill-chains-"));
  env = { LAKE_ROOT: join(root, "lake"), ALPACA_API_KEY_ID: "kid", ALPACA_API_SECRET_KEY: "secret" };
  // Monday 2026-11-16 and Wednesday 2026-11-18 collected; the node was down on Tuesday's evening.
  await collectChains("2026-11-17");
  await collectChains("2026-11-19");
  sim.setToday(TODAY);
}, 60_000);
afterAll(async () => {
  await sim.close();
  await closeHttpPool();
  await rm(root, { recursive: true, force: true });
});

describe("backfill of option chains", () => {
  it("marks past sessions the lake lacks as unavailable without a request, and plans none of them again", async () => {
    const argv = ["backfill", "--symbols", "SPY,AAPL", "--table", "options_chains", "--through", "2026-11-19", "--vendor-url", sim.url, "--format", "json"];
    const dry = await runTrademl([...argv.slice(0, -4), "--dry-run", "--format", "json"], env);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as { symbols: string[]; start: string; end: string; kind: string }[];
    // SPY's history before its first chain (configs/backfill.yml options_chains earliest 2015-01-01) and the missed
    // Tuesday; not Thursday 2026-11-19, whose chain the collector can still take; AAPL holds no chains at all.
    expect(plan.map((t) => [t.symbols.join(","), t.kind, t.end])).toEqual([
      ["SPY", "gap", "2026-11-17"],
      ["SPY", "history", "2026-11-15"],
      ["SPY", "history", expect.any(String)],
    ]);
    expect(plan.map((t) => t.start).sort()[0]).toBe("2015-01-01");

    const before = sim.log.length;
    const first = await runTrademl(argv, env);
    expect(first.code, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout) as { ran: boolean; planned: number; tasks: { unavailable: number; rows: number }[] };
    expect(report).toMatchObject({ ran: true, planned: 3 });
    expect(report.tasks.every((t) => t.rows === 0 && t.unavailable > 0)).toBe(true);
    const marks = await readMarks(new LocalStore({ root: env["LAKE_ROOT"] ?? "" }), "alpaca", "options_chains");
    expect(marks.get("SPY")).toEqual({ complete: [], unavailable: [["2015-01-01", "2026-11-15"], ["2026-11-17", "2026-11-17"]] });
    expect(marks.has("AAPL")).toBe(false);

    const second = await runTrademl(argv, env);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ ran: true, planned: 0, tasks: [] });
    // Neither run asked any vendor for anything.
    expect(sim.log.slice(before)).toEqual([]);
  }, 60_000);
});
