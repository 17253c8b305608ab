/**
 * The tables curation reads and writes, by pass: the raw datasets it reads, the curated and quarantine tables it
 * commits, and the bookmark that remembers what it consumed. Daily bars and corporate actions first; minute bars
 * are adjusted with the factors the daily pass committed.
 */

/** Tables the daily pass writes (manifest table names). */
export const CURATE_TABLES = {
  adjusted: "curated/equities_ohlcv_adj",
  factors: "curated/adjustment_factors",
  actions: "curated/corporate_actions",
  delistings: "curated/delistings",
  barQuarantine: "quarantine/equities_bars",
  actionQuarantine: "quarantine/corporate_actions",
  disagreements: "qc/bar_disagreements",
} as const;

/** Tables of the minute-bar pass, adjusted with the daily pass's factors (`curated/adjustment_factors`). */
export const MINUTE_TABLES = {
  adjusted: "curated/equities_minute_adj",
  barQuarantine: "quarantine/equities_minute_bars",
  disagreements: "qc/minute_bar_disagreements",
} as const;

/** The bar tables a pass writes (each pass has an adjusted table, a bar quarantine and a disagreements record). */
export type BarTables = { readonly adjusted: string; readonly barQuarantine: string; readonly disagreements: string };

/** Raw datasets (`raw/<vendor>/<dataset>`) a pass reads. */
export interface CurateDatasets {
  readonly bars: readonly string[];
  readonly actions: readonly string[];
  readonly delistings: readonly string[];
}

export const DEFAULT_DATASETS: CurateDatasets = {
  bars: ["equities_bars"],
  actions: ["corporate_actions", "splits", "dividends"],
  delistings: ["delistings"],
};

// The collector writes raw/<vendor>/equities_minute; curator.yml has named the job's table equities_bars_minute.
export const DEFAULT_MINUTE_DATASETS: readonly string[] = ["equities_minute", "equities_bars_minute"];

export const DEFAULT_BOOKMARK_KEY = "state/bookmarks/curate/equities.json";
export const MINUTE_BOOKMARK_KEY = "state/bookmarks/curate/equities_minute.json";

/** DuckDB column lists of the tables curation loads or creates empty. */
export const ADJ_COLUMNS =
  "symbol VARCHAR, date DATE, bar_time TIMESTAMP, open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE, volume DOUBLE, " +
  "source VARCHAR, ingested_at TIMESTAMP, raw_file VARCHAR";
export const FACTOR_COLUMNS =
  "symbol VARCHAR, ex_date DATE, split_ratio DOUBLE, split_factor DOUBLE, dividend DOUBLE, prev_close DOUBLE, prev_date DATE, dividend_factor DOUBLE, flags VARCHAR";
export const ACTION_QUARANTINE_COLUMNS =
  "symbol VARCHAR, ex_date DATE, action_type VARCHAR, ratio DOUBLE, amount DOUBLE, source VARCHAR, ingested_at TIMESTAMP, raw_file VARCHAR, reasons VARCHAR";
