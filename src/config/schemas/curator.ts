/**
 * configs/curator.yml: the curation jobs that say which raw dataset feeds which curated table, the curate lease
 * timing and the vendor merge order. A job's raw dataset is read from every vendor in `source_priority`
 * (raw/<vendor>/<table>), so a job names no vendor or raw prefix of its own. The curator keeps its own per-pass
 * bookmarks under state/bookmarks/curate/ (the original system's single `watermark.bookmark_key` object is not
 * used, so it is not configurable).
 */
import { z } from "zod";
import { leaseTiming, positiveInt, snakeName, vendorName, VENDORS } from "./common.ts";
import { optionsCurationSchema } from "./options.ts";

/** The curated tables a job can feed: the adjusted daily bars and the adjusted minute bars. */
export const CURATED_OUTPUTS = ["curated/equities_ohlcv_adj", "curated/equities_minute_adj"] as const;

const jobSchema = z.strictObject({
  name: snakeName.describe("unique job name"),
  table: snakeName.describe("raw dataset read from every source_priority vendor, e.g. equities_bars (raw/<vendor>/equities_bars)"),
  output_prefix: z.enum(CURATED_OUTPUTS).describe("the curated table the job feeds"),
});

export const curatorSchema = z.strictObject({
  jobs: z
    .array(jobSchema)
    .default(() => [
      { name: "equities_bars_ohlcv", table: "equities_bars", output_prefix: "curated/equities_ohlcv_adj" as const },
      { name: "equities_minute_pass", table: "equities_minute", output_prefix: "curated/equities_minute_adj" as const },
    ])
    .refine((jobs) => new Set(jobs.map((job) => job.name)).size === jobs.length, "job names must be unique"),
  leases: leaseTiming.prefault({}),
  source_priority: z
    .array(vendorName)
    .min(1)
    .default(() => [...VENDORS.filter((vendor) => vendor !== "fred")])
    .refine((list) => new Set(list).size === list.length, "each vendor may appear only once")
    .describe("when vendors disagree on the same bar, the first vendor in this list wins"),
  options: optionsCurationSchema.prefault({}).describe("the options pass: chains → quotes → implied vols → SVI surfaces (docs/options.md)"),
  compaction: z
    .strictObject({
      enabled: z.boolean().default(true).describe("compact after the curate passes (false: the tables keep one part per pass)"),
      min_parts: positiveInt
        .min(2)
        .default(20)
        .describe("delta parts of an adjusted table (one per daily pass) that trigger their merge into one (about a month of sessions)"),
      raw_min_parts: positiveInt
        .min(2)
        .default(4)
        .describe("consumed raw minute parts of one folder and collection range that trigger their merge into one"),
    })
    .prefault({})
    .describe(
      "after its passes, the curate job merges the adjusted tables' delta parts and the raw minute parts it has consumed into fewer parts; rows never change (content-preserving `compact` commits, which pinned seqs and retained manifests still see)",
    ),
});

export type CuratorConfig = z.infer<typeof curatorSchema>;
