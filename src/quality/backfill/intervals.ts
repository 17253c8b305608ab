/**
 * Sets of calendar dates as sorted, disjoint, inclusive [from, to] ranges of "YYYY-MM-DD" — the shape of
 * backfill marks and of the history still to fetch.
 */
import { isoDateOf, parseIsoDate, type IsoDate } from "../../domain/calendar/index.ts";

export type DateRange = readonly [IsoDate, IsoDate];

const day = (date: IsoDate): number => parseIsoDate(date);

/** Sorted, merged (touching or overlapping ranges become one). */
export function normalize(ranges: readonly DateRange[]): DateRange[] {
  const sorted = ranges.filter(([a, b]) => a <= b).map(([a, b]) => [day(a), day(b)] as [number, number]).sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out.map(([a, b]) => [isoDateOf(a), isoDateOf(b)] as const);
}

export function union(a: readonly DateRange[], b: readonly DateRange[]): DateRange[] {
  return normalize([...a, ...b]);
}

/** The parts of `range` not covered by `covered`. */
export function subtract(range: DateRange, covered: readonly DateRange[]): DateRange[] {
  let pieces: [number, number][] = [[day(range[0]), day(range[1])]];
  for (const [c0, c1] of normalize(covered).map(([a, b]) => [day(a), day(b)] as const)) {
    const next: [number, number][] = [];
    for (const [a, b] of pieces) {
      if (c1 < a || c0 > b) next.push([a, b]);
      else {
        if (c0 > a) next.push([a, c0 - 1]);
        if (c1 < b) next.push([c1 + 1, b]);
      }
    }
    pieces = next;
  }
  return pieces.filter(([a, b]) => a <= b).map(([a, b]) => [isoDateOf(a), isoDateOf(b)] as const);
}

export function contains(ranges: readonly DateRange[], date: IsoDate): boolean {
  return ranges.some(([a, b]) => a <= date && date <= b);
}

/** Splits a range into chunks of at most `chunkDays` calendar days, most recent first. */
export function chunksNewestFirst(range: DateRange, chunkDays: number): DateRange[] {
  const out: DateRange[] = [];
  const first = day(range[0]);
  for (let end = day(range[1]); end >= first; end -= chunkDays) {
    out.push([isoDateOf(Math.max(first, end - chunkDays + 1)), isoDateOf(end)]);
  }
  return out;
}
