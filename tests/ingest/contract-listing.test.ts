// Polygon's options-contracts listing, paged and committed page by page: a listing SIGKILLed part-way resumes from
// its last committed cursor without asking for a committed page again; an expired cursor restarts the listing and
// leaves each contract once; the day's cap across underliers (edge.yml option_contracts_per_day) holds across passes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCollection, type CollectorOptions } from "../../src/ingest/collector.ts";
import { isPartialListing } from "../../src/ingest/coverage.ts";
import { simConnectors } from "../../src/ingest/sim-connectors.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { readManifest } from "../../src/lake/manifest.ts";
import { startSimulator, type Simulator } from "../../src/sim/server.ts";
import type { RequestLogEntry } from "../../src/sim/types.ts";
import { RateGovernor } from "../../src/vendors/governor.ts";
import { closeHttpPool } from "../../src/vendors/http.ts";
import { policiesFromLimits } from "../../src/vendors/policies.ts";
import { committedRows, keyCounts, spawnCollector, tempDir, type ChildArgs } from "./helpers.ts";

const TODAY = "2026-11-20";
const SESSION = "2026-11-19";
const UNIVERSE = ["SPY", "AAPL"];
const TABLE = "raw/polygon/options_contracts";
const DATASETS = [{ vendor: "polygon", dataset: "options_contracts" }];
/** 10 contracts a page: the simulator's 102 contracts within 21 days of an underlier take 11 pages. */
const PAGE = 10;
const TIME_SCALE = 1 / 60;
const COLS = "underlying, contract, strftime(as_of, '%Y-%m-%d') AS as_of";

let sim: Simulator;
let cleanRows: Record<string, unknown>[];
let pagesPerUnderlier: number;
const cleanups: (() => Promise<void>)[] = [];

const contractRequests = (log: readonly RequestLogEntry[]): RequestLogEntry[] => log.filter((e) => e.path.startsWith("/polygon/v3/reference/options/contracts"));
const cursorOf = (entry: RequestLogEntry): string | null => new URL(entry.path, "http://sim").searchParams.get("cursor");
const underlierOf = (entry: RequestLogEntry): string | null => new URL(entry.path, "http://sim").searchParams.get("underlying_ticker");

function collect(dir: string, extra: Partial<CollectorOptions> = {}): ReturnType<typeof runCollection> {
  const governor = new RateGovernor({ policies: policiesFromLimits(undefined, TIME_SCALE) });
  return runCollection({
    store: new LocalStore({ root: dir }), origin: "simulated", connectors: simConnectors(sim, governor, { contractsPageLimit: PAGE }), governor,
    universe: UNIVERSE, datasets: DATASETS, today: TODAY, workers: 2, holder: "listing", leaseTtlMs: 5_000, ...extra,
  });
}

async function manifestFiles(dir: string): Promise<NonNullable<Awaited<ReturnType<typeof readManifest>>>["files"]> {
  return (await readManifest(new LocalStore({ root: dir }), TABLE))?.files ?? [];
}

beforeAll(async () => {
  sim = await startSimulator({ today: TODAY, universe: UNIVERSE });
  const clean = await tempDir("trademl-listing-clean-");
  cleanups.push(clean.cleanup);
  const seen = sim.log.length;
  const report = await collect(clean.dir, { optionUnderliers: 1 });
  expect(report.failed).toBe(0);
  cleanRows = await committedRows(clean.dir, TABLE, COLS);
  pagesPerUnderlier = contractRequests(sim.log.slice(seen)).length;
  expect(pagesPerUnderlier).toBeGreaterThanOrEqual(5);
  expect(cleanRows.length).toBeGreaterThan(4 * PAGE);
  // Every page was committed with the cursor after it; the last one closes the listing.
  const files = await manifestFiles(clean.dir);
  expect(files.map((f) => f.unit?.cursor_next === "")).toEqual([...Array(pagesPerUnderlier - 1).fill(false), true]);
}, 60_000);
afterAll(async () => {
  await sim.close();
  await closeHttpPool();
  for (const c of cleanups) await c();
});

function expectEachContractOnce(rows: readonly Record<string, unknown>[]): void {
  expect([...keyCounts(rows, (r) => String(r["contract"])).values()].every((n) => n === 1)).toBe(true);
  expect(rows).toEqual(cleanRows);
}

describe("the options-contracts listing", () => {
  it("SIGKILLed part-way, resumes from its committed cursor and asks for no committed page again", async () => {
    const t = await tempDir("trademl-listing-killed-");
    cleanups.push(t.cleanup);
    const args: ChildArgs = {
      simUrl: sim.url, today: TODAY, lake: t.dir, universe: UNIVERSE, datasets: DATASETS, historyDays: 365,
      timeScale: TIME_SCALE, workers: 2, holder: "killed", optionUnderliers: 1, contractsPageLimit: PAGE,
    };
    const seen = sim.log.length;
    const { child, done } = spawnCollector(args);
    // Killed once the child has asked for half the pages: some are committed, the listing is not finished.
    for (let waited = 0; contractRequests(sim.log.slice(seen)).length < Math.ceil(pagesPerUnderlier / 2); waited += 10) {
      if (child.exitCode !== null) throw new Error("the collector finished before it could be killed");
      if (waited > 60_000) throw new Error("the collector asked for no pages within 60 s");
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill("SIGKILL");
    const killed = await done;
    expect(killed.signal ?? "exited", killed.stderr).toBe("SIGKILL");

    const afterKill = await manifestFiles(t.dir);
    const committedPages = afterKill.length;
    expect(committedPages).toBeGreaterThan(0);
    expect(afterKill.every((f) => f.unit !== undefined && isPartialListing(f.unit))).toBe(true);
    const lastCursor = afterKill.at(-1)?.unit?.cursor_next;

    const resumedFrom = sim.log.length;
    // The same holder, as a restarted node: it takes its own lease back at once.
    const report = await collect(t.dir, { optionUnderliers: 1, holder: "killed" });
    expect(report.failed).toBe(0);
    const asked = contractRequests(sim.log.slice(resumedFrom));
    // Only the pages not committed before the kill: the first request continues from the last committed cursor.
    expect(asked).toHaveLength(pagesPerUnderlier - committedPages);
    expect(asked[0] === undefined ? undefined : cursorOf(asked[0])).toBe(lastCursor);
    expectEachContractOnce(await committedRows(t.dir, TABLE, COLS));
  }, 120_000);

  it("restarts cleanly when the vendor refuses the committed cursor as expired", async () => {
    const t = await tempDir("trademl-listing-stale-");
    cleanups.push(t.cleanup);
    const controller = new AbortController();
    const seen = sim.log.length;
    const watch = setInterval(() => {
      if (contractRequests(sim.log.slice(seen)).length >= 4) controller.abort();
    }, 5);
    try {
      const first = await collect(t.dir, { optionUnderliers: 1, signal: controller.signal });
      expect(first.interrupted).toBe(true);
    } finally {
      clearInterval(watch);
    }
    const partial = await manifestFiles(t.dir);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.every((f) => f.unit !== undefined && isPartialListing(f.unit))).toBe(true);

    // The next polygon request (the resumed one, with the committed cursor) is refused as an expired cursor.
    const next = sim.log.filter((e) => e.vendor === "polygon").length + 1;
    sim.setFaults("polygon", { expireCursors: true, fromRequest: next, untilRequest: next + 1 });
    const resumedFrom = sim.log.length;
    try {
      const report = await collect(t.dir, { optionUnderliers: 1 });
      expect(report.failed).toBe(0);
    } finally {
      sim.setFaults("polygon", undefined);
    }
    const asked = contractRequests(sim.log.slice(resumedFrom));
    expect(asked[0]?.fault).toBe("expired_cursor");
    expect(asked[0] === undefined ? null : cursorOf(asked[0])).toBe(partial.at(-1)?.unit?.cursor_next);
    // Then the whole listing again from its first page.
    expect(asked[1] === undefined ? "missing" : cursorOf(asked[1])).toBeNull();
    expect(asked).toHaveLength(1 + pagesPerUnderlier);
    // The old pages left the table with the first new page's commit: each contract is listed once.
    const files = await manifestFiles(t.dir);
    expect(files.some((f) => partial.some((p) => p.key === f.key))).toBe(false);
    expectEachContractOnce(await committedRows(t.dir, TABLE, COLS));
  }, 120_000);

  it("stops at the day's contract cap across underliers, and a later pass asks for nothing more", async () => {
    const t = await tempDir("trademl-listing-cap-");
    cleanups.push(t.cleanup);
    const cap = 2 * PAGE + 5;
    const seen = sim.log.length;
    const report = await collect(t.dir, { optionUnderliers: 2, optionContractsPerDay: cap });
    expect(report.failed).toBe(0);
    expect(report.skipped).toEqual([expect.objectContaining({ table: TABLE, reason: expect.stringContaining("option_contracts_per_day") })]);
    const rows = await committedRows(t.dir, TABLE, COLS);
    expect(rows).toHaveLength(cap);
    expect(rows.every((r) => r["as_of"] === SESSION)).toBe(true);
    // One underlier's listing took the whole cap (ended at it, so done for the day); the other asked for nothing.
    const asked = contractRequests(sim.log.slice(seen));
    expect(asked).toHaveLength(3);
    expect(new Set(asked.map(underlierOf)).size).toBe(1);
    expect(new Set(rows.map((r) => r["underlying"])).size).toBe(1);

    const again = sim.log.length;
    const second = await collect(t.dir, { optionUnderliers: 2, optionContractsPerDay: cap });
    expect(second.failed).toBe(0);
    expect(contractRequests(sim.log.slice(again))).toHaveLength(0);
    expect(await committedRows(t.dir, TABLE, COLS)).toHaveLength(cap);
  }, 120_000);
});
