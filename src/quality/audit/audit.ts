/**
 * `trademl audit`: builds the partition_status ledger for raw datasets, incrementally. Only sessions whose raw
 * parts changed since the last audit (fingerprints.ts) are re-read; the rest of the ledger is carried over, the
 * missing sessions are re-derived from the calendar, and a new ledger part is committed only when the content
 * changed — so re-running an audit over an unchanged lake writes nothing.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import {
  CALENDAR_FIRST_DATE,
  CALENDAR_LAST_DATE,
  isSession,
  previousSession,
  sessions as calendarSessions,
  type IsoDate,
} from "../../domain/calendar/index.ts";
import { DataError, UsageError } from "../../domain/errors.ts";
import { PartWriter } from "../../db/part-writer.ts";
import { readManifest } from "../../lake/manifest.ts";
import type { LeaseHandle, ObjectStore, PartFile } from "../../lake/types.ts";
import { DuckSession, sqlString } from "../../db/session.ts";
import { dirtyDates, partitionDates } from "./fingerprints.ts";
import { downloadParts, LEDGER_TABLE, ledgerParts, loadLedgerTable, scratchDir } from "./ledger.ts";
import { indexPartsByYear, ledgerPartsOf, planYears, yearOf } from "./ledger-years.ts";
import {
  DEFAULT_QC,
  type AuditOptions,
  type AuditTarget,
  type PartitionStatus,
  type QcThresholds,
  type TargetAuditResult,
} from "./types.ts";

export interface RunAuditOptions extends AuditOptions {
  /**
   * The lease the caller runs under (`audit`, or `backfill` when backfill re-audits); checked before the
   * commit. Its epoch is not written into the ledger's manifests: the ledger is shared by jobs whose lease
   * epochs are independent counters, so table fencing by epoch would refuse one job forever. Concurrent
   * writers are caught instead by the replace of the previous ledger part (see auditTarget).
   */
  readonly lease?: LeaseHandle;
  /** Report these symbols' GREEN sessions in [from, to] from the ledger built (backfill's proof of what it filled). */
  readonly inspect?: { readonly symbols: readonly string[]; readonly from: IsoDate; readonly to: IsoDate };
}

const SESSION_CHUNK = 2000;

function validateQc(qc: QcThresholds): void {
  const { greenMinRatio, rowsLowRatio, rowsHighRatio } = qc;
  if (!(rowsLowRatio > 0 && rowsLowRatio <= greenMinRatio && greenMinRatio <= 1 && rowsHighRatio >= 1)) {
    throw new UsageError(
      "bad_qc_thresholds",
      `QC thresholds must satisfy 0 < rows_low_ratio (${rowsLowRatio}) <= green_min_ratio (${greenMinRatio}) <= 1 <= rows_high_ratio (${rowsHighRatio})`,
    );
  }
}

/** The last session that should be complete: the session before today (UTC), capped to the calendar. */
export function defaultThrough(now: Date): IsoDate {
  const today = now.toISOString().slice(0, 10);
  if (today > CALENDAR_LAST_DATE) return previousSession(CALENDAR_LAST_DATE);
  return previousSession(today);
}

async function loadSessions(db: DuckSession, from: IsoDate, through: IsoDate): Promise<void> {
  await db.run(
    "CREATE OR REPLACE TEMP TABLE audit_sessions (session DATE, day_number INTEGER, open_ms BIGINT, close_ms BIGINT, minutes INTEGER, kind VARCHAR)",
  );
  if (from > through) return;
  const list = calendarSessions(from, through);
  for (let start = 0; start < list.length; start += SESSION_CHUNK) {
    const values = list
      .slice(start, start + SESSION_CHUNK)
      .map((s) => `(DATE '${s.date}', ${Math.floor(Date.parse(`${s.date}T00:00:00Z`) / 86_400_000)}, ${s.openMs}, ${s.closeMs}, ${s.minutes}, '${s.kind}')`)
      .join(",");
    await db.run(`INSERT INTO audit_sessions VALUES ${values}`);
  }
}

async function loadKeyValues(db: DuckSession, table: string, ddl: string, rows: readonly (readonly string[])[]): Promise<void> {
  await db.run(`CREATE OR REPLACE TEMP TABLE ${table} (${ddl})`);
  for (let start = 0; start < rows.length; start += SESSION_CHUNK) {
    const values = rows.slice(start, start + SESSION_CHUNK).map((row) => `(${row.map(sqlString).join(", ")})`).join(",");
    if (values !== "") await db.run(`INSERT INTO ${table} VALUES ${values}`);
  }
}

/** Normalises the raw Parquet to (symbol, bar_date, bar_ms) whatever the time column's type. */
async function loadRaw(db: DuckSession, target: AuditTarget, paths: readonly string[]): Promise<void> {
  if (paths.length === 0) {
    await db.run("CREATE OR REPLACE TEMP VIEW raw_norm AS SELECT NULL::VARCHAR AS symbol, NULL::DATE AS bar_date, NULL::BIGINT AS bar_ms WHERE false");
    return;
  }
  const files = `read_parquet([${paths.map(sqlString).join(", ")}], union_by_name = true, hive_partitioning = false)`;
  const symbol = target.columns?.symbol ?? "symbol";
  const column = target.granularity === "daily" ? (target.columns?.date ?? "date") : (target.columns?.time ?? "bar_time");
  const described = await db.rowsJs(`DESCRIBE SELECT "${column}" FROM ${files}`).catch((cause: unknown) => {
    throw new UsageError("audit_column_missing", `raw table ${target.lakeTable} has no column "${column}" (set the target's columns)`, { cause });
  });
  const type = String(described[0]?.["column_type"] ?? "");
  const quoted = `"${column.replaceAll('"', '""')}"`;
  const symbolExpr = `CAST("${symbol.replaceAll('"', '""')}" AS VARCHAR)`;
  if (target.granularity === "daily") {
    await db.run(`CREATE OR REPLACE TEMP VIEW raw_norm AS SELECT ${symbolExpr} AS symbol, TRY_CAST(${quoted} AS DATE) AS bar_date, NULL::BIGINT AS bar_ms FROM ${files}`);
    return;
  }
  const ms = /^(BIGINT|INTEGER|HUGEINT|UBIGINT|DOUBLE)$/.test(type) ? `CAST(${quoted} AS BIGINT)` : `epoch_ms(${quoted})`;
  await db.run(`CREATE OR REPLACE TEMP VIEW raw_norm AS SELECT ${symbolExpr} AS symbol, NULL::DATE AS bar_date, ${ms} AS bar_ms FROM ${files}`);
}

async function setVariables(db: DuckSession, values: Record<string, string>): Promise<void> {
  for (const [name, expression] of Object.entries(values)) await db.run(`SET VARIABLE ${name} = ${expression}`);
}

async function digest(db: DuckSession, table: string): Promise<string> {
  const rows = await db.rowsJs(
    `SELECT count(*) AS n, coalesce(bit_xor(hash(symbol, session, rows, raw_rows, expected, status, reasons, partition_fp)), 0)::VARCHAR AS h FROM ${table}`,
  );
  return `${String(rows[0]?.["n"])}:${String(rows[0]?.["h"])}`;
}

async function inspectGreen(db: DuckSession, inspect: NonNullable<RunAuditOptions["inspect"]>): Promise<Record<string, IsoDate[]>> {
  const out: Record<string, IsoDate[]> = Object.fromEntries(inspect.symbols.map((symbol) => [symbol, []]));
  if (inspect.symbols.length === 0) return out;
  const rows = await db.rowsJs(
    `SELECT symbol, strftime(session, '%Y-%m-%d') AS session FROM ledger_next
     WHERE status = 'GREEN' AND symbol IN (${inspect.symbols.map(sqlString).join(", ")})
       AND session BETWEEN DATE '${inspect.from}' AND DATE '${inspect.to}' ORDER BY symbol, session`,
  );
  for (const row of rows) out[String(row["symbol"])]?.push(String(row["session"]));
  return out;
}

function qcKey(qc: QcThresholds): string {
  return `${qc.greenMinRatio}/${qc.rowsLowRatio}/${qc.rowsHighRatio}/${qc.halfDaysAllowed}`;
}

function countsOf(part: PartFile): Record<PartitionStatus, number> | undefined {
  const counts = part.ledger?.counts;
  return counts === undefined ? undefined : { GREEN: counts.green, AMBER: counts.amber, RED: counts.red };
}

/**
 * The raw dataset's parts: its manifest's file list. A table without a manifest has no data: parts that were
 * uploaded but never committed are orphans and must never be read (DESIGN.md "The lake protocol").
 */
export async function rawPartsOf(store: ObjectStore, lakeTable: string, signal?: AbortSignal): Promise<PartFile[]> {
  const manifest = await readManifest(store, lakeTable, signal === undefined ? {} : { signal });
  return [...(manifest?.files ?? [])];
}

/**
 * Audits one raw dataset and commits its ledger part when it changed. If another writer replaced the same
 * ledger part meanwhile, the commit is refused (replace_conflict) and the audit is redone on the new ledger.
 */
export async function auditTarget(store: ObjectStore, target: AuditTarget, options: RunAuditOptions = {}): Promise<TargetAuditResult> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await auditTargetOnce(store, target, options);
    } catch (error) {
      if (!(error instanceof DataError && error.code === "replace_conflict") || attempt >= 5) throw error;
    }
  }
}

/** What an audit may rate: sessions through the requested one, never past the last finished session before now. */
export function auditThrough(requested: IsoDate | undefined, now: Date): IsoDate {
  const finished = defaultThrough(now);
  return requested === undefined || requested > finished ? finished : requested;
}

function sumCounts(counts: readonly Record<PartitionStatus, number>[]): Record<PartitionStatus, number> {
  return counts.reduce((sum, c) => ({ GREEN: sum.GREEN + c.GREEN, AMBER: sum.AMBER + c.AMBER, RED: sum.RED + c.RED }), { GREEN: 0, AMBER: 0, RED: 0 });
}

/** Symbols whose span reaches the last session before `rangeFirst`, read from the ledger part holding it. */
async function loadAliveIn(db: DuckSession, paths: readonly string[], rangeFirst: IsoDate): Promise<void> {
  await db.run("CREATE OR REPLACE TEMP TABLE alive_in (symbol VARCHAR)");
  if (paths.length === 0) return;
  await db.run(`INSERT INTO alive_in
    WITH before AS (SELECT symbol, session FROM read_parquet([${paths.map(sqlString).join(", ")}], hive_partitioning = false) WHERE session < DATE '${rangeFirst}')
    SELECT DISTINCT symbol FROM before WHERE session = (SELECT max(session) FROM before)`);
}

async function yearDigest(db: DuckSession, table: string, year: number): Promise<string> {
  return digest(db, `(SELECT * FROM ${table} WHERE year(session) = ${year})`);
}

async function auditTargetOnce(store: ObjectStore, target: AuditTarget, options: RunAuditOptions): Promise<TargetAuditResult> {
  const qc = options.qc ?? DEFAULT_QC;
  validateQc(qc);
  const now = options.now?.() ?? new Date();
  // Sessions that have not finished yet are never rated: they would all come out RED.
  const through = auditThrough(options.through, now);
  const signal = options.signal;
  const full = options.symbolEnd !== undefined;
  const base = { source: target.source, table: target.table, through };

  const rawParts = await rawPartsOf(store, target.lakeTable, signal);
  const column = target.granularity === "daily" ? (target.columns?.date ?? "date") : (target.columns?.time ?? "bar_time");
  // Parts are placed by year from their bounds alone; per-session fingerprints are derived below only for the
  // parts of the years this run re-derives, so a daily run's cost does not grow with the years of history.
  const index = indexPartsByYear(rawParts, column, through);
  const { parts: ledgerFiles } = await ledgerParts(store, signal);
  const existing = ledgerPartsOf(ledgerFiles, target.source, target.table);
  const firstYear = Math.min(
    yearOf(through),
    index.unplaced.length > 0 ? yearOf(CALENDAR_FIRST_DATE) : Number.POSITIVE_INFINITY,
    ...index.partsByYear.keys(),
    ...existing.byYear.keys(),
    ...(existing.legacy === undefined ? [] : [yearOf(String(existing.legacy.min?.["session"] ?? through))]),
  );
  const plan = planYears({ firstYear, through, index, qcKey: qcKey(qc), existing, full });
  const keptCounts = [...existing.byYear].filter(([year]) => !plan.years.includes(year) && year <= yearOf(through)).map(([, part]) => countsOf(part) ?? { GREEN: 0, AMBER: 0, RED: 0 });

  // Fast path: every year's recorded inputs match, so the ledger would come out identical; nothing is read.
  if (plan.years.length === 0 && plan.stale.length === 0) {
    return { ...base, sessionsReaudited: 0, partsRead: 0, partsPlaced: 0, committed: false, ledgerSeq: undefined, counts: sumCounts(keptCounts) };
  }

  const firstRederived = plan.years[0] ?? yearOf(through) + 1;
  const rangeFirst: IsoDate = `${firstRederived}-01-01` < CALENDAR_FIRST_DATE ? CALENDAR_FIRST_DATE : `${firstRederived}-01-01`;
  const replaced = existing.legacy !== undefined ? [existing.legacy] : plan.years.flatMap((year) => existing.byYear.get(year) ?? []);
  const scratch = await scratchDir();
  const db = await DuckSession.create({ kernels: false, ...options.duckdb, tempDirectory: join(scratch.path, "spill") });
  try {
    await loadLedgerTable(db, "previous_ledger", await downloadParts(store, replaced.map((part) => part.key), join(scratch.path, "previous"), signal));
    await db.run(`DELETE FROM previous_ledger WHERE session < DATE '${rangeFirst}'`);
    const before = existing.legacy ?? existing.byYear.get(firstRederived - 1);
    await loadAliveIn(db, full || before === undefined ? [] : await downloadParts(store, [before.key], join(scratch.path, "before"), signal), rangeFirst);

    const recordedRows = await db.rowsJs("SELECT strftime(session, '%Y-%m-%d') AS d, any_value(partition_fp) AS fp FROM previous_ledger WHERE rows > 0 GROUP BY session");
    const recorded = new Map(recordedRows.map((row) => [String(row["d"]), String(row["fp"])]));
    // The parts holding a session of a re-derived year (a part spanning a year boundary is placed whole).
    const rederived = [...new Set(plan.years.flatMap((year) => index.filesByYear.get(year) ?? []))];
    const placement = partitionDates(rederived, column);
    // Only sessions can hold ledger rows; a weekend or holiday inside a part's date range must not stay "dirty".
    const inRange = new Map([...placement.fingerprints].filter(([date]) => date >= rangeFirst && date <= through && isSession(date)));
    // A part whose dates are unknown (no `date=` key segment, no statistics) could hold any session: re-read
    // every session, with a fingerprint that still only changes when the set of parts changes.
    const unplacedFp = index.unplaced.length > 0 ? createHash("sha256").update([...index.unplaced].sort().join("\n")).digest("hex").slice(0, 24) : undefined;
    const dirty = unplacedFp === undefined ? dirtyDates(inRange, recorded) : rangeFirst > through ? [] : calendarSessions(rangeFirst, through).map((session) => session.date);
    const fingerprintOf = (date: string): string => (unplacedFp === undefined ? (inRange.get(date) ?? "") : `${inRange.get(date) ?? ""}+${unplacedFp}`);

    const partKeys = new Set<string>(index.unplaced);
    for (const date of dirty) for (const key of placement.partsByDate.get(date) ?? []) partKeys.add(key);
    const rawPaths = await downloadParts(store, [...partKeys].sort(), scratch.path, signal);

    await loadSessions(db, rangeFirst, through);
    await loadKeyValues(db, "dirty", "session DATE, partition_fp VARCHAR", dirty.map((date) => [date, fingerprintOf(date)]));
    await loadKeyValues(db, "symbol_end", "symbol VARCHAR, last_session DATE", Object.entries(options.symbolEnd ?? {}));
    await loadRaw(db, target, rawPaths);
    // Carry mode: the previous ledger was rated with these thresholds and without end dates, so its verdicts
    // outside the re-read sessions still hold and only new rows need deriving (see partition_status.sql).
    const previousLast = String((await db.rowsJs("SELECT coalesce(strftime(max(session), '%Y-%m-%d'), '') AS last FROM previous_ledger"))[0]?.["last"] ?? "");
    const carry = !full && unplacedFp === undefined && previousLast !== "" && replaced.every((part) => part.ledger?.qc === qcKey(qc));
    await setVariables(db, {
      carry: carry ? "true" : "false",
      previous_last: previousLast === "" ? "DATE '1900-01-01'" : `DATE '${previousLast}'`,
      range_first: `DATE '${rangeFirst}'`,
      source: sqlString(target.source),
      table_name: sqlString(target.table),
      granularity: sqlString(target.granularity),
      through: `DATE '${through}'`,
      audited_at: `TIMESTAMP '${now.toISOString().replace("T", " ").replace("Z", "")}'`,
      green_min_ratio: String(qc.greenMinRatio),
      rows_low_ratio: String(qc.rowsLowRatio),
      rows_high_ratio: String(qc.rowsHighRatio),
      half_days_allowed: qc.halfDaysAllowed ? "true" : "false",
    });
    await db.runFile("audit/count_raw_partitions");
    await db.runFile("audit/partition_status");
    const inspected = options.inspect === undefined ? undefined : await inspectGreen(db, options.inspect);

    const byYear = await db.rowsJs(
      `SELECT year(session)::INTEGER AS y, count(*) FILTER (status = 'GREEN')::INTEGER AS g, count(*) FILTER (status = 'AMBER')::INTEGER AS a,
              count(*) FILTER (status = 'RED')::INTEGER AS r, strftime(min(session), '%Y-%m-%d') AS lo, strftime(max(session), '%Y-%m-%d') AS hi
       FROM ledger_next GROUP BY ALL`,
    );
    const yearRows = new Map(byYear.map((row) => [Number(row["y"]), row]));
    const parts = new PartWriter({ session: db, store, scratchDir: scratch.path, ...(signal === undefined ? {} : { signal }) });
    const add: PartFile[] = [];
    const remove = new Set(plan.stale.map((part) => part.key));
    if (existing.legacy !== undefined) remove.add(existing.legacy.key);
    const newCounts: Record<PartitionStatus, number>[] = [];
    for (const year of plan.years) {
      const row = yearRows.get(year);
      const counts: Record<PartitionStatus, number> = { GREEN: Number(row?.["g"] ?? 0), AMBER: Number(row?.["a"] ?? 0), RED: Number(row?.["r"] ?? 0) };
      newCounts.push(counts);
      const previous = existing.byYear.get(year);
      const inputs = full ? null : (plan.inputs.get(year) ?? null);
      const unchanged = existing.legacy === undefined && (await yearDigest(db, "ledger_next", year)) === (await yearDigest(db, "previous_ledger", year));
      // An unchanged year is still re-committed when what it records about its inputs is stale, so that the
      // next run can take the no-op path again (a run with end dates records none).
      if (unchanged && (previous === undefined || full || previous.ledger?.inputs === inputs)) continue;
      if (previous !== undefined) remove.add(previous.key);
      if (row === undefined) continue;
      add.push(
        await parts.writeQuery(`SELECT * FROM ledger_next WHERE year(session) = ${year} ORDER BY symbol, session`, {
          folder: `${LEDGER_TABLE}/source=${target.source}/table=${target.table}/year=${year}`,
          facts: {
            rows: counts.GREEN + counts.AMBER + counts.RED,
            min: { source: target.source, table_name: target.table, session: String(row["lo"]) },
            max: { source: target.source, table_name: target.table, session: String(row["hi"]) },
          },
          ledger: { year, inputs, qc: full ? null : qcKey(qc), counts: { green: counts.GREEN, amber: counts.AMBER, red: counts.RED } },
        }),
      );
    }
    const counts = sumCounts([...keptCounts, ...newCounts]);
    const result = { ...base, sessionsReaudited: dirty.length, partsRead: rawPaths.length, partsPlaced: rederived.length, counts, ...(inspected === undefined ? {} : { inspected }) };
    if (add.length === 0 && remove.size === 0) return { ...result, committed: false, ledgerSeq: undefined };
    options.lease?.assertHeld();
    const manifest = await parts.commit(LEDGER_TABLE, remove.size === 0 ? { kind: "append", add } : { kind: "replace", add, remove: [...remove] }, {
      ...(options.writer === undefined ? {} : { writer: options.writer }),
    });
    return { ...result, committed: true, ledgerSeq: manifest.seq };
  } finally {
    db.close();
    await scratch.dispose();
  }
}

/** Audits several datasets in order (one ledger commit each, when changed). */
export async function runAudit(store: ObjectStore, targets: readonly AuditTarget[], options: RunAuditOptions = {}): Promise<TargetAuditResult[]> {
  const results: TargetAuditResult[] = [];
  for (const target of targets) {
    options.signal?.throwIfAborted();
    results.push(await auditTarget(store, target, options));
  }
  return results;
}
