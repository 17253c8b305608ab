/**
 * Delta-hedging parameters of the hedging kernel (src/kernels/hedge/, assembly/hedge/). The options backtester's
 * config and the strategies' next-day evaluation embed one of these; the façade parses what it is given with the
 * same schema, so the defaults live here and nowhere else. See docs/kernels.md, "Hedging kernel".
 */
import { z } from "zod";

// zod 4 numbers are finite (NaN and Infinity fail).
const amount = z.number().min(0);

export const hedgeParamsSchema = z.strictObject({
  mode: z
    .enum(["none", "every_step", "band_shares", "band_dollars"])
    .default("every_step")
    .describe(
      "every_step: rebalance to delta-neutral at every step; band_shares / band_dollars: only when |book delta + hedge| " +
        "(shares), or that times spot (currency), exceeds `band`; none: no hedge",
    ),
  band: amount.default(0).describe("band half-width: shares (band_shares) or currency of delta exposure (band_dollars)"),
  rebalance_to: z
    .enum(["center", "edge"])
    .default("center")
    .describe("band modes: trade back to delta-neutral (center) or only to the band's edge (edge)"),
  stock_cost_bps: amount.max(10_000).default(0).describe("stock trades: cost in basis points of the traded notional"),
  stock_cost_per_share: amount.default(0).describe("stock trades: cost in currency per share traded"),
  option_cost_bps: amount
    .max(10_000)
    .default(0)
    .describe("option entries and exits: cost in basis points of the mark per unit traded (the half-spread input adds to it)"),
  close_at_end: z
    .boolean()
    .default(false)
    .describe("sell every live leg at its mark (paying the option cost) and unwind the hedge at the last step"),
  carry_bad_marks: z
    .boolean()
    .default(false)
    .describe("a live leg whose mark cannot be computed keeps its last good mark and Greeks (step status carried) instead of failing the path"),
});

export type HedgeParams = z.infer<typeof hedgeParamsSchema>;
export type HedgeParamsInput = z.input<typeof hedgeParamsSchema>;
