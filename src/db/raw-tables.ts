/**
 * The raw tables `raw/<vendor>/<dataset>` (src/lake/keys.ts `rawTable`): one schema and one partition layout per
 * dataset, whoever writes it (the edge collector, backfill), and the record each normalised vendor row becomes.
 *
 * Partition layout. A raw table has exactly one folder layout, so its parts never mix `date=` and `month=`
 * folders (they once did: the collector wrote `month=`, backfill `date=`, into the same table):
 *   - `month=YYYY-MM` for daily series (daily bars, corporate actions, Treasury yields): a part per symbol per day
 *     would mean thousands of tiny files a year for a few hundred bytes each;
 *   - `date=YYYY-MM-DD` for datasets that arrive a session at a time (minute bars, option snapshots and listings,
 *     ticker listings), whose parts are already large or are naturally one per session.
 * The folder value always matches the rows inside, so tools that infer hive partitions see the truth. Readers
 * never rely on the folders: they read the files a manifest lists, so a lake written with the older layout
 * stays readable as it is.
 */
import { UsageError } from "../domain/errors.ts";
import type { CorporateActionRow, EquityBarRow, MacroObservationRow, OptionContractRow, OptionQuoteRow, TickerRow } from "../vendors/rows.ts";
import type { TableColumns } from "./part-writer.ts";

export const RAW_DATASETS = ["equities_bars", "equities_minute", "corporate_actions", "options_chains", "options_contracts", "tickers", "treasury_curve"] as const;
export type RawDataset = (typeof RAW_DATASETS)[number];

export type PartitionLayout = "date" | "month";

export interface RawSchema {
  /** Parquet columns in order (DuckDB types). */
  readonly columns: TableColumns;
  /** Column holding the row's date: partition folders and the manifest's date bounds come from it. */
  readonly dateColumn: string;
  /** Column naming the row's series (symbol, underlying, FRED series id). */
  readonly seriesColumn: string;
  readonly layout: PartitionLayout;
}

const LINEAGE = [["source_name", "VARCHAR"], ["source_uri", "VARCHAR"], ["ingested_at", "TIMESTAMP"]] as const;
const BAR_COLUMNS: TableColumns = [
  ["symbol", "VARCHAR"], ["date", "DATE"], ["bar_time", "TIMESTAMP"], ["timeframe", "VARCHAR"], ["open", "DOUBLE"],
  ["high", "DOUBLE"], ["low", "DOUBLE"], ["close", "DOUBLE"], ["volume", "DOUBLE"], ["vwap", "DOUBLE"], ["trades", "BIGINT"], ...LINEAGE,
];
const ACTION_COLUMNS: TableColumns = [
  ["symbol", "VARCHAR"], ["ex_date", "DATE"], ["action_type", "VARCHAR"], ["ratio", "DOUBLE"], ["amount", "DOUBLE"],
  ["record_date", "DATE"], ["pay_date", "DATE"], ...LINEAGE,
];
const QUOTE_COLUMNS: TableColumns = [
  ["underlying", "VARCHAR"], ["contract", "VARCHAR"], ["quote_date", "DATE"], ["expiry", "DATE"], ["strike", "DOUBLE"], ["right", "VARCHAR"],
  ["bid", "DOUBLE"], ["ask", "DOUBLE"], ["last", "DOUBLE"], ["iv", "DOUBLE"], ["delta", "DOUBLE"], ["open_interest", "BIGINT"], ["volume", "BIGINT"],
  // The vendor's quote timestamp where it sends one (Alpaca), for the options pass's staleness check; NULL otherwise.
  ["quote_time", "TIMESTAMP"], ...LINEAGE,
];
const CONTRACT_COLUMNS: TableColumns = [
  ["underlying", "VARCHAR"], ["contract", "VARCHAR"], ["expiry", "DATE"], ["strike", "DOUBLE"], ["right", "VARCHAR"],
  ["exercise_style", "VARCHAR"], ["shares_per_contract", "DOUBLE"], ["as_of", "DATE"], ...LINEAGE,
];
const TICKER_COLUMNS: TableColumns = [
  ["symbol", "VARCHAR"], ["name", "VARCHAR"], ["exchange", "VARCHAR"], ["type", "VARCHAR"], ["active", "BOOLEAN"], ["cik", "VARCHAR"], ["as_of", "DATE"], ...LINEAGE,
];
const MACRO_COLUMNS: TableColumns = [["series_id", "VARCHAR"], ["date", "DATE"], ["value", "DOUBLE"], ["realtime_start", "DATE"], ["realtime_end", "DATE"], ...LINEAGE];

export const RAW_SCHEMAS: Readonly<Record<RawDataset, RawSchema>> = {
  equities_bars: { columns: BAR_COLUMNS, dateColumn: "date", seriesColumn: "symbol", layout: "month" },
  equities_minute: { columns: BAR_COLUMNS, dateColumn: "date", seriesColumn: "symbol", layout: "date" },
  corporate_actions: { columns: ACTION_COLUMNS, dateColumn: "ex_date", seriesColumn: "symbol", layout: "month" },
  options_chains: { columns: QUOTE_COLUMNS, dateColumn: "quote_date", seriesColumn: "underlying", layout: "date" },
  options_contracts: { columns: CONTRACT_COLUMNS, dateColumn: "as_of", seriesColumn: "underlying", layout: "date" },
  tickers: { columns: TICKER_COLUMNS, dateColumn: "as_of", seriesColumn: "symbol", layout: "date" },
  treasury_curve: { columns: MACRO_COLUMNS, dateColumn: "date", seriesColumn: "series_id", layout: "month" },
};

export function isRawDataset(name: string): name is RawDataset {
  return (RAW_DATASETS as readonly string[]).includes(name);
}

export function rawSchema(dataset: string): RawSchema {
  if (!isRawDataset(dataset)) throw new UsageError("unknown_dataset", `no raw schema for dataset "${dataset}"; known: ${RAW_DATASETS.join(", ")}`);
  return RAW_SCHEMAS[dataset];
}

/** The partition folder of a row dated `date` (YYYY-MM-DD) in a table with `layout`, e.g. `month=2024-01`. */
export function partitionFolder(layout: PartitionLayout, date: string): string {
  return layout === "month" ? `month=${date.slice(0, 7)}` : `date=${date}`;
}

/**
 * The raw record (column → JSON value) of each normalised row kind. Timestamps go as ISO strings. A daily bar's
 * `bar_time` is its session date at 00:00 UTC whatever the vendor stamped (Alpaca and Polygon stamp New York
 * midnight, Finnhub UTC midnight), so the same bar from two vendors, or from the collector and backfill, has the
 * same key downstream.
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
