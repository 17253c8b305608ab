/**
 * What a raw table already holds, read from its manifest (the truth; bookmarks are the fast path). Every
 * committed unit is one part whose stats record the unit's date range (`min.unit_start`, `max.unit_end`) and
 * whose `symbols` list the series it covered — even a part with zero rows, so a range that had no data is not
 * asked for again. Planning subtracts these intervals from the wanted window, which makes units idempotent:
 * a unit committed just before a crash is never fetched twice, and parallel chunks can finish in any order.
 */
import { addDays, parseIsoDate } from "../domain/calendar/dates.ts";
import type { Manifest } from "../lake/types.ts";

export interface Interval {
  readonly start: string;
  readonly end: string;
}

export interface TableCoverage {
  /** Covered date intervals per series (symbol, series id), merged and sorted. */
  readonly bySeries: ReadonlyMap<string, readonly Interval[]>;
  /** Cursor listings: the newest committed part's as-of date and where its paging stopped ("" = complete). */
  readonly cursor?: { readonly asOf: string; readonly next: string };
}

export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: Interval[] = [];
  for (const iv of sorted) {
    const last = out.at(-1);
    if (last && parseIsoDate(iv.start) <= parseIsoDate(last.end) + 1) {
      if (iv.end > last.end) out[out.length - 1] = { start: last.start, end: iv.end };
    } else out.push(iv);
  }
  return out;
}

export function coverageOf(manifest: Manifest | undefined): TableCoverage {
  const raw = new Map<string, Interval[]>();
  let cursor: { asOf: string; next: string } | undefined;
  for (const file of manifest?.files ?? []) {
    const start = file.min?.["unit_start"];
    const end = file.max?.["unit_end"];
    if (typeof start !== "string" || typeof end !== "string") continue;
    for (const series of file.symbols ?? []) (raw.get(series) ?? raw.set(series, []).get(series) ?? []).push({ start, end });
    const next = file.max?.["cursor_next"];
    if (typeof next === "string" && (cursor === undefined || end > cursor.asOf || (end === cursor.asOf))) cursor = { asOf: end, next };
  }
  const bySeries = new Map<string, Interval[]>();
  for (const [series, list] of raw) bySeries.set(series, mergeIntervals(list));
  return { bySeries, ...(cursor ? { cursor } : {}) };
}

/** The parts of [start, end] not covered by `covered` (both sorted and merged). */
export function gaps(start: string, end: string, covered: readonly Interval[]): Interval[] {
  if (end < start) return [];
  const out: Interval[] = [];
  let from = start;
  for (const iv of covered) {
    if (iv.end < from) continue;
    if (iv.start > end) break;
    if (iv.start > from) out.push({ start: from, end: addDays(iv.start, -1) < end ? addDays(iv.start, -1) : end });
    from = addDays(iv.end, 1);
    if (from > end) return out;
  }
  if (from <= end) out.push({ start: from, end });
  return out;
}

/** The last date d such that [from, d] is wholly covered (undefined when `from` itself is not). */
export function contiguousThrough(from: string, covered: readonly Interval[]): string | undefined {
  let through: string | undefined;
  let next = from;
  for (const iv of covered) {
    if (iv.start > next) break;
    if (iv.end >= next) {
      through = iv.end;
      next = addDays(iv.end, 1);
    }
  }
  return through;
}
