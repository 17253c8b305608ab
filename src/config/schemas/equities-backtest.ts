/**
 * The `backtest` block of configs/training/<model>.yml for cross-sectional equity models: how the equities
 * backtester (src/backtest/equities/) turns a day's predictions into a long-short portfolio and what trading
 * it costs. Borrow fees on shorts come from configs/borrow.yml.
 */
import { z } from "zod";
import { positiveInt } from "./common.ts";

const costBucket = z.strictObject({
  min_adv_usd: z.number().min(0).describe("the bucket applies to names whose 20-session mean dollar volume is at least this"),
  bps: z.number().min(0).max(10_000).describe("cost per unit of value traded, in basis points (half-spread plus impact, one way)"),
});

export const equitiesBacktestSchema = z
  .strictObject({
    weighting: z
      .enum(["quantile", "rank"])
      .default("quantile")
      .describe("quantile: equal weights long the top quantile and short the bottom one; rank: weights proportional to the centred rank"),
    quantiles: positiveInt.min(2).max(100).default(5).describe("quantile weighting: how many quantiles the cross-section is cut into"),
    gross_leverage: z.number().gt(0).max(10).default(1).describe("sum of absolute weights: half long, half short (dollar neutral)"),
    cost_bps_by_adv: z
      .array(costBucket)
      .min(1)
      .default(() => [
        { min_adv_usd: 0, bps: 25 },
        { min_adv_usd: 10_000_000, bps: 10 },
        { min_adv_usd: 100_000_000, bps: 5 },
      ])
      .refine((buckets) => buckets[0]?.min_adv_usd === 0, { message: "the first bucket must start at min_adv_usd 0" })
      .refine((buckets) => buckets.every((b, i) => i === 0 || (buckets[i - 1]?.min_adv_usd ?? 0) < b.min_adv_usd), {
        message: "buckets must be in increasing min_adv_usd order",
      })
      .describe("trading cost by liquidity bucket; a name without a dollar volume pays the first (least liquid) bucket's"),
    rebalance_half_life_days: z
      .number()
      .min(0)
      .max(250)
      .default(0)
      .describe(
        "turnover control: each session the book trades only part of the way to its target weights, w = w_prev + (1 - 2^(-1/h))·(target - w_prev), " +
          "so it forgets old targets with this half-life in sessions (partial trading toward an aim portfolio, Garleanu & Pedersen 2013); " +
          "0 (default) trades fully to the target every session; a book closed the day it opens (an intraday label) always trades fully",
      ),
    capacity_participation: z
      .number()
      .gt(0)
      .max(1)
      .default(0.05)
      .describe("capacity note: the capital at which a day's largest trade reaches this share of its name's dollar volume"),
  })
  .prefault({});

export type EquitiesBacktestConfig = z.infer<typeof equitiesBacktestSchema>;
