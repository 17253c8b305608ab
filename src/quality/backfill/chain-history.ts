/**
 * Past option chains. Every free vendor serves the latest session's chain only (Alpaca's and Finnhub's snapshots
 * take no date), so option history grows one session a day on the node. What the lake does not hold of an earlier
 * session will never be served: backfill marks it unavailable without a request, and the marks keep every later
 * run from planning it again. The latest session is left alone: the collector can still take its chain.
 */
import { sessions as calendarSessions, type IsoDate } from "../../domain/calendar/index.ts";
import { coverageOf } from "../../ingest/coverage.ts";
import { readManifest } from "../../lake/manifest.ts";
import type { ObjectStore } from "../../lake/types.ts";
import { addMarks } from "./marks.ts";
import type { LedgerView } from "./plan.ts";
import type { BackfillTarget, BackfillTask, TaskReport } from "./types.ts";

/**
 * The option-chain table as backfill planning sees a ledger: per underlier the lake holds chains for, its first
 * collected session, and the sessions after it up to `through` that it lacks.
 */
export async function chainView(store: ObjectStore, target: BackfillTarget, through: IsoDate, signal?: AbortSignal): Promise<LedgerView> {
  const coverage = coverageOf(await readManifest(store, target.lakeTable, signal === undefined ? {} : { signal }));
  const firstSession = new Map<string, IsoDate>();
  const gapSessions = new Map<string, IsoDate[]>();
  for (const [underlier, covered] of coverage.bySeries) {
    const first = covered[0]?.start;
    if (first === undefined) continue;
    firstSession.set(underlier, first);
    if (first > through) continue;
    const held = (date: IsoDate): boolean => covered.some((iv) => iv.start <= date && date <= iv.end);
    gapSessions.set(underlier, calendarSessions(first, through).map((s) => s.date).filter((d) => !held(d)));
  }
  return { firstSession, gapSessions };
}

/** A task of past chain sessions: marked unavailable for its underliers, nothing asked of any vendor. */
export async function markUnserved(store: ObjectStore, task: BackfillTask, now: Date, signal?: AbortSignal): Promise<TaskReport> {
  const entries = task.symbols.map((symbol) => ({ symbol, complete: [], unavailable: [[task.start, task.end] as const] }));
  await addMarks(store, { source: task.source, table: task.table, entries, now }, signal);
  return { task, rows: 0, rejected: 0, partsWritten: 0, complete: 0, unavailable: task.sessions * task.symbols.length };
}
