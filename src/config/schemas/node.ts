/**
 * configs/node.yml: platform settings shared by every part of trademl — vendor rate limits and budgets
 * (read by the rate governor), DuckDB resources, lake maintenance, and versioned reference tables.
 */
import { z } from "zod";
import { isoDate, leaseTiming, positiveInt, ratio } from "./common.ts";

/**
 * Pauses a vendor when too many recent requests failed (the Python system's "pause tasks when error
 * rate > X%"): at least `min_requests` in the last `window_seconds`, of which more than `error_rate` failed.
 */
const cooldownSchema = z.strictObject({
  error_rate: ratio.default(0.5).describe("share of failed requests in the window that triggers a pause"),
  window_seconds: positiveInt.max(3600).default(60).describe("sliding window the error rate is measured over"),
  min_requests: positiveInt.default(5).describe("fewest requests in the window before the rate is judged"),
  pause_seconds: positiveInt.max(86_400).default(300).describe("how long the vendor rests once triggered"),
});

interface VendorDefaults {
  requests_per_minute: number;
  requests_per_second?: number;
  daily_budget: number;
  max_inflight: number;
}

/** Each vendor's free-tier limits differ, so the factory bakes that vendor's defaults into its schema. */
function vendorFields(defaults: VendorDefaults) {
  return z.strictObject({
    requests_per_minute: z.number().positive().default(defaults.requests_per_minute).describe("sustained rate limit"),
    requests_per_second: (defaults.requests_per_second === undefined
      ? z.number().positive().optional()
      : z.number().positive().default(defaults.requests_per_second)
    ).describe("burst limit, where the vendor has one"),
    daily_budget: z
      .number()
      .int()
      .nonnegative()
      .default(defaults.daily_budget)
      .describe("requests per UTC day for every consumer together (edge collection, backfill, options, reference); edge.yml and backfill.yml shares are sub-limits of it"),
    max_inflight: positiveInt.max(64).default(defaults.max_inflight).describe("concurrent requests (env NODE_MAX_INFLIGHT_<VENDOR> overrides)"),
    cooldown: cooldownSchema.prefault({}),
  });
}

const historyWindow = positiveInt.describe("how far back the plan serves history; the collector plans nothing older and the connector clamps requests to it");

const vendorsSchema = z.strictObject({
  // Alpaca Market Data, Basic plan: 200 API calls per minute.
  alpaca: vendorFields({ requests_per_minute: 200, daily_budget: 250_000, max_inflight: 4 }).safeExtend({ history_window_days: historyWindow.optional() }).prefault({}),
  // Polygon.io (Massive) free "Basic" plan: 5 API calls per minute, two years of history.
  polygon: vendorFields({ requests_per_minute: 5, daily_budget: 7_000, max_inflight: 1 }).safeExtend({ history_window_days: historyWindow.default(730) }).prefault({}),
  // Finnhub free plan: 60 calls per minute, and a hard cap of 30 calls per second on every plan.
  finnhub: vendorFields({ requests_per_minute: 60, requests_per_second: 30, daily_budget: 86_400, max_inflight: 2 }).safeExtend({ history_window_days: historyWindow.optional() }).prefault({}),
  // FRED API: 120 requests per minute per key.
  fred: vendorFields({ requests_per_minute: 120, daily_budget: 10_000, max_inflight: 2 }).safeExtend({ history_window_days: historyWindow.optional() }).prefault({}),
});

/** DuckDB size strings as `SET memory_limit` accepts them, e.g. "768MB", "1.5GiB". */
const memorySize = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/, 'expected a size such as "768MB" or "2GiB"');

const duckdbSchema = z.strictObject({
  // A 4 GB Pi also runs the collector and the OS page cache; 768MB leaves room for both.
  memory_limit: memorySize.default("768MB").describe("DuckDB memory_limit; keep under 1 GiB on a Raspberry Pi"),
  threads: positiveInt.max(256).default(2).describe("DuckDB worker threads"),
});

/**
 * Which manifests `trademl lake expire` keeps (lake/retention.ts). Seqs pinned by a backtest or model run
 * (`state/pins/`) are kept whatever these say, and `lake gc` keeps every part a kept manifest lists, so old parts
 * live until no kept seq lists them.
 */
const retentionSchema = z.strictObject({
  keep_manifests: positiveInt.default(10).describe("newest manifests of each table that expiry always keeps"),
  keep_days: z.number().nonnegative().max(3650).default(7).describe("manifests younger than this many days are never expired"),
});

const lakeSchema = leaseTiming.safeExtend({
  read_cache_bytes: z
    .number()
    .int()
    .nonnegative()
    .default(2 * 1024 ** 3)
    .describe("bytes of S3 parts kept in the local read cache (0 disables it)"),
  gc_grace_hours: z
    .number()
    .positive()
    .max(24 * 365)
    .default(48)
    .describe("age before an uncommitted part may be deleted by `trademl lake gc` (never below the longest lease TTL)"),
  retention: retentionSchema.prefault({}).describe("manifest history kept by `trademl lake expire`; pinned seqs are always kept"),
});

const tickRule = z.strictObject({
  min_price: z.number().nonnegative().describe("the rule applies to prices at or above this"),
  tick: z.number().positive().describe("minimum pricing increment in dollars"),
});

const tickVersion = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9_.-]+$/, "expected a short lower-case id"),
    effective_from: isoDate.describe("first trading day the rules apply"),
    rules: z.array(tickRule).min(1),
  })
  .superRefine((version, ctx) => {
    const first = version.rules[0];
    if (first !== undefined && first.min_price !== 0) {
      ctx.addIssue({ code: "custom", path: ["rules", 0, "min_price"], message: "the first rule must start at min_price 0" });
    }
    for (let i = 1; i < version.rules.length; i++) {
      const previous = version.rules[i - 1];
      const current = version.rules[i];
      if (previous !== undefined && current !== undefined && current.min_price <= previous.min_price) {
        ctx.addIssue({ code: "custom", path: ["rules", i, "min_price"], message: "rules must be sorted by rising min_price" });
      }
    }
  });

const referenceSchema = z.strictObject({
  tick_size: z
    .array(tickVersion)
    .min(1)
    // SEC Regulation NMS Rule 612 (17 CFR 242.612), compliance date 2006-01-31 (Release 34-52196):
    // $0.01 at or above $1.00 a share, $0.0001 below. The 2024 amendment's per-stock half-penny tick is
    // spread-dependent and is not a price rule; it is not modelled here.
    .default(() => [
      {
        id: "reg_nms_612",
        effective_from: "2006-01-31",
        rules: [
          { min_price: 0, tick: 0.0001 },
          { min_price: 1, tick: 0.01 },
        ],
      },
    ])
    .refine(
      (versions) => versions.every((v, i) => i === 0 || (versions[i - 1]?.effective_from ?? "") < v.effective_from),
      "tick size versions must be sorted by rising effective_from",
    )
    .describe("minimum price increments, versioned by effective date"),
});

/**
 * What `trademl node up` runs when: collection passes every `collect_interval_minutes`, and the nightly DAG
 * (`trademl dag graph`) once per NYSE session, `after_close_minutes` after its close — early closes included,
 * none on holidays and weekends.
 */
const scheduleSchema = z.strictObject({
  collect_interval_minutes: z.number().positive().max(24 * 60).default(15).describe("minutes between intraday collection passes (--interval-minutes overrides)"),
  nightly: z
    .strictObject({
      enabled: z.boolean().default(true).describe("run the nightly DAG after each session's close"),
      // Under a day, so the previous session's run is always due by the next session's date (nightly-schedule.ts).
      after_close_minutes: z.number().int().nonnegative().max(12 * 60).default(30).describe("minutes after the session's close (New York) the DAG starts; vendors finalise the day's bars in the meantime"),
    })
    .prefault({}),
});

export const nodeSchema = z.strictObject({
  vendors: vendorsSchema.prefault({}),
  schedule: scheduleSchema.prefault({}),
  duckdb: duckdbSchema.prefault({}),
  lake: lakeSchema.prefault({}),
  reference: referenceSchema.prefault({}),
});

export type NodeConfig = z.infer<typeof nodeSchema>;

/** The vendors' limits when node.yml sets none: the schema's free-tier defaults. */
export function defaultVendorLimits(): NodeConfig["vendors"] {
  return vendorsSchema.parse({});
}
export type VendorLimits = NodeConfig["vendors"]["alpaca"];
export type TickSizeVersion = NodeConfig["reference"]["tick_size"][number];
