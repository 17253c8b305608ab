/**
 * configs/borrow.yml: the stock-borrow tiers a short position pays, for the equities and options backtesters
 * (issue 12 item 7 is their one source). A symbol's tier on a day comes from the user's own list when one was
 * imported (`trademl borrow import FILE`, reference/borrow_tiers), otherwise from a free approximation by
 * liquidity: the point-in-time universe's dollar-volume rank (reference/universe, monthly). Broker rates vary;
 * these are the usual orders of magnitude (general collateral ~0.25-0.5 %/year, "warm" names a few percent,
 * hard-to-borrow tens of percent), chosen to be conservative for a retail account. See docs/training.md.
 */
import { z } from "zod";
import { ratio } from "./common.ts";

export const BORROW_TIERS = ["gc", "warm", "htb"] as const;
export type BorrowTier = (typeof BORROW_TIERS)[number];

const bpsPerYear = z.number().min(0).max(100_000);

export const borrowSchema = z
  .strictObject({
    tiers: z
      .strictObject({
        gc: bpsPerYear.default(30).describe("general collateral: easy to borrow (bps per year of the short's value)"),
        warm: bpsPerYear.default(300).describe("warm: some scarcity (bps per year)"),
        htb: bpsPerYear.default(2000).describe("hard to borrow (bps per year)"),
      })
      .prefault({})
      .describe("borrow fee of each tier, in basis points per year of the short position's value"),
    approximation: z
      .strictObject({
        htb_below: ratio
          .default(0.1)
          .describe("a name in the least liquid this share of the month's universe (by median dollar volume) is HTB"),
        warm_below: ratio.default(0.3).describe("a name below this share (and not HTB) is warm; the rest is GC"),
        unranked: z
          .enum(BORROW_TIERS)
          .default("htb")
          .describe("tier of a name the universe did not rank that month (too few sessions: new listings, thin names)"),
      })
      .prefault({})
      .refine((a) => a.htb_below <= a.warm_below, { message: "htb_below must not exceed warm_below", path: ["htb_below"] })
      .describe("the free approximation used where no imported list covers a symbol and day"),
    days_per_year: z
      .number()
      .positive()
      .max(366)
      .default(360)
      .describe("calendar-day basis of the annual fee (US stock loan accrues actual/360)"),
  })
  .prefault({});

export type BorrowConfig = z.infer<typeof borrowSchema>;
