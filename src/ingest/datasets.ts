/**
 * The datasets the edge collector knows: which vendor serves them, the raw lake table they land in
 * (`raw/<vendor>/<dataset>`, read by audit and curation), their Parquet columns, and how a unit is shaped.
 */
import type {
  CorporateActionRow, EquityBarRow, MacroObservationRow, OptionContractRow, OptionQuoteRow, TickerRow,
} from "../vendors/rows.ts";

export const INGEST_VENDORS = ["alpaca", "polygon", "finnhub", "fred"] as const;
export type IngestVendor = (typeof INGEST_VENDORS)[number];

export const DATASET_NAMES = [
  "equities_bars", "equities_minute", "corporate_actions", "options_chains", "options_contracts", "tickers", "treasury_curve",
] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

/** How units of a dataset are planned. */
export type UnitShape =
  /** Date ranges over a history window, several symbols per request (Alpaca multi-symbol). */
  | "range_batch"
  /** Date ranges, one symbol per request. */
  | "range_single"
  /** One request per symbol per session (minute bars). */
  | "day_single"
  | "day_batch"
  /** The latest session only, one symbol per unit (option snapshots and listings). */
  | "latest_single"
  /** Cursor-paged listing, resumed from the last committed cursor (Polygon tickers). */
  | "cursor";

export interface DatasetSpec {
  readonly vendor: IngestVendor;
  readonly dataset: DatasetName;
  readonly shape: UnitShape;
  /** DuckDB column list of the Parquet parts, in order. */
  readonly columns: readonly (readonly [string, string])[];
  /** Column holding the row's date (for part stats). */
  readonly dateColumn: string;
  /**
   * Part folders: `date=YYYY-MM-DD` for datasets that arrive a session at a time (minute bars, option
   * snapshots), `month=YYYY-MM` for daily series, where a part per symbol per day would mean thousands of tiny
   * files a year. The folder value always matches the rows inside, so hive-partition inference is truthful.
   */
  readonly partition: "date" | "month";
}

const LINEAGE = [["source_name", "VARCHAR"], ["source_uri", "VARCHAR"], ["ingested_at", "TIMESTAMP"]] as const;
const BAR_COLUMNS = [
  ["symbol", "VARCHAR"], ["date", "DATE"], ["bar_time", "TIMESTAMP"], ["timeframe", "VARCHAR"], ["open", "DOUBLE"],
  ["high", "DOUBLE"], ["low", "DOUBLE"], ["close", "DOUBLE"], ["volume", "DOUBLE"], ["vwap", "DOUBLE"], ["trades", "BIGINT"], ...LINEAGE,
] as const;
const ACTION_COLUMNS = [
  ["symbol", "VARCHAR"], ["ex_date", "DATE"], ["action_type", "VARCHAR"], ["ratio", "DOUBLE"], ["amount", "DOUBLE"],
  ["record_date", "DATE"], ["pay_date", "DATE"], ...LINEAGE,
] as const;
const QUOTE_COLUMNS = [
  ["underlying", "VARCHAR"], ["contract", "VARCHAR"], ["quote_date", "DATE"], ["expiry", "DATE"], ["strike", "DOUBLE"], ["right", "VARCHAR"],
  ["bid", "DOUBLE"], ["ask", "DOUBLE"], ["last", "DOUBLE"], ["iv", "DOUBLE"], ["delta", "DOUBLE"], ["open_interest", "BIGINT"], ["volume", "BIGINT"], ...LINEAGE,
] as const;
const CONTRACT_COLUMNS = [
  ["underlying", "VARCHAR"], ["contract", "VARCHAR"], ["expiry", "DATE"], ["strike", "DOUBLE"], ["right", "VARCHAR"],
  ["exercise_style", "VARCHAR"], ["shares_per_contract", "DOUBLE"], ["as_of", "DATE"], ...LINEAGE,
] as const;
const TICKER_COLUMNS = [["symbol", "VARCHAR"], ["name", "VARCHAR"], ["exchange", "VARCHAR"], ["type", "VARCHAR"], ["active", "BOOLEAN"], ["cik", "VARCHAR"], ["as_of", "DATE"], ...LINEAGE] as const;
const MACRO_COLUMNS = [["series_id", "VARCHAR"], ["date", "DATE"], ["value", "DOUBLE"], ["realtime_start", "DATE"], ["realtime_end", "DATE"], ...LINEAGE] as const;

const spec = (vendor: IngestVendor, dataset: DatasetName, shape: UnitShape, columns: DatasetSpec["columns"], dateColumn: string): DatasetSpec => ({
  vendor, dataset, shape, columns, dateColumn,
  partition: dataset === "equities_bars" || dataset === "corporate_actions" || dataset === "treasury_curve" ? "month" : "date",
});

export const DATASETS: readonly DatasetSpec[] = [
  spec("alpaca", "equities_bars", "range_batch", BAR_COLUMNS, "date"),
  spec("alpaca", "equities_minute", "day_batch", BAR_COLUMNS, "date"),
  spec("alpaca", "corporate_actions", "range_batch", ACTION_COLUMNS, "ex_date"),
  spec("alpaca", "options_chains", "latest_single", QUOTE_COLUMNS, "quote_date"),
  spec("polygon", "equities_bars", "range_single", BAR_COLUMNS, "date"),
  spec("polygon", "equities_minute", "day_single", BAR_COLUMNS, "date"),
  spec("polygon", "corporate_actions", "range_single", ACTION_COLUMNS, "ex_date"),
  spec("polygon", "options_contracts", "latest_single", CONTRACT_COLUMNS, "as_of"),
  spec("polygon", "tickers", "cursor", TICKER_COLUMNS, "as_of"),
  spec("finnhub", "equities_bars", "range_single", BAR_COLUMNS, "date"),
  spec("finnhub", "options_chains", "latest_single", QUOTE_COLUMNS, "quote_date"),
  spec("fred", "treasury_curve", "range_single", MACRO_COLUMNS, "date"),
];

export function datasetSpec(vendor: string, dataset: string): DatasetSpec | undefined {
  return DATASETS.find((d) => d.vendor === vendor && d.dataset === dataset);
}

export function rawTable(vendor: string, dataset: string): string {
  return `raw/${vendor}/${dataset}`;
}

/**
 * Parquet record (column → JSON value) of each normalised row kind. Timestamps go as ISO strings.
 * A daily bar's `bar_time` is its session date at 00:00 UTC whatever the vendor stamped (Alpaca and Polygon
 * stamp New York midnight, Finnhub UTC midnight), so the same bar from two vendors has the same key downstream.
 */
export function barRecord(r: EquityBarRow): Record<string, unknown> {
  return {
    symbol: r.symbol, date: r.date, bar_time: r.timeframe === "1d" ? `${r.date}T00:00:00.000Z` : new Date(r.ts).toISOString(), timeframe: r.timeframe, open: r.open, high: r.high,
    low: r.low, close: r.close, volume: r.volume, vwap: r.vwap, trades: r.trades, source_name: r.source_name, source_uri: r.source_uri, ingested_at: r.ingested_at,
  };
}

export function actionRecord(r: CorporateActionRow): Record<string, unknown> {
  return {
    symbol: r.symbol, ex_date: r.ex_date, action_type: r.action === "split" ? "split" : "dividend", ratio: r.ratio, amount: r.cash,
    record_date: r.record_date, pay_date: r.pay_date, source_name: r.source_name, source_uri: r.source_uri, ingested_at: r.ingested_at,
  };
}

export function quoteRecord(r: OptionQuoteRow): Record<string, unknown> {
  return { ...r };
}

export function contractRecord(r: OptionContractRow): Record<string, unknown> {
  return { ...r };
}

export function tickerRecord(r: TickerRow, asOf: string): Record<string, unknown> {
  return { ...r, as_of: asOf };
}

export function macroRecord(r: MacroObservationRow): Record<string, unknown> {
  return { ...r };
}
