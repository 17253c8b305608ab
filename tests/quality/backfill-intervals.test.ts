// Properties of the date-range arithmetic behind backfill marks: what is subtracted is never planned again, and
// chunks cover a range exactly, newest first. Checked against a day-by-day model (a set of dates).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunksNewestFirst, normalize, subtract, type DateRange } from "../../src/quality/backfill/intervals.ts";

const BASE = Date.UTC(2020, 0, 1);
const dateOf = (offset: number): string => new Date(BASE + offset * 86_400_000).toISOString().slice(0, 10);
const range = fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 60 })).map(([start, length]): DateRange => [dateOf(start), dateOf(start + length)]);

function days(ranges: readonly DateRange[]): Set<string> {
  const out = new Set<string>();
  for (const [a, b] of ranges) {
    for (let t = Date.parse(`${a}T00:00:00Z`); t <= Date.parse(`${b}T00:00:00Z`); t += 86_400_000) out.add(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

describe("backfill date ranges", () => {
  it("subtract leaves exactly the days of the range that are not covered", () => {
    fc.assert(
      fc.property(range, fc.array(range, { maxLength: 6 }), (target, covered) => {
        const left = subtract(target, covered);
        const expected = [...days([target])].filter((day) => !days(covered).has(day)).sort();
        expect([...days(left)].sort()).toEqual(expected);
        // Pieces are disjoint and sorted, so none is planned twice.
        for (let i = 1; i < left.length; i += 1) expect((left[i - 1]?.[1] ?? "") < (left[i]?.[0] ?? "")).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("normalize merges overlapping and touching ranges without changing the covered days", () => {
    fc.assert(
      fc.property(fc.array(range, { maxLength: 8 }), (ranges) => {
        const merged = normalize(ranges);
        expect(days(merged)).toEqual(days(ranges));
        for (let i = 1; i < merged.length; i += 1) {
          const gap = Date.parse(`${merged[i]?.[0]}T00:00:00Z`) - Date.parse(`${merged[i - 1]?.[1]}T00:00:00Z`);
          expect(gap).toBeGreaterThan(86_400_000); // touching ranges would have been merged
        }
      }),
      { numRuns: 300 },
    );
  });

  it("chunks cover a range exactly, newest first, at most chunkDays each", () => {
    fc.assert(
      fc.property(range, fc.integer({ min: 1, max: 40 }), (target, chunkDays) => {
        const chunks = chunksNewestFirst(target, chunkDays);
        expect(days(chunks)).toEqual(days([target]));
        expect(chunks.reduce((sum, chunk) => sum + days([chunk]).size, 0)).toBe(days([target]).size);
        for (const chunk of chunks) expect(days([chunk]).size).toBeLessThanOrEqual(chunkDays);
        for (let i = 1; i < chunks.length; i += 1) expect((chunks[i]?.[1] ?? "") < (chunks[i - 1]?.[0] ?? "")).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
