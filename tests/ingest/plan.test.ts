// Planning is pure: coverage in, units out. Properties: units never overlap what is covered, together with the
// coverage they span every session of the window, and the same inputs always give the same unit ids.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { contiguousThrough, gaps, mergeIntervals, type Interval } from "../../src/ingest/coverage.ts";
import { datasetSpec } from "../../src/ingest/datasets.ts";
import { planUnits } from "../../src/ingest/plan.ts";
import { sessionsBetween } from "../../src/sim/market.ts";
import { addDays } from "../../src/domain/calendar/dates.ts";

const BASE = "2026-01-01";
const interval = fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 40 })).map(([s, len]): Interval => ({ start: addDays(BASE, s), end: addDays(BASE, s + len) }));

function covered(date: string, ivs: readonly Interval[]): boolean {
  return ivs.some((iv) => iv.start <= date && date <= iv.end);
}

describe("coverage and planning", () => {
  it("gaps and coverage partition the window", () => {
    fc.assert(fc.property(fc.array(interval, { maxLength: 8 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 150 }), (ivs, a, len) => {
      const merged = mergeIntervals(ivs);
      const start = addDays(BASE, a);
      const end = addDays(BASE, a + len);
      const g = gaps(start, end, merged);
      for (let d = start; d <= end; d = addDays(d, 1)) {
        const inGap = g.some((iv) => iv.start <= d && d <= iv.end);
        expect(inGap).toBe(!covered(d, merged));
      }
      for (const iv of g) expect(iv.start <= iv.end).toBe(true);
    }));
  });

  it("contiguousThrough stops at the first hole", () => {
    const ivs = mergeIntervals([{ start: "2026-01-01", end: "2026-01-10" }, { start: "2026-01-11", end: "2026-01-20" }, { start: "2026-01-25", end: "2026-01-30" }]);
    expect(contiguousThrough("2026-01-01", ivs)).toBe("2026-01-20");
    expect(contiguousThrough("2026-01-21", ivs)).toBeUndefined();
  });

  it("plans units that fill exactly the uncovered sessions, chunked, stable", () => {
    const spec = datasetSpec("polygon", "equities_bars");
    if (!spec) throw new Error("no spec");
    fc.assert(fc.property(fc.array(interval, { maxLength: 5 }), fc.integer({ min: 1, max: 60 }), (ivs, chunkDays) => {
      const coverage = { bySeries: new Map([["AAPL", mergeIntervals(ivs)]]) };
      const args = { spec, table: "raw/polygon/equities_bars", series: ["AAPL", "MSFT"], windowStart: BASE, through: "2026-06-30", coverage, chunkDays, batchSize: 10 };
      const units = planUnits(args);
      expect(planUnits(args).map((u) => u.id)).toEqual(units.map((u) => u.id));
      for (const symbol of ["AAPL", "MSFT"]) {
        const mine = units.filter((u) => u.series.includes(symbol));
        const have = coverage.bySeries.get(symbol) ?? [];
        for (const u of mine) {
          expect(u.end >= u.start).toBe(true);
          expect(sessionsBetween(u.start, u.end).length).toBeGreaterThan(0);
          expect(sessionsBetween(u.start, u.end).every((d) => !covered(d, have))).toBe(true);
          expect(sessionsBetween(u.start, addDays(u.start, chunkDays - 1)).length).toBeGreaterThanOrEqual(sessionsBetween(u.start, u.end).length);
        }
        for (const d of sessionsBetween(BASE, "2026-06-30")) {
          const n = mine.filter((u) => u.start <= d && d <= u.end).length;
          expect(n).toBe(covered(d, have) ? 0 : 1);
        }
      }
    }), { numRuns: 40 });
  });

  it("plans the latest session only for snapshots, and nothing when the cursor listing is complete", () => {
    const chains = datasetSpec("finnhub", "options_chains");
    const tickers = datasetSpec("polygon", "tickers");
    if (!chains || !tickers) throw new Error("no spec");
    const units = planUnits({ spec: chains, table: "t", series: ["SPY"], windowStart: BASE, through: "2026-11-22", coverage: { bySeries: new Map() }, chunkDays: 30, batchSize: 1 });
    expect(units.map((u) => [u.start, u.end])).toEqual([["2026-11-20", "2026-11-20"]]); // Sunday → Friday's session
    expect(planUnits({ spec: tickers, table: "t", series: [], windowStart: BASE, through: "2026-11-20", coverage: { bySeries: new Map(), cursor: { asOf: "2026-11-20", next: "" } }, chunkDays: 1, batchSize: 1 })).toEqual([]);
    const resume = planUnits({ spec: tickers, table: "t", series: [], windowStart: BASE, through: "2026-11-20", coverage: { bySeries: new Map(), cursor: { asOf: "2026-11-20", next: "abc" } }, chunkDays: 1, batchSize: 1 });
    expect(resume[0]?.cursor).toBe("abc");
  });
});
