/**
 * Unit planning: what is wanted (a window of sessions per series) minus what the table already covers, cut
 * into idempotent units — (vendor, dataset, series set, date range) — that can run in any order.
 */
import { sessions as nyseSessions } from "../domain/calendar/index.ts";
import { addDays } from "../domain/calendar/dates.ts";
import { gaps, type TableCoverage } from "./coverage.ts";
import type { DatasetSpec } from "./datasets.ts";

export interface Unit {
  /** Stable identity: the same work always has the same id. */
  readonly id: string;
  readonly vendor: string;
  readonly dataset: string;
  readonly table: string;
  readonly series: readonly string[];
  readonly start: string;
  readonly end: string;
  /** Cursor listings only: where to continue ("" = from the beginning). */
  readonly cursor?: string;
}

export interface PlanOptions {
  readonly spec: DatasetSpec;
  readonly table: string;
  readonly series: readonly string[];
  /** First date wanted (inclusive). */
  readonly windowStart: string;
  /** Last date wanted (inclusive): the last complete session. */
  readonly through: string;
  readonly coverage: TableCoverage;
  /** Largest date range of one unit, in calendar days (range shapes). */
  readonly chunkDays: number;
  /** Most series in one multi-symbol request (batch shapes). */
  readonly batchSize: number;
}

function sessionDates(start: string, end: string): string[] {
  return end < start ? [] : nyseSessions(start, end).map((s) => s.date);
}

function unitId(spec: DatasetSpec, series: readonly string[], start: string, end: string, cursor?: string): string {
  return `${spec.vendor}/${spec.dataset}/${series.join("+")}/${start}..${end}${cursor === undefined ? "" : `@${cursor || "start"}`}`;
}

/** The latest session on or before `date`. */
export function lastSessionOnOrBefore(date: string): string {
  const found = sessionDates(addDays(date, -10), date).at(-1);
  return found ?? date;
}

export function planUnits(options: PlanOptions): Unit[] {
  const { spec, table, coverage } = options;
  const make = (series: readonly string[], start: string, end: string, cursor?: string): Unit => ({
    id: unitId(spec, series, start, end, cursor), vendor: spec.vendor, dataset: spec.dataset, table, series, start, end,
    ...(cursor === undefined ? {} : { cursor }),
  });

  if (spec.shape === "cursor") {
    const asOf = options.through;
    const c = coverage.cursor;
    if (c && c.asOf >= asOf && c.next === "") return [];
    const resume = c && c.asOf === asOf ? c.next : "";
    return [make(["*"], asOf, asOf, resume)];
  }

  if (spec.shape === "latest_paged") {
    // A series whose listing of `day` stopped part-way resumes from the cursor after its last committed page;
    // a cursor from an older day is of no use (that listing is a past day's) and is never sent.
    const day = lastSessionOnOrBefore(options.through);
    if (day < options.windowStart) return [];
    return options.series
      .filter((s) => gaps(day, day, coverage.bySeries.get(s) ?? []).length > 0)
      .map((s) => {
        const c = coverage.cursors?.get(s);
        return c !== undefined && c.asOf === day && c.next !== "" ? make([s], day, day, c.next) : make([s], day, day);
      });
  }

  if (spec.shape === "latest_single") {
    const day = lastSessionOnOrBefore(options.through);
    if (day < options.windowStart) return [];
    return options.series
      .filter((s) => gaps(day, day, coverage.bySeries.get(s) ?? []).length > 0)
      .map((s) => make([s], day, day));
  }

  // Per series: the wanted range minus coverage, cut into chunks that contain at least one session.
  const chunksBySeries = new Map<string, { start: string; end: string }[]>();
  const perDay = spec.shape === "day_single" || spec.shape === "day_batch";
  for (const s of options.series) {
    const chunks: { start: string; end: string }[] = [];
    for (const gap of gaps(options.windowStart, options.through, coverage.bySeries.get(s) ?? [])) {
      if (perDay) {
        for (const d of sessionDates(gap.start, gap.end)) chunks.push({ start: d, end: d });
        continue;
      }
      for (let from = gap.start; from <= gap.end; from = addDays(from, options.chunkDays)) {
        const to = addDays(from, options.chunkDays - 1) < gap.end ? addDays(from, options.chunkDays - 1) : gap.end;
        if (sessionDates(from, to).length > 0) chunks.push({ start: from, end: to });
      }
    }
    chunksBySeries.set(s, chunks);
  }

  const batched = spec.shape === "range_batch" || spec.shape === "day_batch";
  const units: Unit[] = [];
  if (!batched) {
    for (const [s, chunks] of chunksBySeries) for (const c of chunks) units.push(make([s], c.start, c.end));
  } else {
    // Series that need the same range share one request, up to batchSize per unit.
    const byRange = new Map<string, string[]>();
    for (const [s, chunks] of chunksBySeries) for (const c of chunks) (byRange.get(`${c.start}|${c.end}`) ?? byRange.set(`${c.start}|${c.end}`, []).get(`${c.start}|${c.end}`) ?? []).push(s);
    for (const [range, series] of byRange) {
      const [start = "", end = ""] = range.split("|");
      const sorted = [...series].sort();
      for (let i = 0; i < sorted.length; i += options.batchSize) units.push(make(sorted.slice(i, i + options.batchSize), start, end));
    }
  }
  return units.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.id < b.id ? -1 : 1));
}
