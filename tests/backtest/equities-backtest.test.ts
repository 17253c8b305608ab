/**
 * The equities backtester's arithmetic, reconciled by hand: a two-name dollar-neutral book (the smallest
 * long-short portfolio: one name long, one short) without costs, then the same book with trading costs and with
 * borrow, each of which must change PnL by exactly its own amount.
 */
import { describe, expect, it } from "vitest";
import { equitiesBacktestSchema } from "../../src/config/schemas/equities-backtest.ts";
import { portfolioWeights, simulateEquitiesBacktest, type BacktestPanel, type BorrowFees } from "../../src/backtest/equities/index.ts";

const noBorrow: BorrowFees = { dailyFee: () => 0, rateOf: () => ({ tier: "gc" }) };

/** Three dates; A scores higher on the first two, B on the last (a full flip). */
const panel: BacktestPanel = {
  dates: ["2026-03-02", "2026-03-03", "2026-03-06"],
  group: [0, 0, 1, 1, 2, 2],
  names: ["A", "B", "A", "B", "A", "B"],
  score: [2, 1, 2, 1, 1, 2],
  forwardReturn: [0.01, -0.02, 0.03, 0.01, -0.01, 0.02],
  adv: [5e6, 2e8, 5e6, 2e8, 5e6, 2e8],
  exitDates: ["2026-03-03", "2026-03-03", "2026-03-06", "2026-03-06", "2026-03-09", "2026-03-09"],
};

const zeroCosts = equitiesBacktestSchema.parse({ quantiles: 2, cost_bps_by_adv: [{ min_adv_usd: 0, bps: 0 }] });

describe("equities backtester", () => {
  it("reconciles a no-cost long-short book by hand", () => {
    const result = simulateEquitiesBacktest(panel, zeroCosts, noBorrow, 252);
    // Day 1: long A 0.5, short B 0.5: 0.5·0.01 − 0.5·(−0.02) = 0.015. Day 2: 0.5·0.03 − 0.5·0.01 = 0.01.
    // Day 3: flipped, long B, short A: 0.5·0.02 − 0.5·(−0.01) = 0.015.
    const byHand = [0.015, 0.01, 0.015];
    result.days.forEach((day, i) => {
      expect(day.gross).toBeCloseTo(byHand[i] ?? NaN, 15);
      expect(day.net).toBe(day.gross);
    });
    // Turnover: entering (0.5 + 0.5), holding (0), flipping (1 + 1).
    expect(result.days.map((d) => d.turnover)).toEqual([1, 0, 2]);
    const mean = (0.015 + 0.01 + 0.015) / 3;
    const sd = Math.sqrt(((0.015 - mean) ** 2 * 2 + (0.01 - mean) ** 2) / 2);
    expect(result.summary.netSharpe).toBeCloseTo((mean / sd) * Math.sqrt(252), 12);
    expect(result.summary.grossReturn).toBeCloseTo(0.04, 15);
  });

  it("costs change PnL by exactly |trade| × bps of the name's ADV bucket", () => {
    const costs = equitiesBacktestSchema.parse({ quantiles: 2, cost_bps_by_adv: [{ min_adv_usd: 0, bps: 20 }, { min_adv_usd: 1e8, bps: 5 }] });
    const base = simulateEquitiesBacktest(panel, zeroCosts, noBorrow, 252);
    const withCosts = simulateEquitiesBacktest(panel, costs, noBorrow, 252);
    // A (ADV 5e6) pays 20 bps, B (ADV 2e8) pays 5 bps per unit traded.
    const expected = [0.5 * 0.002 + 0.5 * 0.0005, 0, 1 * 0.002 + 1 * 0.0005];
    withCosts.days.forEach((day, i) => {
      expect(day.cost).toBeCloseTo(expected[i] ?? NaN, 15);
      expect(day.net).toBeCloseTo((base.days[i]?.net ?? NaN) - (expected[i] ?? NaN), 15);
      expect(day.gross).toBe(base.days[i]?.gross);
    });
  });

  it("borrow changes PnL by exactly the short's value × fee per calendar day held", () => {
    const feePerDay = 0.0001;
    const borrow: BorrowFees = { dailyFee: (_s, _d, days = 1) => feePerDay * days, rateOf: () => ({ tier: "htb" }) };
    const base = simulateEquitiesBacktest(panel, zeroCosts, noBorrow, 252);
    const withBorrow = simulateEquitiesBacktest(panel, zeroCosts, borrow, 252);
    // Short 0.5 each day, held 1, 3 (Tuesday → Friday) and 3 calendar days.
    const expected = [0.5 * feePerDay * 1, 0.5 * feePerDay * 3, 0.5 * feePerDay * 3];
    withBorrow.days.forEach((day, i) => {
      expect(day.borrow).toBeCloseTo(expected[i] ?? NaN, 18);
      expect(day.net).toBeCloseTo((base.days[i]?.net ?? NaN) - (expected[i] ?? NaN), 15);
    });
    expect(withBorrow.positions.filter((p) => p.weight < 0).every((p) => p.borrowTier === "htb")).toBe(true);
  });

  it("opens and closes an intraday book the same day: both trades costed, no borrow, nothing carried", () => {
    // The same scores with labels that end the day they start (intraday_xs).
    const intraday: BacktestPanel = { ...panel, exitDates: ["2026-03-02", "2026-03-02", "2026-03-03", "2026-03-03", "2026-03-06", "2026-03-06"] };
    const costs = equitiesBacktestSchema.parse({ quantiles: 2, cost_bps_by_adv: [{ min_adv_usd: 0, bps: 20 }, { min_adv_usd: 1e8, bps: 5 }] });
    const borrow: BorrowFees = { dailyFee: (_s, _d, days = 1) => 0.0001 * days, rateOf: () => ({ tier: "htb" }) };
    const base = simulateEquitiesBacktest(intraday, zeroCosts, noBorrow, 252);
    const result = simulateEquitiesBacktest(intraday, costs, borrow, 252);
    // Every day: enter 0.5 + 0.5 and exit 0.5 + 0.5 (turnover 2), A at 20 bps and B at 5 bps, twice each.
    result.days.forEach((day, i) => {
      expect(day.turnover).toBe(2);
      expect(day.cost).toBeCloseTo(2 * (0.5 * 0.002 + 0.5 * 0.0005), 15);
      expect(day.borrow).toBe(0);
      expect(day.gross).toBe(base.days[i]?.gross);
      expect(day.net).toBeCloseTo((base.days[i]?.gross ?? NaN) - day.cost, 15);
    });
    // The carried book of the same scores trades less: it holds on day 2.
    const carried = simulateEquitiesBacktest(panel, costs, noBorrow, 252);
    expect(carried.days[1]?.turnover).toBe(0);
  });

  it("is deterministic and closes a name that leaves the cross-section", () => {
    const gone: BacktestPanel = { ...panel, score: [2, 1, 2, Number.NaN, 1, 2] };
    const a = simulateEquitiesBacktest(gone, zeroCosts, noBorrow, 252);
    const b = simulateEquitiesBacktest(gone, zeroCosts, noBorrow, 252);
    expect(a).toEqual(b);
    // Day 2 has one scored name: no book; both of yesterday's positions are closed.
    expect(a.days[1]?.turnover).toBe(1);
    expect(a.days[1]?.gross).toBe(0);
  });

  it("rebalance_half_life_days trades part of the way to the targets, by hand", () => {
    // h = 1: a = 1 − 2^(−1) = 0.5, the book moves half-way each session. Targets (A, B): (+0.5, −0.5) twice,
    // then (−0.5, +0.5). Weights of A: 0.25, 0.375, −0.0625; B the opposite.
    const config = equitiesBacktestSchema.parse({ quantiles: 2, rebalance_half_life_days: 1, cost_bps_by_adv: [{ min_adv_usd: 0, bps: 20 }, { min_adv_usd: 1e8, bps: 5 }] });
    const result = simulateEquitiesBacktest(panel, config, noBorrow, 252);
    const weightOfA = [0.25, 0.375, -0.0625];
    const tradeOfA = [0.25, 0.125, -0.4375];
    const returns = [[0.01, -0.02], [0.03, 0.01], [-0.01, 0.02]];
    result.days.forEach((day, i) => {
      const w = weightOfA[i] ?? NaN;
      const [ra, rb] = returns[i] ?? [NaN, NaN];
      expect(day.gross).toBeCloseTo(w * (ra ?? NaN) - w * (rb ?? NaN), 15);
      // Both names trade the same amount; A pays 20 bps and B 5 bps on it.
      const traded = Math.abs(tradeOfA[i] ?? NaN);
      expect(day.turnover).toBeCloseTo(2 * traded, 15);
      expect(day.cost).toBeCloseTo(traded * 0.002 + traded * 0.0005, 15);
      expect(day.net).toBeCloseTo(day.gross - day.cost, 15);
    });
    expect(result.positions.filter((p) => p.symbol === "A").map((p) => p.weight)).toEqual(weightOfA);
    // The default (0) is the full rebalance: the same result as without the key.
    const full = simulateEquitiesBacktest(panel, equitiesBacktestSchema.parse({ quantiles: 2, rebalance_half_life_days: 0 }), noBorrow, 252);
    expect(full).toEqual(simulateEquitiesBacktest(panel, equitiesBacktestSchema.parse({ quantiles: 2 }), noBorrow, 252));
    expect(full.days.map((d) => d.turnover)).toEqual([1, 0, 2]);
  });

  it("an intraday book ignores rebalance_half_life_days: it carries nothing to smooth", () => {
    const intraday: BacktestPanel = { ...panel, exitDates: ["2026-03-02", "2026-03-02", "2026-03-03", "2026-03-03", "2026-03-06", "2026-03-06"] };
    const smoothed = simulateEquitiesBacktest(intraday, equitiesBacktestSchema.parse({ quantiles: 2, rebalance_half_life_days: 5 }), noBorrow, 252);
    const full = simulateEquitiesBacktest(intraday, zeroCosts, noBorrow, 252);
    expect(smoothed.days.map((d) => d.gross)).toEqual(full.days.map((d) => d.gross));
    expect(smoothed.days.map((d) => d.turnover)).toEqual([2, 2, 2]);
  });

  it("weights are dollar neutral under both schemes", () => {
    const scores = [0.3, -1, 2, 0.1, 0.7, -0.2, 1.5, 0];
    for (const weighting of ["quantile", "rank"] as const) {
      const w = portfolioWeights(scores, { weighting, quantiles: 4, gross_leverage: 1 });
      const long = [...w].filter((x) => x > 0).reduce((s, x) => s + x, 0);
      const short = [...w].filter((x) => x < 0).reduce((s, x) => s + x, 0);
      expect(long).toBeCloseTo(0.5, 15);
      expect(short).toBeCloseTo(-0.5, 15);
      // The highest score is long, the lowest short.
      expect(w[2]).toBeGreaterThan(0);
      expect(w[1]).toBeLessThan(0);
    }
  });
});
