/**
 * configs/edge.yml: the continuous edge collector on the Pi node — which collection tasks run and how
 * many requests per day each vendor may spend on them. The original system kept the same two facts in
 * `configs/edge.yml` (tasks, policy.daily_api_budget).
 */
import { z } from "zod";
import { nonNegativeInt, perVendor, VENDORS } from "./common.ts";

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
    .default(() => ["alpaca_bars", "alpaca_minute", "alpaca_corporate_actions", "polygon_bars", "finnhub_daily", "fred_treasury"])
    .refine((tasks) => new Set(tasks).size === tasks.length, "each task may be listed only once")
    .describe("collection tasks the edge collector cycles through, each named <vendor>_<dataset>"),
  daily_budget: perVendor(nonNegativeInt)
    .prefault({})
    .describe("requests per UTC day the edge collector may spend per vendor; absent = the vendor's daily_budget in node.yml"),
});

export type EdgeConfig = z.infer<typeof edgeSchema>;
