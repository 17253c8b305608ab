// A hand-built path where every number can be worked out on paper: 10 long calls priced at vol 0 with zero rates,
// so each mark is the intrinsic value and each delta exactly 0 or 1 (spot below or above the strike); the daily hedge
// is then 0 or -10 shares. Costs and borrow must change the PnL by exactly the amounts below and nothing else.
import { beforeAll, describe, expect, it } from "vitest";
import { createKernels, type Kernels } from "../../../src/kernels/index.ts";
import { bookFromLegs, type HedgeInput, type HedgeParamsInput, type HedgeStepColumns } from "../../../src/kernels/hedge/index.ts";

let k: Kernels;
beforeAll(async () => {
  k = await createKernels({ engine: "wasm", workers: 1 });
});

const SPOT = [95, 105, 110, 98, 102];
const TIME = [0, 0.01, 0.02, 0.03, 0.04];
const input: HedgeInput = {
  paths: 2, steps: 5,
  book: bookFromLegs([{ strike: 100, expiry: 1, type: "call", quantity: 10 }]),
  spot: { perStep: SPOT }, time: { perStep: TIME }, rate: 0, vol: 0,
  // Path 0 in the general-collateral tier (30 bps a year), path 1 hard to borrow (2,500 bps).
  borrowBps: { perPath: [30, 2500] },
  halfSpread: 0.05,
};
const free: HedgeParamsInput = { mode: "every_step", close_at_end: true };
const costly: HedgeParamsInput = { ...free, stock_cost_bps: 5, stock_cost_per_share: 0.01, option_cost_bps: 20 };

function steps(columns: HedgeStepColumns | undefined): HedgeStepColumns {
  if (columns === undefined) throw new Error("no step columns");
  return columns;
}

describe("costs and borrow on a hand-built path", () => {
  it("reconciles the cost-free run to the hand-computed marks", () => {
    const s = steps(k.hedge({ ...input, halfSpread: 0, borrowBps: 0 }, free).perStep);
    // Marks 10 x max(S - 100, 0): 0, 50, 100, 0, 20 (sold at the end). Hedge 0, -10, -10, 0, then unwound.
    expect(Array.from(s.bookValue.subarray(0, 4))).toEqual([0, 50, 100, 0]);
    expect(Array.from(s.hedge.subarray(0, 5))).toEqual([0, -10, -10, 0, 0]);
    // Option +20 over the path; short 10 shares from 105 to 110 (-50) and from 110 to 98 (+120).
    expect(Array.from(s.pnl.subarray(0, 5))).toEqual([0, 50, 0, 20, 20]);
  });

  it("changes the PnL by exactly the configured costs and borrow", () => {
    const base = k.hedge({ ...input, halfSpread: 0, borrowBps: 0 }, free);
    const withCosts = k.hedge(input, costly);
    const b = steps(base.perStep);
    const c = steps(withCosts.perStep);
    // Stock: sell 10 at 105, buy 10 at 98: 10 x (S x 5 bps + 0.01).
    const stock = [0, -10 * (105 * 5e-4 + 0.01), 0, -10 * (98 * 5e-4 + 0.01), 0];
    // Options: buy 10 at a mark of 0, sell 10 at a mark of 2 each: 10 x (0.05 + 20 bps x mark).
    const option = [-10 * 0.05, 0, 0, 0, -10 * (0.05 + 20e-4 * 2)];
    // Borrow on the 10 short shares over (t1, t2] at 105 and (t2, t3] at 110, 0.01 year each.
    const borrowFor = (bps: number) => [0, 0, -10 * 105 * (bps / 1e4) * 0.01, -10 * 110 * (bps / 1e4) * 0.01, 0];
    for (const [p, bps] of [[0, 30], [1, 2500]] as const) {
      const borrow = borrowFor(bps);
      for (let kStep = 0; kStep < 5; kStep++) {
        const at = p * 5 + kStep;
        expect(c.stockCost[at]).toBeCloseTo(stock[kStep] ?? Number.NaN, 12);
        expect(c.optionCost[at]).toBeCloseTo(option[kStep] ?? Number.NaN, 12);
        expect(c.borrow[at]).toBeCloseTo(borrow[kStep] ?? Number.NaN, 12);
        const configured = (stock[kStep] ?? 0) + (option[kStep] ?? 0) + (borrow[kStep] ?? 0);
        expect((c.pnl[at] ?? Number.NaN) - (b.pnl[at] ?? Number.NaN)).toBeCloseTo(configured, 12);
        // The hedge does not depend on costs.
        expect(c.hedge[at]).toBe(b.hedge[at]);
      }
      const sum = (a: readonly number[]) => a.reduce((x, y) => x + y, 0);
      const t = withCosts.totals;
      expect(t.stockCost[p]).toBeCloseTo(sum(stock), 12);
      expect(t.optionCost[p]).toBeCloseTo(sum(option), 12);
      expect(t.borrow[p]).toBeCloseTo(sum(borrow), 12);
      expect((t.pnl[p] ?? Number.NaN) - (base.totals.pnl[p] ?? Number.NaN)).toBeCloseTo(sum(stock) + sum(option) + sum(borrow), 11);
      expect(t.rebalances[p]).toBe(2);
      expect(t.sharesTraded[p]).toBe(20);
      expect(t.notionalTraded[p]).toBe(10 * 105 + 10 * 98);
    }
  });

  it("finances the cash account at the rate and pays dividends on short stock", () => {
    // Same path with r = 5% and q = 2% (vol 0: delta e^{-q tau} x 1{F > K}): the carry of each interval is
    // cash x (e^{r dt} - 1) + shares x S x (e^{q dt} - 1), from the previous step's cash and hedge.
    const r = 0.05, q = 0.02;
    const s = steps(k.hedge({ ...input, paths: 1, borrowBps: 0, halfSpread: 0, rate: r, div: q }, free).perStep);
    for (let kStep = 1; kStep < 5; kStep++) {
      const dt = (TIME[kStep] ?? 0) - (TIME[kStep - 1] ?? 0);
      const want = (s.cash[kStep - 1] ?? 0) * Math.expm1(r * dt) + (s.hedge[kStep - 1] ?? 0) * (SPOT[kStep - 1] ?? 0) * Math.expm1(q * dt);
      expect(s.financing[kStep]).toBeCloseTo(want, 12);
    }
    expect(s.hedge[1]).toBeLessThan(0); // short shares: the dividend part is a payment
  });

  it("rebalances in a band only when the net delta leaves it", () => {
    // Short 10 calls at vol 0: book delta 0 or -10 shares. A 12-share band never trades; an 8-share band does.
    const short = { ...input, paths: 1, borrowBps: 0, book: bookFromLegs([{ strike: 100, expiry: 1, type: "call", quantity: -10 }]) };
    const wide = k.hedge(short, { mode: "band_shares", band: 12 });
    expect(wide.totals.rebalances[0]).toBe(0);
    const narrow = steps(k.hedge(short, { mode: "band_shares", band: 8 }).perStep);
    expect(Array.from(narrow.hedge.subarray(0, 5))).toEqual([0, 10, 10, 0, 10]);
    // To the edge: net delta -10 is brought back to -8 only.
    const edge = steps(k.hedge(short, { mode: "band_shares", band: 8, rebalance_to: "edge" }).perStep);
    expect(Array.from(edge.hedge.subarray(0, 5))).toEqual([0, 2, 2, 2, 2]);
    // In delta-dollars: |net delta| x S = 10 x 105 = 1,050 > 1,000 trades; 1,100 does not.
    expect(k.hedge(short, { mode: "band_dollars", band: 1_000 }).totals.rebalances[0]).toBeGreaterThan(0);
    expect(k.hedge(short, { mode: "band_dollars", band: 1_100 }).totals.rebalances[0]).toBe(0);
  });
});
