/**
 * `trademl backfill`: fills history and gaps found by the audit, under the `backfill` lease, in priority and
 * recency order, until the plan is done or a vendor's daily budget is spent. For each task: fetch through the
 * shared rate governor → write raw parts and commit them → re-audit the dataset (incremental: only the new
 * dates are read) → record marks for what is now proven complete or proven unavailable. Marks move only after
 * the commit, so a crash repeats at most the task in flight, and nothing already marked is fetched again.
 */
import { PartWriter } from "../../db/part-writer.ts";
import { DuckSession } from "../../db/session.ts";
import { previousSession, sessions as calendarSessions, type IsoDate } from "../../domain/calendar/index.ts";
import { withLease } from "../../lake/lease.ts";
import type { LeaseHandle, ObjectStore } from "../../lake/types.ts";
import { BudgetExhaustedError, EntitlementError, MalformedResponseError, VendorRequestError } from "../../vendors/errors.ts";
import { auditTarget, defaultThrough } from "../audit/audit.ts";
import { sqlString } from "../../db/sql-literal.ts";
import { withLedger } from "../audit/coverage.ts";
import { scratchDir } from "../audit/ledger.ts";
import type { AuditTarget, Granularity, QcThresholds } from "../audit/types.ts";
import { UsageError } from "../../domain/errors.ts";
import type { CorporateActionRow, EquityBarRow } from "../../vendors/rows.ts";
import { normalize, subtract, type DateRange } from "./intervals.ts";
import { chainView, markUnserved } from "./chain-history.ts";
import { addMarks, readMarks } from "./marks.ts";
import { orderTasks, planTarget, validateTarget, type LedgerView } from "./plan.ts";
import type { BackfillOptions, BackfillReport, BackfillTarget, BackfillTask, TaskReport } from "./types.ts";
import { writeRawActions, writeRawBars } from "./write-raw.ts";

export const BACKFILL_LEASE = "backfill";

function auditTargetOf(task: BackfillTask, granularity: Granularity): AuditTarget {
  return { source: task.source, table: task.table, lakeTable: task.lakeTable, granularity };
}

/** What the ledger says about one (source, table): first session per symbol and sessions needing a fetch. */
async function ledgerView(store: ObjectStore, target: BackfillTarget, signal?: AbortSignal): Promise<LedgerView> {
  return withLedger(
    store,
    async (db) => {
      const where = `source = ${sqlString(target.source)} AND table_name = ${sqlString(target.table)}`;
      const firsts = await db.rowsJs(`SELECT symbol, strftime(min(session), '%Y-%m-%d') AS first FROM partition_status WHERE ${where} GROUP BY symbol`);
      const gaps = await db.rowsJs(
        `SELECT symbol, strftime(session, '%Y-%m-%d') AS session FROM partition_status
         WHERE ${where} AND (status = 'RED' OR list_contains(reasons, 'short_day')) ORDER BY symbol, session`,
      );
      const gapSessions = new Map<string, IsoDate[]>();
      for (const row of gaps) {
        const list = gapSessions.get(String(row["symbol"])) ?? [];
        list.push(String(row["session"]));
        gapSessions.set(String(row["symbol"]), list);
      }
      return { firstSession: new Map(firsts.map((row) => [String(row["symbol"]), String(row["first"])])), gapSessions };
    },
    signal,
  );
}

/** The ordered task list for every target (no fetching). */
export async function planBackfill(store: ObjectStore, targets: readonly BackfillTarget[], through: IsoDate, signal?: AbortSignal): Promise<BackfillTask[]> {
  const tasks: BackfillTask[] = [];
  for (const target of targets) {
    validateTarget(target);
    if (target.granularity === "chains") {
      // Only underliers with chains in the lake have an option history to speak of; `through` itself is the
      // session whose chain the collector can still take.
      const before = previousSession(through);
      const [view, marks] = await Promise.all([chainView(store, target, before, signal), readMarks(store, target.source, target.table, signal)]);
      tasks.push(...planTarget({ ...target, symbols: target.symbols.filter((s) => view.firstSession.has(s)) }, view, marks, before));
      continue;
    }
    const [view, marks] = await Promise.all([ledgerView(store, target, signal), readMarks(store, target.source, target.table, signal)]);
    tasks.push(...planTarget(target, view, marks, through));
  }
  return orderTasks(tasks);
}

/** GREEN sessions per symbol of the task from the ledger as committed (used when the audit had nothing new). */
async function greenFromLedger(store: ObjectStore, task: BackfillTask, signal?: AbortSignal): Promise<Record<string, readonly IsoDate[]>> {
  return withLedger(
    store,
    async (db) => {
      const out: Record<string, IsoDate[]> = Object.fromEntries(task.symbols.map((symbol) => [symbol, []]));
      const rows = await db.rowsJs(
        `SELECT symbol, strftime(session, '%Y-%m-%d') AS session FROM partition_status
         WHERE source = ${sqlString(task.source)} AND table_name = ${sqlString(task.table)}
           AND symbol IN (${task.symbols.map(sqlString).join(", ")})
           AND status = 'GREEN' AND session BETWEEN DATE '${task.start}' AND DATE '${task.end}'`,
      );
      for (const row of rows) out[String(row["symbol"])]?.push(String(row["session"]));
      return out;
    },
    signal,
  );
}

/**
 * What a task proved for one symbol: runs of GREEN sessions are complete (holidays and weekends between them
 * belong to the run); the rest of the task's range was fetched and is still not GREEN, so the vendor does not
 * have it — unavailable.
 */
function provenRanges(task: BackfillTask, greenSessions: readonly IsoDate[]): { complete: DateRange[]; unavailable: DateRange[] } {
  const green = new Set(greenSessions);
  const complete: DateRange[] = [];
  let run: [IsoDate, IsoDate] | undefined;
  for (const session of calendarSessions(task.start, task.end)) {
    if (green.has(session.date)) {
      if (run === undefined) run = [session.date, session.date];
      else run[1] = session.date;
    } else if (run !== undefined) {
      complete.push(run);
      run = undefined;
    }
  }
  if (run !== undefined) complete.push(run);
  const merged = normalize(complete);
  return { complete: merged, unavailable: subtract([task.start, task.end], merged) };
}

/**
 * A task the vendor refused. 403 "not entitled" proves the range unavailable from this vendor (marked, so it is
 * never asked again); a bad request or an unusable response is reported and left for the next run. Anything else
 * (auth, network, vendor down) is not a property of the task: undefined, and the run stops with it.
 */
async function refusedTask(
  store: ObjectStore,
  task: BackfillTask,
  error: unknown,
  context: { readonly signal: AbortSignal; readonly now: () => Date },
): Promise<TaskReport | undefined> {
  const base = { task, rows: 0, rejected: 0, partsWritten: 0, complete: 0, unavailable: task.sessions * task.symbols.length };
  if (error instanceof EntitlementError) {
    const entries = task.symbols.map((symbol) => ({ symbol, complete: [], unavailable: [[task.start, task.end] as const] }));
    await addMarks(store, { source: task.source, table: task.table, entries, now: context.now() }, context.signal);
    return { ...base, error: error.code };
  }
  if (error instanceof VendorRequestError || error instanceof MalformedResponseError) return { ...base, error: error.code };
  return undefined;
}

interface FillContext {
  readonly lease: LeaseHandle;
  readonly holder: string;
  readonly signal: AbortSignal;
  readonly now: () => Date;
}

/** Bars: write, re-audit what was filled, then mark the GREEN runs complete and the rest unavailable. */
async function fillBars(
  store: ObjectStore,
  parts: PartWriter,
  task: BackfillTask,
  fetchedRows: readonly EquityBarRow[],
  rejected: number,
  context: FillContext & { readonly through: IsoDate; readonly qc?: QcThresholds; readonly duckdb?: BackfillOptions["duckdb"] },
): Promise<TaskReport> {
  if (task.granularity === "events" || task.granularity === "chains") throw new UsageError("not_bars", `${task.table} holds ${task.granularity}, but its fetcher returned bars`);
  // Only this task's symbols and dates are written: a vendor answering more must not fill other partitions.
  const wanted = new Set(task.symbols);
  const rows = fetchedRows.filter((row) => wanted.has(row.symbol) && row.date >= task.start && row.date <= task.end);
  const written = await writeRawBars(parts, {
    lakeTable: task.lakeTable, rows, granularity: task.granularity, unit: { start: task.start, end: task.end, series: task.symbols }, lease: context.lease, writer: context.holder,
  });
  // Re-audit what was filled (incremental: only the new parts are read). With nothing written, no session of
  // the task can have become GREEN: they were all history before the first session or RED/short gaps.
  let green: Readonly<Record<string, readonly IsoDate[]>> = {};
  if (written.parts.length > 0) {
    const audited = await auditTarget(store, auditTargetOf(task, task.granularity), {
      through: context.through, lease: context.lease, writer: context.holder, signal: context.signal, now: context.now,
      ...(context.qc === undefined ? {} : { qc: context.qc }),
      ...(context.duckdb === undefined ? {} : { duckdb: context.duckdb }),
      inspect: { symbols: task.symbols, from: task.start, to: task.end },
    });
    green = audited.inspected ?? (await greenFromLedger(store, task, context.signal));
  }
  const entries = task.symbols.map((symbol) => ({ symbol, ...provenRanges(task, green[symbol] ?? []) }));
  await addMarks(store, { source: task.source, table: task.table, entries, now: context.now() }, context.signal);
  const complete = task.symbols.reduce((sum, symbol) => sum + (green[symbol]?.length ?? 0), 0);
  return { task, rows: rows.length, rejected, partsWritten: written.parts.length, complete, unavailable: task.sessions * task.symbols.length - complete };
}

/**
 * Events (corporate actions): write what the vendor returned; the whole range is then proven complete for every
 * symbol asked — actions are sparse, so "nothing returned" means "no action in that range".
 */
async function fillEvents(
  store: ObjectStore,
  parts: PartWriter,
  task: BackfillTask,
  fetchedRows: readonly CorporateActionRow[],
  rejected: number,
  context: FillContext,
): Promise<TaskReport> {
  const wanted = new Set(task.symbols);
  const rows = fetchedRows.filter((row) => wanted.has(row.symbol) && row.ex_date >= task.start && row.ex_date <= task.end);
  const written = await writeRawActions(parts, {
    lakeTable: task.lakeTable, rows, unit: { start: task.start, end: task.end, series: task.symbols }, lease: context.lease, writer: context.holder,
  });
  const entries = task.symbols.map((symbol) => ({ symbol, complete: [[task.start, task.end] as const], unavailable: [] }));
  await addMarks(store, { source: task.source, table: task.table, entries, now: context.now() }, context.signal);
  return { task, rows: rows.length, rejected, partsWritten: written.parts.length, complete: task.sessions * task.symbols.length, unavailable: 0 };
}

/**
 * Runs the plan: up to `concurrency` tasks fetch at once (the vendor's governor paces them all), and each
 * fetched task is then written, re-audited and marked one at a time — the writes share one DuckDB connection and
 * a re-audit must see the parts committed before it. A spent budget or `maxTasks` stops new tasks from starting;
 * the ones in flight finish and are recorded.
 */
async function runTasks(store: ObjectStore, options: BackfillOptions, lease: LeaseHandle): Promise<BackfillReport> {
  const now = options.now ?? (() => new Date());
  const through = options.through ?? defaultThrough(now());
  const signal = AbortSignal.any([lease.signal, ...(options.signal === undefined ? [] : [options.signal])]);
  const plan = await planBackfill(store, options.targets, through, signal);
  const targets = new Map(options.targets.map((target) => [`${target.source}/${target.table}`, target]));
  const reports: TaskReport[] = [];
  const scratch = await scratchDir();
  // Only used to write Parquet parts; it gets the same resource limits as the audit's DuckDB.
  const session = await DuckSession.create({ kernels: false, ...options.duckdb });
  const parts = new PartWriter({ session, store, scratchDir: scratch.path, signal });
  let next = 0;
  let started = 0;
  let stop: { readonly stoppedBy: "budget" | "max_tasks"; readonly budgetVendor?: string } | undefined;
  let fatal: { readonly error: unknown } | undefined;
  // Fetched tasks are filled in turn: each waits for the one before it.
  let filling: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(fill: () => Promise<T>): Promise<T> => {
    const turn = filling.then(fill);
    filling = turn.catch(() => undefined);
    return turn;
  };

  const runOne = async (task: BackfillTask, target: BackfillTarget): Promise<void> => {
    if (task.granularity === "chains") {
      const marked = await inTurn(() => markUnserved(store, task, now(), signal));
      reports.push(marked);
      options.onTask?.(marked);
      return;
    }
    let fetched: Awaited<ReturnType<ReturnType<BackfillOptions["fetcherFor"]>>>;
    try {
      fetched = await options.fetcherFor(target)(task, signal);
    } catch (error) {
      if (error instanceof BudgetExhaustedError) {
        stop ??= { stoppedBy: "budget", budgetVendor: error.vendor };
        return;
      }
      const refused = await inTurn(() => refusedTask(store, task, error, { signal, now }));
      if (refused === undefined) throw error;
      reports.push(refused);
      options.onTask?.(refused);
      return;
    }
    const report = await inTurn(() =>
      fetched.kind === "actions"
        ? fillEvents(store, parts, task, fetched.rows, fetched.rejected, { lease, holder: options.holder, signal, now })
        : fillBars(store, parts, task, fetched.rows, fetched.rejected, {
            lease, holder: options.holder, signal, now, through, ...(options.qc === undefined ? {} : { qc: options.qc }),
            ...(options.duckdb === undefined ? {} : { duckdb: options.duckdb }),
          }),
    );
    reports.push(report);
    options.onTask?.(report);
  };

  const worker = async (): Promise<void> => {
    while (stop === undefined && fatal === undefined && next < plan.length) {
      if (options.maxTasks !== undefined && started >= options.maxTasks) {
        stop = { stoppedBy: "max_tasks" };
        return;
      }
      const task = plan[next++];
      const target = task === undefined ? undefined : targets.get(`${task.source}/${task.table}`);
      if (task === undefined || target === undefined) continue;
      started++;
      try {
        signal.throwIfAborted();
        await runOne(task, target);
      } catch (error) {
        // Every worker stops at its next task; the session stays open until the ones in flight are done.
        fatal ??= { error };
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, () => worker()));
    if (fatal !== undefined) throw fatal.error;
    return { ran: true, planned: plan.length, tasks: reports, stoppedBy: stop?.stoppedBy, ...(stop?.budgetVendor === undefined ? {} : { budgetVendor: stop.budgetVendor }) };
  } finally {
    await parts.close();
    session.close();
    await scratch.dispose();
  }
}

/** Runs the backfill under the `backfill` lease; returns `{ ran: false }` when another node holds it. */
export async function runBackfill(store: ObjectStore, options: BackfillOptions): Promise<BackfillReport> {
  for (const target of options.targets) validateTarget(target);
  const result = await withLease(
    store,
    BACKFILL_LEASE,
    { holder: options.holder, ...(options.leaseTtlMs === undefined ? {} : { ttlMs: options.leaseTtlMs, renewMs: Math.floor(options.leaseTtlMs / 3) }) },
    (lease) => runTasks(store, options, lease),
  );
  return result.ran ? result.value : { ran: false, heldBy: result.holder };
}
