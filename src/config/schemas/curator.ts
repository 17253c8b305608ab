/**
 * configs/curator.yml: the curation jobs that say which raw datasets feed which curated table, the curate lease
 * timing and the vendor merge order. The curator keeps its own per-pass bookmarks under state/bookmarks/curate/
 * (the original system's single `watermark.bookmark_key` object is not used, so it is not configurable).
 */
import { z } from "zod";
import { lakePrefix, leaseTiming, snakeName, vendorName, VENDORS } from "./common.ts";

const jobSchema = z.strictObject({
  name: snakeName.describe("unique job name"),
  source: vendorName.describe("vendor whose raw parts the job reads"),
  table: snakeName.describe("raw dataset name"),
  input_prefix: lakePrefix("raw").describe("where the raw parts live, e.g. raw/alpaca/equities_bars"),
  output_prefix: lakePrefix("curated").describe("where curated parts are written"),
  partition: z.literal("date").default("date").describe("partition column; dates are the only partitioning so far"),
});

export const curatorSchema = z.strictObject({
  jobs: z
    .array(jobSchema)
    .default(() => [
      {
        name: "equities_bars_ohlcv",
        source: "alpaca" as const,
        table: "equities_bars",
        input_prefix: "raw/alpaca/equities_bars",
        output_prefix: "curated/equities_ohlcv_adj",
        partition: "date" as const,
      },
      {
        name: "equities_minute_pass",
        source: "alpaca" as const,
        table: "equities_minute",
        input_prefix: "raw/alpaca/equities_minute",
        output_prefix: "curated/equities_minute",
        partition: "date" as const,
      },
    ])
    .refine((jobs) => new Set(jobs.map((job) => job.name)).size === jobs.length, "job names must be unique"),
  leases: leaseTiming.prefault({}),
  source_priority: z
    .array(vendorName)
    .min(1)
    .default(() => [...VENDORS.filter((vendor) => vendor !== "fred")])
    .refine((list) => new Set(list).size === list.length, "each vendor may appear only once")
    .describe("when vendors disagree on the same bar, the first vendor in this list wins"),
});

export type CuratorConfig = z.infer<typeof curatorSchema>;
