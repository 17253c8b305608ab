/**
 * configs/backfill.yml: the nightly backfill queue that fills history gaps found by the audit. Values
 * follow the original system's `configs/backfill.yml` (priorities, targets, qc_thresholds, horizons).
 */
import { z } from "zod";
import { isoDate, nonNegativeInt, perVendor, positiveInt, ratio } from "./common.ts";

const weight = z.number().int().min(0).max(1000);

/** Higher weight runs first; corporate actions and delistings come first because every adjustment needs them. */
const prioritiesSchema = z.strictObject({
  corp_actions: weight.default(100),
  delistings: weight.default(100),
  equities_eod: weight.default(90).describe("daily bars"),
  equities_minute: weight.default(80).describe("minute bars"),
  options_chains: weight.default(70),
  options_nbbo: weight.default(60).describe("quotes"),
});

interface TargetDefaults {
  earliest: string;
  chunk_days: number;
  expect_rows?: number;
  top_n?: number;
  expect_contracts_min?: number;
}

/** One backfill target; each table has its own defaults, so the factory bakes them into the schema. */
function targetSchema(defaults: TargetDefaults) {
  const optionalOr = (value: number | undefined) =>
    value === undefined ? positiveInt.optional() : positiveInt.default(value);
  return z.strictObject({
    earliest: isoDate.default(defaults.earliest).describe("oldest date to backfill"),
    chunk_days: positiveInt.max(3660).default(defaults.chunk_days).describe("calendar days fetched per queue item"),
    expect_rows: optionalOr(defaults.expect_rows).describe("rows expected per symbol and trading day (QC baseline)"),
    top_n: optionalOr(defaults.top_n).describe("only the N most liquid symbols"),
    expect_contracts_min: optionalOr(defaults.expect_contracts_min).describe("fewest option contracts per underlier and day"),
  });
}

const targetsSchema = z.strictObject({
  equities_eod: targetSchema({ earliest: "2000-01-01", chunk_days: 30, expect_rows: 1 }).prefault({}),
  equities_minute: targetSchema({ earliest: "2010-01-01", chunk_days: 1, expect_rows: 390, top_n: 1000 }).prefault({}),
  options_chains: targetSchema({ earliest: "2015-01-01", chunk_days: 1, expect_contracts_min: 50 }).prefault({}),
  macro_treasury: targetSchema({ earliest: "2000-01-01", chunk_days: 365, expect_rows: 5 }).prefault({}),
});

/**
 * Partition QC: a partition is GREEN when rows / expected >= green_min_ratio; a row count outside
 * [rows_low_ratio, rows_high_ratio] x expected is flagged. Half-days (early NYSE closes) expect fewer rows.
 */
const qcSchema = z
  .strictObject({
    green_min_ratio: ratio.default(0.98),
    rows_low_ratio: ratio.default(0.9),
    rows_high_ratio: z.number().min(1).max(10).default(1.2),
    half_days_allowed: z.boolean().default(true).describe("accept early-close sessions with proportionally fewer rows"),
  })
  .refine((qc) => qc.rows_low_ratio <= qc.green_min_ratio, {
    message: "rows_low_ratio must not exceed green_min_ratio",
    path: ["rows_low_ratio"],
  });

function horizonSchema(collectEarliest: string, trainWindowYears: number) {
  return z
    .strictObject({
      collect_earliest: isoDate.default(collectEarliest).describe("oldest date worth collecting"),
      train_window_years: positiveInt.max(50).default(trainWindowYears).describe("years of history training uses"),
    })
    .prefault({});
}

const horizonsSchema = z.strictObject({
  equities_eod: horizonSchema("1990-01-01", 15),
  equities_minute: horizonSchema("2010-01-01", 10),
  equities_ticks: horizonSchema("2012-06-01", 4),
  options_chains: horizonSchema("2012-01-01", 10),
  options_nbbo: horizonSchema("2010-01-01", 8),
});

export const backfillSchema = z.strictObject({
  max_concurrency: positiveInt.max(64).default(3).describe("queue items processed in parallel"),
  daily_budget: perVendor(nonNegativeInt)
    .prefault({})
    .describe("requests per UTC day backfill may spend per vendor; absent = the vendor's daily_budget in node.yml"),
  priorities: prioritiesSchema.prefault({}).describe("table weights; higher runs first"),
  targets: targetsSchema.prefault({}),
  qc: qcSchema.prefault({}),
  horizons: horizonsSchema.prefault({}),
});

export type BackfillConfig = z.infer<typeof backfillSchema>;
export type BackfillTable = keyof BackfillConfig["priorities"];
