/**
 * configs/edge.yml: the continuous edge collector on the Pi node — which collection tasks run, for which symbols
 * and how far back, and how many requests per day each vendor may spend on them. The original system kept the
 * tasks and the budget in `configs/edge.yml` too (tasks, policy.daily_api_budget).
 */
import { z } from "zod";
import { nonNegativeInt, perVendor, positiveInt, snakeName, symbolName, VENDORS } from "./common.ts";

/** A task is `<vendor>_<dataset>`, e.g. `alpaca_minute`; the prefix says whose budget it spends. */
const taskName = z
  .string()
  .regex(
    new RegExp(`^(${VENDORS.join("|")})_[a-z0-9_]+$`),
    `expected <vendor>_<dataset> with vendor one of ${VENDORS.join(", ")} (e.g. alpaca_bars)`,
  );

export const edgeSchema = z.strictObject({
  tasks: z
    .array(taskName)
    .default(() => [
      "alpaca_bars", "alpaca_minute", "alpaca_corporate_actions", "alpaca_options",
      "polygon_bars", "polygon_options", "finnhub_daily", "finnhub_options", "fred_treasury",
    ])
    .refine((tasks) => new Set(tasks).size === tasks.length, "each task may be listed only once")
    .describe("collection tasks the edge collector cycles through, each named <vendor>_<dataset>"),
  daily_budget: perVendor(nonNegativeInt)
    .prefault({})
    .describe("the edge collector's share of each vendor's daily_budget in node.yml (a sub-limit of it); absent = the whole budget"),
  universe: z
    .array(symbolName)
    .min(1)
    .default(() => ["SPY", "QQQ", "IWM", "AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA"])
    .refine((symbols) => new Set(symbols).size === symbols.length, "each symbol may be listed only once")
    .describe("equity symbols collected only while the lake has no reference index membership yet (the fallback; `node up --symbols` overrides both)"),
  universe_indexes: z
    .array(snakeName)
    .min(1)
    .default(() => ["large_cap_proxy"])
    .describe("reference index_membership indexes whose members on the collection date are the symbols collected (`trademl reference` builds them)"),
  fred_series: z
    .array(z.string().regex(/^[A-Z0-9]+$/, "expected a FRED series id such as DGS10"))
    .min(1)
    // Treasury constant-maturity yields, percent (H.15): the curve the options pipeline discounts with.
    .default(() => ["DGS1MO", "DGS3MO", "DGS6MO", "DGS1", "DGS2", "DGS5", "DGS10", "DGS30"])
    .describe("FRED series the fred_treasury task collects"),
  history_days: positiveInt
    .max(36_600)
    .default(365)
    .describe("calendar days of daily data each pass keeps complete (never further back than a vendor's history_window_days in node.yml)"),
  minute_days: positiveInt.max(3_660).default(5).describe("calendar days of minute bars each pass keeps complete"),
  option_contracts_per_day: nonNegativeInt
    .max(1_000_000)
    // 3 sampled underliers × 200 contracts: one 1000-contract page each, 3 of Polygon's 7,200 daily requests.
    .default(600)
    .describe("most option contracts the polygon_options task lists per session, across all underliers (top ADV first); 0 lists none"),
});

export type EdgeConfig = z.infer<typeof edgeSchema>;
