/**
 * configs/backtest/options.yml: what the options backtester (src/backtest/options/, `trademl backtest options`)
 * trades, when, and what trading and hedging it costs. The structure is one the strategies module builds
 * (src/options/strategies.ts) at a tenor and wing delta; positions are entered every `entry.every_sessions` sessions
 * and held `entry.hold_sessions` sessions (or to expiry), marked daily on the SVI surfaces and delta-hedged by the
 * hedging kernel with the embedded `hedge` parameters. Borrow on short stock comes from configs/borrow.yml.
 */
import { z } from "zod";
import { closestName } from "../did-you-mean.ts";
import { hedgeParamsSchema } from "./hedge.ts";
import { isoDate, positiveInt, symbolName } from "./common.ts";
import { STRATEGY_NAMES } from "../../domain/option-strategies.ts";

const strategyName = z.enum(STRATEGY_NAMES, {
  error: (issue) => {
    const given = typeof issue.input === "string" ? issue.input : JSON.stringify(issue.input);
    const hint = typeof issue.input === "string" ? closestName(issue.input, STRATEGY_NAMES) : undefined;
    return `unknown strategy "${given}"${hint === undefined ? "" : `: did you mean ${hint}?`} (one of ${STRATEGY_NAMES.join(", ")})`;
  },
});

export const optionsBacktestSchema = z
  .strictObject({
    underlier: symbolName.describe("the underlier whose surfaces the structures are priced on, e.g. AMZN"),
    strategy: strategyName.describe("the structure to trade (docs/options.md, section 4): its legs, ATM and wing strikes"),
    tenor_days: positiveInt.default(14).describe("calendar days to expiry: each entry picks the accepted expiry nearest to it (the near tenor of a calendar)"),
    far_tenor_days: positiveInt.default(28).describe("calendar only: the far leg's tenor in calendar days (greater than tenor_days)"),
    wing_delta: z.number().gt(0).lt(0.5).default(0.25).describe("the |delta| of the wing strikes (strangle, verticals' short leg, risk reversal, butterfly wings)"),
    start: isoDate.optional().describe("first session of the run (default: the underlier's first session with an accepted surface)"),
    end: isoDate.optional().describe("last session of the run (default: the underlier's last session with an accepted surface)"),
    entry: z
      .strictObject({
        every_sessions: positiveInt.default(2).describe("enter a new position on the first session and every this many sessions after"),
        hold_sessions: positiveInt.default(4).describe("sell a position's legs at their marks this many sessions after entry (legs expiring earlier settle at intrinsic value)"),
      })
      .prefault({}),
    quantity: z
      .number()
      .refine((q) => q !== 0, "quantity must not be 0")
      .default(1)
      .describe("structures per entry (contracts of each leg times its leg quantity); negative sells the structure"),
    multiplier: z.number().gt(0).default(100).describe("units of the underlier per contract"),
    capital: z.number().gt(0).default(100_000).describe("the capital returns are measured on (currency)"),
    rates: z
      .enum(["surface", "zero"])
      .default("surface")
      .describe(
        "surface: the cash account and the Greeks' carry use the rate and dividend yield implied by the front live leg's slice " +
          "(r = −ln(DF)/t, q = r − ln(F/S)/t); zero: no interest, no dividend on the shares, Greeks at zero carry. Marks are always the surface's",
      ),
    hedge: hedgeParamsSchema
      .omit({ carry_bad_marks: true })
      .prefault({})
      .describe("delta hedging and transaction costs (the hedging kernel's parameters); a missing surface always carries the last good mark"),
  })
  .superRefine((config, ctx) => {
    if (config.start !== undefined && config.end !== undefined && config.end < config.start) {
      ctx.addIssue({ code: "custom", path: ["end"], message: `end ${config.end} is before start ${config.start}` });
    }
    if (config.strategy === "calendar" && config.far_tenor_days <= config.tenor_days) {
      ctx.addIssue({ code: "custom", path: ["far_tenor_days"], message: `a calendar's far tenor (${config.far_tenor_days}) must exceed tenor_days (${config.tenor_days})` });
    }
  });

export type OptionsBacktestConfig = z.infer<typeof optionsBacktestSchema>;
export type OptionsBacktestConfigInput = z.input<typeof optionsBacktestSchema>;
