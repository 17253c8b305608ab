/**
 * `trademl audit`: builds the partition_status ledger for raw datasets, incrementally. Only sessions whose raw
 * parts changed since the last audit (fingerprints.ts) are re-read; the rest of the ledger is carried over, the
 * missing sessions are re-derived from the calendar, and a new ledger part is committed only when the content
 * changed — so re-running an audit over an unchanged lake writes nothing.
 */
import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
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
import { newPartKey } from "../../lake/keys.ts";
import { commitChange, readManifest } from "../../lake/manifest.ts";
import type { LeaseHandle, ObjectStore, PartFile } from "../../lake/types.ts";
import { DuckSession, sqlString } from "../../db/session.ts";
import { dirtyDates, partitionDates } from "./fingerprints.ts";
import { downloadParts, LEDGER_TABLE, ledgerPartOf, ledgerParts, loadLedgerTable, scratchDir } from "./ledger.ts";
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

/** A digest of everything the ledger of one dataset depends on besides the raw bytes themselves. */
function inputsDigest(placement: { fingerprints: ReadonlyMap<string, string>; unplaced: readonly string[] }, through: IsoDate, qc: QcThresholds): string {
  const hash = createHash("sha256");
  const lastSession = isSession(through) ? through : previousSession(through);
  hash.update(`through=${lastSession}\nqc=${qcKey(qc)}\n`);
  for (const [date, fingerprint] of [...placement.fingerprints].sort(([a], [b]) => a.localeCompare(b))) hash.update(`${date}=${fingerprint}\n`);
  for (const key of [...placement.unplaced].sort()) hash.update(`unplaced=${key}\n`);
  return hash.digest("hex").slice(0, 32);
}

function countsOf(part: PartFile): Record<PartitionStatus, number> | undefined {
  const read = (name: string): number | undefined => {
    const value = part.min?.[name];
    return typeof value === "number" ? value : undefined;
  };
  const green = read("green");
  const amber = read("amber");
  const red = read("red");
  return green === undefined || amber === undefined || red === undefined ? undefined : { GREEN: green, AMBER: amber, RED: red };
}

/**
 * The raw dataset's parts: its manifest's file list when the table has manifests, else the Parquet files listed
 * under `<lakeTable>/` (raw parts are immutable and uniquely named, so the key identifies the content).
 */
export async function rawPartsOf(store: ObjectStore, lakeTable: string, signal?: AbortSignal): Promise<PartFile[]> {
  const manifest = await readManifest(store, lakeTable, signal === undefined ? {} : { signal });
  if (manifest !== undefined) return [...manifest.files];
  const parts: PartFile[] = [];
  for await (const entry of store.list(`${lakeTable}/`, signal === undefined ? {} : { signal })) {
    if (!entry.key.endsWith(".parquet")) continue;
    parts.push({ key: entry.key, rows: 0, bytes: entry.size, etag: entry.etag ?? `${entry.size}-${entry.lastModified.getTime()}` });
  }
  return parts;
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

async function auditTargetOnce(store: ObjectStore, target: AuditTarget, options: RunAuditOptions): Promise<TargetAuditResult> {
  const qc = options.qc ?? DEFAULT_QC;
  validateQc(qc);
  const now = options.now?.() ?? new Date();
  const through = options.through ?? defaultThrough(now);
  const signal = options.signal;

  const rawParts = await rawPartsOf(store, target.lakeTable, signal);
  const column = target.granularity === "daily" ? (target.columns?.date ?? "date") : (target.columns?.time ?? "bar_time");
  const placement = partitionDates(rawParts, column);
  const { parts: ledgerFiles } = await ledgerParts(store, signal);
  const previousPart = ledgerPartOf(ledgerFiles, target.source, target.table);

  // Fast path: the ledger part records what it was built from (the raw fingerprints, the last session, the
  // thresholds). When all three are unchanged the ledger would come out identical, so nothing is read at all.
  const inputs = inputsDigest(placement, through, qc);
  const recordedCounts = previousPart?.min?.["inputs"] === inputs && options.symbolEnd === undefined ? countsOf(previousPart) : undefined;
  if (recordedCounts !== undefined) {
    return { source: target.source, table: target.table, sessionsReaudited: 0, partsRead: 0, committed: false, ledgerSeq: undefined, counts: recordedCounts };
  }

  const scratch = await scratchDir();
  const db = await DuckSession.create({ kernels: false, ...options.duckdb, tempDirectory: join(scratch.path, "spill") });
  try {
    const previousPaths = previousPart === undefined ? [] : await downloadParts(store, [previousPart.key], join(scratch.path), signal);
    await loadLedgerTable(db, "previous_ledger", previousPaths);

    const recordedRows = await db.rowsJs("SELECT strftime(session, '%Y-%m-%d') AS d, any_value(partition_fp) AS fp FROM previous_ledger WHERE rows > 0 GROUP BY session");
    const recorded = new Map(recordedRows.map((row) => [String(row["d"]), String(row["fp"])]));
    // Only sessions can hold ledger rows; a weekend or holiday inside a part's date range must not stay "dirty".
    const inRange = (date: string): boolean => date >= CALENDAR_FIRST_DATE && date <= through && isSession(date);
    const current = new Map([...placement.fingerprints].filter(([date]) => inRange(date)));
    // A part whose dates are unknown (no `date=` key segment, no statistics) could hold any session: re-read
    // every session, with a fingerprint that still only changes when the set of parts changes.
    const unplacedFp = placement.unplaced.length > 0 ? createHash("sha256").update([...placement.unplaced].sort().join("\n")).digest("hex").slice(0, 24) : undefined;
    const knownDates = [...current.keys(), ...recorded.keys()].sort();
    const firstDate = unplacedFp === undefined ? (knownDates[0] ?? through) : CALENDAR_FIRST_DATE;
    const dirty =
      unplacedFp === undefined
        ? dirtyDates(current, recorded)
        : firstDate > through ? [] : calendarSessions(firstDate, through).map((session) => session.date);
    const fingerprintOf = (date: string): string => (unplacedFp === undefined ? (current.get(date) ?? "") : `${current.get(date) ?? ""}+${unplacedFp}`);

    const partKeys = new Set<string>(placement.unplaced);
    for (const date of dirty) for (const key of placement.partsByDate.get(date) ?? []) partKeys.add(key);
    const rawPaths = await downloadParts(store, [...partKeys].sort(), scratch.path, signal);

    await loadSessions(db, firstDate, through);
    await loadKeyValues(db, "dirty", "session DATE, partition_fp VARCHAR", dirty.map((date) => [date, fingerprintOf(date)]));
    await loadKeyValues(db, "symbol_end", "symbol VARCHAR, last_session DATE", Object.entries(options.symbolEnd ?? {}));
    await loadRaw(db, target, rawPaths);
    // Carry mode: the previous ledger was rated with these thresholds and without end dates, so its verdicts
    // outside the re-read sessions still hold and only new rows need deriving (see partition_status.sql).
    const previousLast = String((await db.rowsJs("SELECT coalesce(strftime(max(session), '%Y-%m-%d'), '') AS last FROM previous_ledger"))[0]?.["last"] ?? "");
    const carry = previousPart?.min?.["qc"] === qcKey(qc) && options.symbolEnd === undefined && unplacedFp === undefined && previousLast !== "";
    await setVariables(db, {
      carry: carry ? "true" : "false",
      previous_last: previousLast === "" ? "DATE '1900-01-01'" : `DATE '${previousLast}'`,
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

    const countRows = await db.rowsJs("SELECT status, count(*)::INTEGER AS n FROM ledger_next GROUP BY status");
    const counts: Record<PartitionStatus, number> = { GREEN: 0, AMBER: 0, RED: 0 };
    for (const row of countRows) counts[String(row["status"]) as PartitionStatus] = Number(row["n"]);

    const inspected = options.inspect === undefined ? undefined : await inspectGreen(db, options.inspect);
    const unchanged = (await digest(db, "ledger_next")) === (await digest(db, "previous_ledger"));
    const total = counts.GREEN + counts.AMBER + counts.RED;
    // An unchanged ledger is still re-committed when what it records about its inputs is stale (e.g. new
    // thresholds that changed no verdict), so that the next run can take the no-op path again.
    const recordStale = options.symbolEnd === undefined && previousPart !== undefined && previousPart.min?.["inputs"] !== inputs;
    if (unchanged && !recordStale && (previousPart !== undefined || total === 0)) {
      return { source: target.source, table: target.table, sessionsReaudited: dirty.length, partsRead: rawPaths.length, committed: false, ledgerSeq: undefined, counts, ...(inspected === undefined ? {} : { inspected }) };
    }

    options.lease?.assertHeld();
    const localPath = join(scratch.path, "ledger-next.parquet");
    await db.run(`COPY ledger_next TO ${sqlString(localPath)} (FORMAT parquet, COMPRESSION zstd)`);
    const bounds = await db.rowsJs("SELECT strftime(min(session), '%Y-%m-%d') AS lo, strftime(max(session), '%Y-%m-%d') AS hi FROM ledger_next");
    const key = newPartKey(`${LEDGER_TABLE}/source=${target.source}/table=${target.table}`);
    const put = await store.putFile(key, localPath, { condition: { ifNoneMatch: "*" }, ...(signal === undefined ? {} : { signal }) });
    if (!put.ok) throw new UsageError("ledger_part_exists", `ledger part ${key} already exists; part names must be unique`);
    const size = (await stat(localPath)).size;
    const part: PartFile = {
      key,
      rows: total,
      bytes: size,
      etag: put.etag,
      min: {
        source: target.source,
        table_name: target.table,
        session: bounds[0]?.["lo"] === undefined ? null : String(bounds[0]["lo"]),
        inputs: options.symbolEnd === undefined ? inputs : null,
        qc: options.symbolEnd === undefined ? qcKey(qc) : null,
        green: counts.GREEN,
        amber: counts.AMBER,
        red: counts.RED,
      },
      max: { source: target.source, table_name: target.table, session: bounds[0]?.["hi"] === undefined ? null : String(bounds[0]["hi"]) },
    };
    const manifest = await commitChange(
      store,
      LEDGER_TABLE,
      previousPart === undefined ? { kind: "append", add: [part] } : { kind: "replace", add: [part], remove: [previousPart.key] },
      {
        ...(options.writer === undefined ? {} : { writer: options.writer }),
        ...(signal === undefined ? {} : { signal }),
      },
    );
    return { source: target.source, table: target.table, sessionsReaudited: dirty.length, partsRead: rawPaths.length, committed: true, ledgerSeq: manifest.seq, counts, ...(inspected === undefined ? {} : { inspected }) };
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
