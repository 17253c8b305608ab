/**
 * What a raw table already holds, read from its manifest (the truth; bookmarks are the fast path). Every
 * committed unit is one part whose `unit` records the date range asked (`PartFile.unit`) and whose `symbols`
 * list the series it covered — even a part with zero rows, so a range that had no data is not
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
  /** Paged listings per series: the newest committed page's as-of date and the cursor after it ("" = complete). */
  readonly cursors?: ReadonlyMap<string, { readonly asOf: string; readonly next: string }>;
}

/** A part that is one page of a listing not yet complete: it answers for its rows, not for its range. */
export function isPartialListing(unit: { readonly cursor_next?: string }): boolean {
  return unit.cursor_next !== undefined && unit.cursor_next !== "";
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
  const cursors = new Map<string, { asOf: string; next: string }>();
  for (const file of manifest?.files ?? []) {
    if (file.unit === undefined) continue;
    const { start, end, cursor_next: next } = file.unit;
    // A page of an unfinished listing does not cover its day: the rest of the listing is still to come.
    const covers = !isPartialListing(file.unit);
    for (const series of file.symbols ?? []) {
      if (covers) (raw.get(series) ?? raw.set(series, []).get(series) ?? []).push({ start, end });
      const last = cursors.get(series);
      // Parts are listed in commit order, so the last page of the newest as-of date wins.
      if (next !== undefined && (last === undefined || end >= last.asOf)) cursors.set(series, { asOf: end, next });
    }
    if (next !== undefined && (cursor === undefined || end >= cursor.asOf)) cursor = { asOf: end, next };
  }
  const bySeries = new Map<string, Interval[]>();
  for (const [series, list] of raw) bySeries.set(series, mergeIntervals(list));
  return { bySeries, cursors, ...(cursor ? { cursor } : {}) };
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

/** The committed pages of `series`'s unfinished listing of `day` (what a restart from the beginning replaces). */
export function unfinishedListingParts(manifest: Manifest | undefined, series: string, day: string): { readonly keys: string[]; readonly rows: number } {
  const parts = (manifest?.files ?? []).filter((f) => f.unit !== undefined && f.unit.start === day && isPartialListing(f.unit) && (f.symbols ?? []).includes(series));
  return { keys: parts.map((f) => f.key), rows: parts.reduce((n, f) => n + f.rows, 0) };
}
