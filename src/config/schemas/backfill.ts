/**
 * configs/backfill.yml: the nightly backfill queue that fills history gaps found by the audit. Values
 * follow the original system's `configs/backfill.yml` (priorities, targets, qc_thresholds, horizons). Keys marked
 * "reserved" are kept for the pipelines about to read them (options, the nightly DAG, training); nothing reads
 * them yet. The rows a partition should hold come from the NYSE calendar (half days included), not from here.
 */
import { z } from "zod";
import { isoDate, nonNegativeInt, perVendor, positiveInt, ratio } from "./common.ts";

const weight = z.number().int().min(0).max(1000);

/** Higher weight runs first; corporate actions and delistings come first because every adjustment needs them. */
const prioritiesSchema = z.strictObject({
  corp_actions: weight.default(100),
  delistings: weight.default(100).describe("reserved: for the delisting fetch point-in-time membership needs (nothing fetches delistings yet)"),
  equities_eod: weight.default(90).describe("daily bars"),
  equities_minute: weight.default(80).describe("minute bars"),
  options_chains: weight.default(70).describe("past option-chain sessions the lake lacks, marked unavailable without a request (no free vendor serves them)"),
  options_nbbo: weight.default(60).describe("reserved: quotes, for the options pipeline"),
});

interface TargetDefaults {
  earliest: string;
  chunk_days: number;
}

/** One backfill target; each table has its own defaults, so the factory bakes them into the schema. */
function targetSchema(defaults: TargetDefaults) {
  return z.strictObject({
    earliest: isoDate.default(defaults.earliest).describe("oldest date to backfill"),
    chunk_days: positiveInt.max(3660).default(defaults.chunk_days).describe("calendar days fetched per queue item"),
  });
}

const targetsSchema = z.strictObject({
  equities_eod: targetSchema({ earliest: "2000-01-01", chunk_days: 30 }).prefault({}),
  equities_minute: targetSchema({ earliest: "2010-01-01", chunk_days: 1 })
    .safeExtend({ top_n: positiveInt.default(1000).describe("reserved: only the N most liquid symbols, once the nightly DAG picks backfill symbols from reference data") })
    .prefault({}),
  // Past chain sessions are marked, never fetched: a queue item costs one marks update, so a decade per item.
  options_chains: targetSchema({ earliest: "2015-01-01", chunk_days: 3660 })
    .safeExtend({ expect_contracts_min: positiveInt.default(50).describe("reserved: fewest option contracts per underlier and day, for the options pipeline's QC") })
    .describe("option chains: sessions since `earliest` that the lake lacks (before today's) are marked unavailable, since no free vendor serves a past chain")
    .prefault({}),
  macro_treasury: targetSchema({ earliest: "2000-01-01", chunk_days: 365 })
    .describe("reserved: Treasury curve history for the options pipeline's discounting (backfill fetches bars only so far)")
    .prefault({}),
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

/** How far back backfill goes is each target's `earliest`; a horizon says how much of it must be GREEN. */
function horizonSchema(trainWindowYears: number, reserved?: string) {
  return z
    .strictObject({
      train_window_years: positiveInt.max(50).default(trainWindowYears).describe("years of history training uses (the audit's GREEN window)"),
    })
    .describe(reserved ?? "read by `trademl audit`")
    .prefault({});
}

const horizonsSchema = z.strictObject({
  equities_eod: horizonSchema(15),
  equities_minute: horizonSchema(10),
  equities_ticks: horizonSchema(4, "reserved: for training on ticks (nothing collects ticks yet)"),
  options_chains: horizonSchema(10, "reserved: for the options pipeline and training"),
  options_nbbo: horizonSchema(8, "reserved: for the options pipeline and training"),
});

export const backfillSchema = z.strictObject({
  max_concurrency: positiveInt.max(64).default(3).describe("queue items fetched at once, within the vendor's pace (written and re-audited one at a time)"),
  daily_budget: perVendor(nonNegativeInt)
    .prefault({})
    .describe("backfill's share of each vendor's daily_budget in node.yml (a sub-limit of it); absent = the whole budget"),
  priorities: prioritiesSchema.prefault({}).describe("table weights; higher runs first"),
  targets: targetsSchema.prefault({}),
  qc: qcSchema.prefault({}),
  horizons: horizonsSchema.prefault({}),
});

export type BackfillConfig = z.infer<typeof backfillSchema>;
export type BackfillTable = keyof BackfillConfig["priorities"];
