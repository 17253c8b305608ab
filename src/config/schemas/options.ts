/**
 * curator.yml `options`: the options pass that curation runs after the equities passes (chains → quotes →
 * implied vols → SVI surfaces, docs/options.md). Every default of that pass lives here.
 */
import { z } from "zod";
import { positiveInt, vendorName } from "./common.ts";

export const SURFACE_WEIGHTS = ["vega", "spread"] as const;

export const optionsCurationSchema = z.strictObject({
  enabled: z.boolean().default(true).describe("run the options pass after the equities passes"),
  source_priority: z
    .array(vendorName)
    .min(1)
    .default(() => ["alpaca" as const, "finnhub" as const])
    .refine((list) => new Set(list).size === list.length, "each vendor may appear only once")
    .describe("vendors whose option chains are merged; when two quote the same contract on a session, the first listed wins"),
  max_quote_age_minutes: positiveInt
    .default(60)
    .describe("a quote whose vendor timestamp is older than this before the session's close is stale (quarantined); vendors without a quote timestamp are never stale"),
  parity_strikes: positiveInt
    .default(3)
    .describe("strikes nearest the money whose call−put mids give the put-call-parity forward (median of them)"),
  surface: z
    .strictObject({
      weights: z.enum(SURFACE_WEIGHTS).default("vega").describe("fit weights: Black vega of each quote, or the inverse bid-ask spread in total variance"),
      min_quotes: positiveInt.default(5).describe("out-of-the-money quotes an expiry needs for a fit (fewer: rejected, too_few_quotes)"),
      min_price: z.number().nonnegative().default(0.05).describe("quotes whose mid is below this (in currency) are left out of the fit: a cent of rounding is most of their price"),
      max_rmse_vol_points: z.number().positive().default(3).describe("a fit whose RMSE exceeds this many vol points is rejected"),
      min_days: positiveInt.default(2).describe("expiries closer than this many calendar days are not fitted (rejected, too_short)"),
    })
    .prefault({}),
  strategies: z
    .strictObject({
      enabled: z.boolean().default(true).describe("build candidate structures on each session's surfaces and evaluate them on the next session's (docs/options.md, section 4)"),
      tenors_days: z
        .array(positiveInt)
        .min(1)
        .default(() => [7, 14])
        .describe("tenors in calendar days: each picks the accepted expiry nearest to it; consecutive tenors make a calendar"),
      wing_delta: z.number().gt(0).lt(0.5).default(0.25).describe("the |delta| of the wing strikes (strangle, risk reversal, butterfly wings, verticals' short leg)"),
    })
    .prefault({}),
});

export type OptionsCurationConfig = z.infer<typeof optionsCurationSchema>;
