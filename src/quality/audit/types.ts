/**
 * The partition_status ledger's shapes. One row per (source, table, symbol, session): how many rows the raw
 * lake holds for that symbol on that NYSE session, how many the calendar expects, and a GREEN/AMBER/RED verdict
 * with its reasons. Thresholds come from configs/backfill.yml `qc` (the CLI maps config onto QcThresholds).
 */
import type { IsoDate } from "../../domain/calendar/index.ts";

export type Granularity = "daily" | "minute";
export type PartitionStatus = "GREEN" | "AMBER" | "RED";

/**
 * Why a partition has the status it has. `early_close` / `late_open` are informational: the shortened session
 * was accounted for in `expected` (half_days_allowed).
 */
export type PartitionReason =
  | "missing_session"
  | "short_day"
  | "excess_rows"
  | "duplicates"
  | "early_close"
  | "late_open"
  | "half_day_not_allowed";

export interface QcThresholds {
  /** GREEN needs rows / expected at or above this (default 0.98). */
  readonly greenMinRatio: number;
  /** Below this the partition is RED; between it and greenMinRatio, AMBER (default 0.90). */
  readonly rowsLowRatio: number;
  /** Above this the partition is AMBER "excess_rows" (default 1.20). */
  readonly rowsHighRatio: number;
  /** Expect proportionally fewer minute bars on shortened sessions (default true). */
  readonly halfDaysAllowed: boolean;
}

export const DEFAULT_QC: QcThresholds = { greenMinRatio: 0.98, rowsLowRatio: 0.9, rowsHighRatio: 1.2, halfDaysAllowed: true };

/** One raw dataset to audit. */
export interface AuditTarget {
  /** Vendor or source name recorded in the ledger, e.g. "alpaca". */
  readonly source: string;
  /** Logical table as in configs/backfill.yml, e.g. "equities_minute". */
  readonly table: string;
  /** Lake table holding the raw parts, e.g. "raw/alpaca/equities_minute". */
  readonly lakeTable: string;
  readonly granularity: Granularity;
  /**
   * Column names in the raw Parquet. Daily data needs `symbol` and `date` (DATE or "YYYY-MM-DD");
   * minute data needs `symbol` and `time` (TIMESTAMP/TIMESTAMPTZ in UTC, or BIGINT epoch milliseconds).
   */
  readonly columns?: { readonly symbol?: string; readonly date?: string; readonly time?: string };
}

export interface AuditOptions {
  /** Last session that should be complete (default: the session before today, UTC). */
  readonly through?: IsoDate;
  readonly qc?: QcThresholds;
  /** Sessions after a symbol's end date (delisting) are not expected. */
  readonly symbolEnd?: Readonly<Record<string, IsoDate>>;
  /** Recorded in the ledger and the commit. */
  readonly writer?: string;
  /** DuckDB memory limit and threads (configs/node.yml `duckdb`). */
  readonly duckdb?: { readonly memoryLimit?: string; readonly threads?: number };
  /** Clock for `audited_at` (tests pin it). */
  readonly now?: () => Date;
  readonly signal?: AbortSignal;
}

/** A ledger row as returned to TypeScript callers. */
export interface PartitionStatusRow {
  readonly source: string;
  readonly table: string;
  readonly symbol: string;
  readonly session: IsoDate;
  /** Distinct bars inside the session's hours. */
  readonly rows: number;
  /** Bars before de-duplication. */
  readonly rawRows: number;
  readonly duplicates: number;
  readonly expected: number;
  readonly ratio: number;
  readonly status: PartitionStatus;
  readonly reasons: readonly PartitionReason[];
}

export interface TargetAuditResult {
  readonly source: string;
  readonly table: string;
  /** The last session audited: the one asked for, or the last finished session when that was in the future. */
  readonly through: IsoDate;
  /** Sessions whose raw parts were (re-)read this run. */
  readonly sessionsReaudited: number;
  /** Raw parts downloaded and scanned this run. */
  readonly partsRead: number;
  /**
   * Raw parts whose sessions were placed and fingerprinted this run: those of the years re-derived (0 on the
   * no-op path). A daily run places the current year's parts only, however long the history.
   */
  readonly partsPlaced: number;
  /** True when the ledger changed and a new manifest was committed. */
  readonly committed: boolean;
  readonly ledgerSeq: number | undefined;
  readonly counts: Readonly<Record<PartitionStatus, number>>;
  /** With `inspect`: symbol → its GREEN sessions in the range, from the ledger this run built (absent on the no-op path). */
  readonly inspected?: Readonly<Record<string, readonly IsoDate[]>>;
}

export interface CoverageSummary {
  readonly source: string;
  readonly table: string;
  readonly symbols: number;
  readonly partitions: number;
  readonly green: number;
  readonly amber: number;
  readonly red: number;
  readonly greenShare: number;
  readonly firstSession: IsoDate | undefined;
  readonly lastSession: IsoDate | undefined;
}
