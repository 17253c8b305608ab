/**
 * configs/curator.yml: watermark-based curation jobs that turn raw vendor parts into curated tables.
 * Shape after the original system's `configs/curator.yml`, plus the lease timing and vendor merge order.
 */
import { z } from "zod";
import { lakePrefix, leaseTiming, snakeName, vendorName, VENDORS } from "./common.ts";

const jobSchema = z.strictObject({
  name: snakeName.describe("unique job name; also the watermark's key in the bookmark"),
  source: vendorName.describe("vendor whose raw parts the job reads"),
  table: snakeName.describe("raw dataset name"),
  input_prefix: lakePrefix("raw").describe("where the raw parts live, e.g. raw/alpaca/equities_bars"),
  output_prefix: lakePrefix("curated").describe("where curated parts are written"),
  partition: z.literal("date").default("date").describe("partition column; dates are the only partitioning so far"),
  idempotent: z.boolean().default(true).describe("skip dates already curated at the current watermark"),
});

export const curatorSchema = z.strictObject({
  watermark: z
    .strictObject({
      bookmark_key: z
        .string()
        .regex(/^state\/bookmarks\/[a-z0-9_.\/-]+\.json$/, "expected a key under state/bookmarks/ ending in .json")
        .default("state/bookmarks/curator-watermarks.json")
        .describe("lake key of the bookmark holding each job's watermark (updated by ETag compare-and-swap)"),
    })
    .prefault({}),
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
        idempotent: true,
      },
      {
        name: "equities_minute_pass",
        source: "alpaca" as const,
        table: "equities_bars_minute",
        input_prefix: "raw/alpaca/equities_bars_minute",
        output_prefix: "curated/equities_minute",
        partition: "date" as const,
        idempotent: true,
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
