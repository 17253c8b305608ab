/**
 * Questions asked of the partition_status ledger: coverage per table, the GREEN-window readiness gate that
 * training uses ("15 years at >= 0.98"), and the ledger rows themselves (for backfill and tests).
 */
import { countSessions, parseIsoDate, sessions as calendarSessions, type IsoDate } from "../../domain/calendar/index.ts";
import { UsageError } from "../../domain/errors.ts";
import type { ObjectStore } from "../../lake/types.ts";
import { DuckSession, sqlString } from "../../db/session.ts";
import { loadWholeLedger, scratchDir } from "./ledger.ts";
import type { CoverageSummary, PartitionReason, PartitionStatus, PartitionStatusRow } from "./types.ts";

/** Runs `work` against the whole ledger loaded as the DuckDB table `partition_status`. */
export async function withLedger<T>(store: ObjectStore, work: (db: DuckSession) => Promise<T>, signal?: AbortSignal): Promise<T> {
  const scratch = await scratchDir();
  const db = await DuckSession.create({ kernels: false });
  try {
    await loadWholeLedger(store, db, scratch.path, signal);
    return await work(db);
  } finally {
    db.close();
    await scratch.dispose();
  }
}

export interface LedgerFilter {
  readonly source?: string;
  readonly table?: string;
  readonly symbol?: string;
  readonly statuses?: readonly PartitionStatus[];
  readonly from?: IsoDate;
  readonly to?: IsoDate;
}

function whereClause(filter: LedgerFilter): string {
  const clauses = ["true"];
  if (filter.source !== undefined) clauses.push(`source = ${sqlString(filter.source)}`);
  if (filter.table !== undefined) clauses.push(`table_name = ${sqlString(filter.table)}`);
  if (filter.symbol !== undefined) clauses.push(`symbol = ${sqlString(filter.symbol)}`);
  if (filter.statuses !== undefined) clauses.push(`status IN (${filter.statuses.map(sqlString).join(", ") || "NULL"})`);
  if (filter.from !== undefined) clauses.push(`session >= DATE '${isoOrThrow(filter.from)}'`);
  if (filter.to !== undefined) clauses.push(`session <= DATE '${isoOrThrow(filter.to)}'`);
  return clauses.join(" AND ");
}

function isoOrThrow(date: string): string {
  parseIsoDate(date);
  return date;
}

/** Ledger rows matching `filter`, ordered by source, table, symbol, session. */
export async function readLedgerRows(store: ObjectStore, filter: LedgerFilter = {}, signal?: AbortSignal): Promise<PartitionStatusRow[]> {
  return withLedger(
    store,
    async (db) => {
      const rows = await db.rowsJs(
        `SELECT source, table_name, symbol, strftime(session, '%Y-%m-%d') AS session, rows, raw_rows, duplicates, expected, ratio, status, reasons
         FROM partition_status WHERE ${whereClause(filter)} ORDER BY source, table_name, symbol, session`,
      );
      return rows.map((row) => ({
        source: String(row["source"]),
        table: String(row["table_name"]),
        symbol: String(row["symbol"]),
        session: String(row["session"]),
        rows: Number(row["rows"]),
        rawRows: Number(row["raw_rows"]),
        duplicates: Number(row["duplicates"]),
        expected: Number(row["expected"]),
        ratio: Number(row["ratio"]),
        status: String(row["status"]) as PartitionStatus,
        reasons: (Array.isArray(row["reasons"]) ? row["reasons"] : []).map((reason) => String(reason) as PartitionReason),
      }));
    },
    signal,
  );
}

/** Distinct symbols in the ledger (optionally of some tables), sorted — without loading every row into JS. */
export async function ledgerSymbols(store: ObjectStore, tables?: readonly string[], signal?: AbortSignal): Promise<string[]> {
  return withLedger(
    store,
    async (db) => {
      const where = tables === undefined ? "true" : `table_name IN (${tables.map(sqlString).join(", ") || "NULL"})`;
      const rows = await db.rowsJs(`SELECT DISTINCT symbol FROM partition_status WHERE ${where} ORDER BY symbol`);
      return rows.map((row) => String(row["symbol"]));
    },
    signal,
  );
}

/** GREEN / AMBER / RED counts per (source, table). */
export async function coverageSummary(store: ObjectStore, filter: LedgerFilter = {}, signal?: AbortSignal): Promise<CoverageSummary[]> {
  return withLedger(
    store,
    async (db) => {
      const rows = await db.rowsJs(`
        SELECT source, table_name, count(DISTINCT symbol)::INTEGER AS symbols, count(*)::INTEGER AS partitions,
               count(*) FILTER (WHERE status = 'GREEN')::INTEGER AS green,
               count(*) FILTER (WHERE status = 'AMBER')::INTEGER AS amber,
               count(*) FILTER (WHERE status = 'RED')::INTEGER AS red,
               strftime(min(session), '%Y-%m-%d') AS first_session, strftime(max(session), '%Y-%m-%d') AS last_session
        FROM partition_status WHERE ${whereClause(filter)}
        GROUP BY source, table_name ORDER BY source, table_name`);
      return rows.map((row) => {
        const partitions = Number(row["partitions"]);
        const green = Number(row["green"]);
        return {
          source: String(row["source"]),
          table: String(row["table_name"]),
          symbols: Number(row["symbols"]),
          partitions,
          green,
          amber: Number(row["amber"]),
          red: Number(row["red"]),
          greenShare: partitions === 0 ? 0 : green / partitions,
          firstSession: row["first_session"] === null ? undefined : String(row["first_session"]),
          lastSession: row["last_session"] === null ? undefined : String(row["last_session"]),
        };
      });
    },
    signal,
  );
}

export interface GreenWindowOptions {
  readonly table: string;
  /** Years of history that must be GREEN (backfill.yml horizons.<table>.train_window_years). */
  readonly years: number;
  /** Share of GREEN partitions required in the window (backfill.yml qc.green_min_ratio). */
  readonly minRatio: number;
  /** Last session of the window (default: the ledger's last session for the table). */
  readonly through?: IsoDate;
  /** Restrict to these symbols (default: every symbol in the ledger for the table). */
  readonly symbols?: readonly string[];
}

export interface GreenWindowResult {
  readonly ok: boolean;
  readonly table: string;
  readonly from: IsoDate;
  readonly through: IsoDate;
  /** Sessions in the window per the calendar. */
  readonly sessions: number;
  /** Expected (symbol, session) partitions in the window and how many are GREEN. */
  readonly partitions: number;
  readonly green: number;
  readonly greenShare: number;
  /** First session the ledger holds for the table. */
  readonly historyStart: IsoDate | undefined;
  /** Human-readable reasons when not ok. */
  readonly reasons: readonly string[];
}

function yearsBefore(date: IsoDate, years: number): IsoDate {
  const [y, m, d] = date.split("-").map(Number);
  const shifted = new Date(Date.UTC((y ?? 0) - years, (m ?? 1) - 1, d ?? 1));
  return shifted.toISOString().slice(0, 10);
}

/**
 * The data-readiness gate: over the last `years` years up to `through`, the share of (symbol, session)
 * partitions that are GREEN must be at least `minRatio`, and the table's history must reach back to the
 * window's start. A partition counts GREEN when any source is GREEN for it (curation merges sources). A session
 * the ledger has no row for, inside a symbol's span, counts as not GREEN.
 */
export async function greenWindow(store: ObjectStore, options: GreenWindowOptions, signal?: AbortSignal): Promise<GreenWindowResult> {
  if (!(options.years > 0) || !(options.minRatio > 0 && options.minRatio <= 1)) {
    throw new UsageError("bad_green_window", `green window needs years > 0 and 0 < min_ratio <= 1 (got ${options.years}, ${options.minRatio})`);
  }
  return withLedger(
    store,
    async (db) => {
      const table = sqlString(options.table);
      const symbolFilter = options.symbols === undefined ? "" : ` AND symbol IN (${options.symbols.map(sqlString).join(", ") || "NULL"})`;
      const span = await db.rowsJs(
        `SELECT strftime(min(session), '%Y-%m-%d') AS lo, strftime(max(session), '%Y-%m-%d') AS hi FROM partition_status WHERE table_name = ${table}${symbolFilter}`,
      );
      const historyStart = span[0]?.["lo"] === null || span[0]?.["lo"] === undefined ? undefined : String(span[0]["lo"]);
      const lastInLedger = span[0]?.["hi"] === null || span[0]?.["hi"] === undefined ? undefined : String(span[0]["hi"]);
      const through = options.through ?? lastInLedger;
      if (through === undefined || historyStart === undefined) {
        const when = options.through ?? "";
        return { ok: false, table: options.table, from: when, through: when, sessions: 0, partitions: 0, green: 0, greenShare: 0, historyStart, reasons: [`the ledger has no partitions for ${options.table}; run \`trademl audit\``] };
      }
      const from = yearsBefore(through, options.years);
      const windowSessions = calendarSessions(from, through);
      const firstInWindow = windowSessions[0]?.date ?? from;
      const counts = await db.rowsJs(`
        WITH per_partition AS (
          SELECT symbol, session, bool_or(status = 'GREEN') AS green
          FROM partition_status
          WHERE table_name = ${table}${symbolFilter} AND session BETWEEN DATE '${firstInWindow}' AND DATE '${through}'
          GROUP BY symbol, session
        ),
        spans AS (
          SELECT symbol, min(session) AS lo, max(session) AS hi FROM per_partition GROUP BY symbol
        )
        SELECT (SELECT count(*) FILTER (WHERE green) FROM per_partition)::INTEGER AS green,
               (SELECT count(*) FROM per_partition)::INTEGER AS present,
               (SELECT list(strftime(lo, '%Y-%m-%d') || '|' || strftime(hi, '%Y-%m-%d')) FROM spans) AS spans`);
      const green = Number(counts[0]?.["green"] ?? 0);
      const present = Number(counts[0]?.["present"] ?? 0);
      // Sessions inside a symbol's span with no ledger row at all are gaps too (e.g. an un-audited partition).
      let expected = 0;
      for (const span of (counts[0]?.["spans"] as unknown[] | null) ?? []) {
        const [lo, hi] = String(span).split("|");
        if (lo !== undefined && hi !== undefined) expected += countSessions(lo, hi);
      }
      const partitions = Math.max(expected, present);
      const greenShare = partitions === 0 ? 0 : green / partitions;
      const reasons: string[] = [];
      if (historyStart > firstInWindow) {
        reasons.push(`history starts ${historyStart}, after the window start ${firstInWindow} (${options.years} years before ${through})`);
      }
      if (greenShare < options.minRatio) {
        reasons.push(`GREEN share ${greenShare.toFixed(4)} is below ${options.minRatio} (${green} of ${partitions} partitions)`);
      }
      return {
        ok: reasons.length === 0,
        table: options.table,
        from: firstInWindow,
        through,
        sessions: windowSessions.length,
        partitions,
        green,
        greenShare,
        historyStart,
        reasons,
      };
    },
    signal,
  );
}

