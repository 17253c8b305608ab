/**
 * Turns the ledger and the marks into an ordered task list. For each target and symbol:
 *   - history: from the target's `earliest` to the day before the first session the ledger holds (or to
 *     `through` when it holds none), minus what marks say was already fetched, in `chunk_days` chunks;
 *   - gaps: sessions the ledger has as RED or short (AMBER short_day), minus marks, grouped into runs that span
 *     at most `chunk_days` calendar days.
 * Symbols whose ranges coincide are fetched together, `batchSize` per task.
 * Order: table priority (high first), then recency (newest chunk first), then symbol — recent history is the
 * most useful and the most likely to still be served by free tiers.
 */
import { countSessions, isoDateOf, parseIsoDate, CALENDAR_FIRST_DATE, type IsoDate } from "../../domain/calendar/index.ts";
import { UsageError } from "../../domain/errors.ts";
import { chunksNewestFirst, contains, subtract, union, type DateRange } from "./intervals.ts";
import type { SymbolMarks } from "./marks.ts";
import type { BackfillTarget, BackfillTask } from "./types.ts";

export interface LedgerView {
  /** symbol → first session held */
  readonly firstSession: ReadonlyMap<string, IsoDate>;
  /** symbol → sorted sessions needing a fetch */
  readonly gapSessions: ReadonlyMap<string, readonly IsoDate[]>;
}

export function validateTarget(target: BackfillTarget): void {
  if (!Number.isInteger(target.chunkDays) || target.chunkDays < 1) {
    throw new UsageError("bad_chunk_days", `${target.table}: chunk_days must be a positive integer, got ${target.chunkDays}`);
  }
  parseIsoDate(target.earliest, `${target.table} earliest`);
}

function gapRuns(sessions: readonly IsoDate[], chunkDays: number): DateRange[] {
  const runs: DateRange[] = [];
  let start: IsoDate | undefined;
  let end: IsoDate | undefined;
  for (const session of sessions) {
    if (start !== undefined && end !== undefined && parseIsoDate(session) - parseIsoDate(start) < chunkDays) {
      end = session;
      continue;
    }
    if (start !== undefined && end !== undefined) runs.push([start, end]);
    start = session;
    end = session;
  }
  if (start !== undefined && end !== undefined) runs.push([start, end]);
  return runs;
}

export function planTarget(target: BackfillTarget, ledger: LedgerView, marks: ReadonlyMap<string, SymbolMarks>, through: IsoDate): BackfillTask[] {
  validateTarget(target);
  const earliest = target.earliest < CALENDAR_FIRST_DATE ? CALENDAR_FIRST_DATE : target.earliest;
  // Per symbol first, then symbols with the same (kind, range) are fetched together, batchSize at a time.
  const groups = new Map<string, { kind: BackfillTask["kind"]; range: DateRange; symbols: string[] }>();
  const add = (symbol: string, range: DateRange, kind: BackfillTask["kind"]): void => {
    const key = `${kind}|${range[0]}|${range[1]}`;
    const group = groups.get(key) ?? { kind, range, symbols: [] };
    group.symbols.push(symbol);
    groups.set(key, group);
  };
  for (const symbol of [...new Set(target.symbols)].sort()) {
    const mark = marks.get(symbol);
    const done = union(mark?.complete ?? [], mark?.unavailable ?? []);
    const first = ledger.firstSession.get(symbol);
    const historyEnd = first === undefined ? through : isoDateOf(parseIsoDate(first) - 1);
    if (earliest <= historyEnd) {
      for (const piece of subtract([earliest, historyEnd], done)) {
        for (const chunk of chunksNewestFirst(piece, target.chunkDays)) add(symbol, chunk, "history");
      }
    }
    const gaps = (ledger.gapSessions.get(symbol) ?? []).filter((session) => session >= earliest && session <= through && !contains(done, session));
    for (const run of gapRuns(gaps, target.chunkDays)) add(symbol, run, "gap");
  }
  const batch = Math.max(1, Math.floor(target.batchSize ?? 1));
  const tasks: BackfillTask[] = [];
  for (const { kind, range, symbols } of groups.values()) {
    const sessions = countSessions(range[0], range[1]);
    if (sessions === 0) continue;
    for (let i = 0; i < symbols.length; i += batch) {
      tasks.push({
        source: target.source, table: target.table, lakeTable: target.lakeTable, granularity: target.granularity,
        priority: target.priority, symbols: symbols.slice(i, i + batch), start: range[0], end: range[1], kind, sessions,
      });
    }
  }
  return tasks;
}

export function orderTasks(tasks: readonly BackfillTask[]): BackfillTask[] {
  return [...tasks].sort(
    (a, b) =>
      b.priority - a.priority ||
      (a.end < b.end ? 1 : a.end > b.end ? -1 : 0) ||
      a.table.localeCompare(b.table) ||
      (a.symbols[0] ?? "").localeCompare(b.symbols[0] ?? ""),
  );
}
