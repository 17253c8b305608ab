/**
 * The datasets the edge collector knows: which vendor serves them and how a unit is shaped. Their raw lake table
 * (`raw/<vendor>/<dataset>`, src/lake/keys.ts `rawTable`), Parquet columns and partition layout are the raw
 * table's own (src/db/raw-tables.ts), shared with backfill.
 */
import type { RawDataset } from "../db/raw-tables.ts";

export const INGEST_VENDORS = ["alpaca", "polygon", "finnhub", "fred"] as const;
export type IngestVendor = (typeof INGEST_VENDORS)[number];

export const DATASET_NAMES = [
  "equities_bars", "equities_minute", "corporate_actions", "options_chains", "options_contracts", "tickers", "treasury_curve",
] as const satisfies readonly RawDataset[];
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
  /**
   * The latest session only, one series per unit, paged: each page is committed with the cursor after it, so an
   * interrupted listing resumes from its last committed cursor (Polygon options contracts).
   */
  | "latest_paged"
  /** Cursor-paged listing, resumed from the last committed cursor (Polygon tickers). */
  | "cursor";

export interface DatasetSpec {
  readonly vendor: IngestVendor;
  readonly dataset: DatasetName;
  readonly shape: UnitShape;
}

const spec = (vendor: IngestVendor, dataset: DatasetName, shape: UnitShape): DatasetSpec => ({ vendor, dataset, shape });

export const DATASETS: readonly DatasetSpec[] = [
  spec("alpaca", "equities_bars", "range_batch"),
  spec("alpaca", "equities_minute", "day_batch"),
  spec("alpaca", "corporate_actions", "range_batch"),
  spec("alpaca", "options_chains", "latest_single"),
  spec("polygon", "equities_bars", "range_single"),
  spec("polygon", "equities_minute", "day_single"),
  spec("polygon", "corporate_actions", "range_single"),
  spec("polygon", "options_contracts", "latest_paged"),
  spec("polygon", "tickers", "cursor"),
  spec("finnhub", "equities_bars", "range_single"),
  spec("finnhub", "options_chains", "latest_single"),
  spec("fred", "treasury_curve", "range_single"),
];

export function datasetSpec(vendor: string, dataset: string): DatasetSpec | undefined {
  return DATASETS.find((d) => d.vendor === vendor && d.dataset === dataset);
}
