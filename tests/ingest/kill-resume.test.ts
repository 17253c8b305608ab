// Kill and resume: a collector process SIGKILLed at random points, many times, then run to the end, leaves the
// same lake as one clean run — same rows, no gaps, no duplicates. SIGTERM stops a pass promptly and cleanly.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCollection } from "../../src/ingest/collector.ts";
import { simConnectors } from "../../src/ingest/sim-connectors.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { readBookmark } from "../../src/lake/state.ts";
import { mulberry32 } from "../../src/sim/random.ts";
import { startSimulator, type Simulator } from "../../src/sim/server.ts";
import { RateGovernor } from "../../src/vendors/governor.ts";
import { closeHttpPool } from "../../src/vendors/http.ts";
import { policiesFromLimits } from "../../src/vendors/policies.ts";
import { committedRows, keyCounts, spawnCollector, tempDir, type ChildArgs } from "./helpers.ts";

const TODAY = "2026-11-20";
const UNIVERSE = ["AAPL", "MSFT", "SPY"];
const DATASETS = [{ vendor: "polygon", dataset: "equities_bars" }, { vendor: "alpaca", dataset: "equities_minute" }, { vendor: "fred", dataset: "treasury_curve" }];
const PLAN = { universe: UNIVERSE, datasets: DATASETS, historyDays: 60, minuteDays: 5, chunkDays: 10, batchSize: 1, timeScale: 1 / 30, workers: 2 };
const BAR_COLS = "symbol, strftime(date, '%Y-%m-%d') AS d, epoch_ms(bar_time) AS ms, open, high, low, close, volume, source_name";
const FRED_COLS = "series_id, strftime(date, '%Y-%m-%d') AS d, value";

let sim: Simulator;
let clean: { dir: string; cleanup: () => Promise<void> };
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  sim = await startSimulator({ today: TODAY, universe: UNIVERSE });
  clean = await tempDir("trademl-clean-");
  cleanups.push(clean.cleanup);
  const governor = new RateGovernor({ policies: policiesFromLimits(undefined, PLAN.timeScale) });
  const report = await runCollection({
    store: new LocalStore({ root: clean.dir }), origin: "simulated", connectors: simConnectors(sim, governor), governor, universe: UNIVERSE,
    datasets: DATASETS, today: TODAY, historyDays: PLAN.historyDays, minuteDays: PLAN.minuteDays, chunkDays: PLAN.chunkDays, batchSize: PLAN.batchSize, workers: PLAN.workers, holder: "clean",
  });
  expect(report.failed).toBe(0);
});
afterAll(async () => {
  await sim.close();
  await closeHttpPool();
  for (const c of cleanups) await c();
});

async function expectSameAsClean(dir: string): Promise<void> {
  for (const [table, cols, key] of [
    ["raw/polygon/equities_bars", BAR_COLS, (r: Record<string, unknown>) => `${String(r["symbol"])}|${String(r["d"])}`],
    ["raw/alpaca/equities_minute", BAR_COLS, (r: Record<string, unknown>) => `${String(r["symbol"])}|${String(r["ms"])}`],
    ["raw/fred/treasury_curve", FRED_COLS, (r: Record<string, unknown>) => `${String(r["series_id"])}|${String(r["d"])}`],
  ] as const) {
    const want = await committedRows(clean.dir, table, cols);
    const got = await committedRows(dir, table, cols);
    expect(want.length).toBeGreaterThan(0);
    expect([...keyCounts(got, key).values()].every((n) => n === 1)).toBe(true);
    expect(got).toEqual(want);
  }
  const store = new LocalStore({ root: dir });
  for (const s of UNIVERSE) expect((await readBookmark(store, "polygon", `equities_bars/${s}`))?.value.through).toBe("2026-11-19");
}

const args = (lake: string, holder: string): ChildArgs => ({ simUrl: sim.url, today: TODAY, lake, holder, ...PLAN });

/**
 * Resolves once the simulator has seen a request it had not seen before `seen` entries: the child is collecting.
 * A child starts in seconds on a loaded machine (tsx, DuckDB); timing a kill from the spawn would kill it before
 * it collects anything, which proves nothing about resuming.
 */
async function collecting(seen: number, child: { exitCode: number | null; signalCode: NodeJS.Signals | null }): Promise<void> {
  for (let waited = 0; sim.log.length <= seen; waited += 20) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error("the collector exited before its first request");
    if (waited > 60_000) throw new Error("the collector made no request within 60 s");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("kill and resume", () => {
  it("SIGKILLed at random points six times, then resumed, equals a clean run", async () => {
    const t = await tempDir("trademl-killed-");
    cleanups.push(t.cleanup);
    const random = mulberry32(20261120);
    let killed = 0;
    for (let i = 0; i < 6; i++) {
      const seen = sim.log.length;
      const { child, done } = spawnCollector(args(t.dir, "resumer"));
      // Killed at a random point of its collection: mid-request, mid-write, between commit and bookmark.
      await collecting(seen, child);
      const timer = setTimeout(() => child.kill("SIGKILL"), Math.floor(random() * 1300));
      const result = await done;
      clearTimeout(timer);
      if (result.signal === "SIGKILL") killed++;
    }
    expect(killed).toBeGreaterThanOrEqual(4);
    const final = await spawnCollector(args(t.dir, "resumer")).done;
    expect(final.code, final.stderr).toBe(0);
    const report = JSON.parse(final.report || "{}") as { failed: number };
    expect(report.failed, final.stderr).toBe(0);
    await expectSameAsClean(t.dir);
  }, 180_000);

  it("stops promptly on SIGTERM without committing half a unit, and the next pass completes the lake", async () => {
    const t = await tempDir("trademl-term-");
    cleanups.push(t.cleanup);
    const seen = sim.log.length;
    const { child, done } = spawnCollector(args(t.dir, "termed"));
    await collecting(seen, child);
    await new Promise((r) => setTimeout(r, 500));
    const sentAt = performance.now();
    child.kill("SIGTERM");
    const result = await done;
    // A bound on "stops" (no hang till the lease TTL or the pass's end), not a speed target: generous for a
    // loaded 2-core CI machine, far below a pass's length.
    expect(performance.now() - sentAt).toBeLessThan(10_000);
    // Exit 130 from the child's own handler. (Deno's child_process reports the signal it sent instead of the
    // exit code; the report, written after the abort, proves the handler ran either way.)
    expect(result.code === 130 || (result.code === null && result.signal === "SIGTERM"), result.stderr).toBe(true);
    const report = JSON.parse(result.report || "{}") as { interrupted: boolean };
    expect(report.interrupted).toBe(true);
    const final = await spawnCollector(args(t.dir, "termed")).done;
    expect(final.code, final.stderr).toBe(0);
    await expectSameAsClean(t.dir);
  }, 120_000);
});
