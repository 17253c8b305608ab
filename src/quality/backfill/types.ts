/** Shapes of the backfill queue: what to fill (targets), the planned tasks, and what a run did. */
import type { IsoDate } from "../../domain/calendar/index.ts";
import type { CorporateActionRow, EquityBarRow } from "../../vendors/rows.ts";
import type { Granularity, QcThresholds } from "../audit/types.ts";

/**
 * How a dataset's completeness is known: bars per session are audited into the partition_status ledger;
 * "events" (corporate actions) are sparse, so a range is complete once the vendor has answered for it;
 * "chains" (option chains) are served for the latest session only, so a past session the lake does not hold
 * is unavailable from every free vendor: marked so without a request, never asked for again.
 */
export type BackfillGranularity = Granularity | "events" | "chains";

/** One raw dataset the backfill keeps complete back to `earliest` (configs/backfill.yml `targets`). */
export interface BackfillTarget {
  /** Vendor that serves it, e.g. "alpaca". */
  readonly source: string;
  /** Table as in configs/backfill.yml, e.g. "equities_eod". */
  readonly table: string;
  /** Lake table of the raw parts, e.g. "raw/alpaca/equities_eod". */
  readonly lakeTable: string;
  readonly granularity: BackfillGranularity;
  /** Higher runs first (configs/backfill.yml `priorities`: corp actions 100, daily 90, minute 80, ...). */
  readonly priority: number;
  readonly earliest: IsoDate;
  /** Calendar days per task. */
  readonly chunkDays: number;
  readonly symbols: readonly string[];
  /**
   * Symbols fetched together when their ranges coincide (default 1). Alpaca's bars endpoint takes many
   * symbols per request, so a batch spends one request of the budget where single symbols would spend many.
   */
  readonly batchSize?: number;
}

export interface BackfillTask {
  readonly source: string;
  readonly table: string;
  readonly lakeTable: string;
  readonly granularity: BackfillGranularity;
  readonly priority: number;
  /** Symbols fetched together (same range), sorted. */
  readonly symbols: readonly string[];
  /** Inclusive calendar dates. */
  readonly start: IsoDate;
  readonly end: IsoDate;
  /** "history": before the first session we hold; "gap": RED or short sessions inside what we hold. */
  readonly kind: "history" | "gap";
  /** NYSE sessions inside [start, end]. */
  readonly sessions: number;
}

export type FetchedRows =
  | { readonly kind: "bars"; readonly rows: readonly EquityBarRow[]; readonly rejected: number }
  | { readonly kind: "actions"; readonly rows: readonly CorporateActionRow[]; readonly rejected: number };

/** Fetches one task's rows from its vendor (through the shared rate governor). */
export type BackfillFetcher = (task: BackfillTask, signal?: AbortSignal) => Promise<FetchedRows>;

export interface BackfillOptions {
  readonly targets: readonly BackfillTarget[];
  /** The fetcher for a target; the CLI builds them from the vendor connectors. */
  readonly fetcherFor: (target: BackfillTarget) => BackfillFetcher;
  /** Lease holder name (node id). */
  readonly holder: string;
  /** Last session to consider (default: the session before today, UTC). */
  readonly through?: IsoDate;
  readonly qc?: QcThresholds;
  /** DuckDB memory limit and threads for the re-audits (configs/node.yml `duckdb`). */
  readonly duckdb?: { readonly memoryLimit?: string; readonly threads?: number };
  /** Stop after this many tasks (default: no limit; the vendor budgets stop the run). */
  readonly maxTasks?: number;
  /** Tasks fetched at once, within the vendor's pace (configs/backfill.yml `max_concurrency`; default 1). */
  readonly concurrency?: number;
  readonly leaseTtlMs?: number;
  readonly now?: () => Date;
  readonly signal?: AbortSignal;
  /** Called after each task (progress for the CLI). */
  readonly onTask?: (report: TaskReport) => void;
}

export interface TaskReport {
  readonly task: BackfillTask;
  readonly rows: number;
  readonly rejected: number;
  readonly partsWritten: number;
  /** (symbol, session) partitions of the task found GREEN / not GREEN after the re-audit. */
  readonly complete: number;
  readonly unavailable: number;
  /**
   * The vendor refused the task: `vendor_not_entitled` (the plan does not cover the range — marked unavailable,
   * never asked again) or a request/response error code (not marked; tried again on the next run).
   */
  readonly error?: string;
}

export type BackfillReport =
  | { readonly ran: false; readonly heldBy: string | undefined }
  | {
      readonly ran: true;
      readonly planned: number;
      readonly tasks: readonly TaskReport[];
      /** Why the run ended before the plan did, if it did. */
      readonly stoppedBy: "budget" | "max_tasks" | undefined;
      readonly budgetVendor?: string;
    };
