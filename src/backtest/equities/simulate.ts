/**
 * The equities backtester's arithmetic (pure, deterministic): each date, a long-short portfolio from that date's
 * predictions, held over the label's horizon (d's close to the next session's close for horizon_days 1, the
 * forward total return of the dataset), rebalanced toward its targets every date.
 *
 *   w_t,i     = w_{t−1},i + a·(target_t,i − w_{t−1},i),  a = 1 − 2^(−1/h), h = rebalance_half_life_days
 *               (h = 0: a = 1, the book is reset to its targets; h > 0: it trades part of the way, so a
 *               persistent signal is kept and day-to-day noise in the scores is averaged instead of traded.
 *               A book closed the day it opens has nothing to carry and always takes its targets.)
 *   trade_i   = w_t,i − w_{t−1},i            (a name absent today is traded to 0; return drift is ignored)
 *   cost_t    = Σ |trade_i| · bps(ADV bucket of i on t) / 10⁴
 *               (+ |w_t,i| · bps for a holding whose exit date is t itself, an intraday label: it is opened and
 *               closed the same day, so w_{t−1},i is 0 for every name and both trades are paid)
 *   borrow_t  = Σ max(−w_t,i, 0) · borrow_bps_year(i, t) / 10⁴ / days_per_year · calendar days held
 *               (0 for a holding closed the day it opens: stock loan fees accrue on shares held overnight)
 *   gross_t   = Σ w_t,i · r_i ;  net_t = gross_t − cost_t − borrow_t
 *
 * Returns are per unit of capital. The last day's positions are not liquidated (their exit would be the first
 * trade of the next run). Capacity note: the capital at which the day's largest trade, relative to its name's
 * dollar volume, reaches `capacity_participation` of that volume.
 */
import type { EquitiesBacktestConfig } from "../../config/schemas/equities-backtest.ts";
import { dateStartMs } from "../../domain/calendar/dates.ts";
import { UsageError } from "../../domain/errors.ts";
import { mean, sampleStd } from "../../validate/numeric.ts";
import { portfolioWeights } from "./portfolio-weights.ts";

export interface BacktestPanel {
  /** Distinct dates ascending; `group[i]` indexes them. Rows sorted by date. */
  readonly dates: readonly string[];
  readonly group: ArrayLike<number>;
  readonly names: readonly string[];
  /** Prediction per row; a non-finite score leaves the name out that day. */
  readonly score: ArrayLike<number>;
  /** The forward return the position earns (the dataset's target). */
  readonly forwardReturn: ArrayLike<number>;
  /** 20-session mean dollar volume (USD); NaN when unknown (the least liquid cost bucket applies). */
  readonly adv: ArrayLike<number>;
  /** Last date of each row's holding period (the label's end date). */
  readonly exitDates: readonly string[];
}

/** Borrow fee per calendar day and unit of short value, by symbol and day (reference/borrow-tiers.ts). */
export interface BorrowFees {
  dailyFee(symbol: string, date: string, calendarDays?: number): number;
  rateOf(symbol: string, date: string): { readonly tier: string };
}

export interface BacktestDay {
  readonly date: string;
  readonly gross: number;
  readonly cost: number;
  readonly borrow: number;
  readonly net: number;
  /** Σ |trade| (one-way turnover in units of capital). */
  readonly turnover: number;
  readonly longNames: number;
  readonly shortNames: number;
  /** USD of capital at which the largest trade is capacity_participation of its ADV (Infinity without trades). */
  readonly capacityUsd: number;
}

export interface BacktestPosition {
  readonly date: string;
  readonly symbol: string;
  readonly score: number;
  readonly weight: number;
  readonly trade: number;
  readonly forwardReturn: number;
  readonly pnl: number;
  readonly cost: number;
  readonly borrow: number;
  readonly borrowTier: string;
}

export interface BacktestSummary {
  readonly days: number;
  readonly grossReturn: number;
  readonly netReturn: number;
  readonly totalCost: number;
  readonly totalBorrow: number;
  readonly meanTurnover: number;
  /** Annualised: mean / sample sd × √periods_per_year; NaN with fewer than 2 days or no dispersion. */
  readonly grossSharpe: number;
  readonly netSharpe: number;
  readonly maxDrawdown: number;
  readonly medianCapacityUsd: number;
}

export interface BacktestResult {
  readonly days: readonly BacktestDay[];
  readonly positions: readonly BacktestPosition[];
  readonly summary: BacktestSummary;
}

function costBps(adv: number, buckets: EquitiesBacktestConfig["cost_bps_by_adv"]): number {
  let bps = buckets[0]?.bps ?? 0;
  if (!Number.isFinite(adv)) return bps;
  for (const bucket of buckets) if (adv >= bucket.min_adv_usd) bps = bucket.bps;
  return bps;
}

function calendarDays(from: string, to: string): number {
  return Math.max(0, Math.round((dateStartMs(to) - dateStartMs(from)) / 86_400_000));
}

function annualisedSharpe(values: readonly number[], periodsPerYear: number): number {
  const sd = sampleStd(values);
  return values.length >= 2 && sd > 0 ? (mean(values) / sd) * Math.sqrt(periodsPerYear) : Number.NaN;
}

function median(values: readonly number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.POSITIVE_INFINITY;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function simulateEquitiesBacktest(
  panel: BacktestPanel,
  config: EquitiesBacktestConfig,
  borrow: BorrowFees,
  periodsPerYear: number,
): BacktestResult {
  const n = panel.names.length;
  if (panel.group.length !== n || panel.score.length !== n || panel.forwardReturn.length !== n || panel.adv.length !== n || panel.exitDates.length !== n) {
    throw new UsageError("backtest_bad_panel", "backtest panel columns must all have one entry per row");
  }
  const days: BacktestDay[] = [];
  const positions: BacktestPosition[] = [];
  let previous = new Map<string, number>();
  // The share of yesterday's weight a name keeps when the book moves toward today's target.
  const keep = config.rebalance_half_life_days > 0 ? 2 ** (-1 / config.rebalance_half_life_days) : 0;
  let start = 0;
  while (start < n) {
    const g = panel.group[start] ?? 0;
    let end = start;
    while (end < n && panel.group[end] === g) end++;
    if (end < n && (panel.group[end] ?? 0) < g) throw new UsageError("backtest_unsorted", "backtest rows must be sorted by date");
    const date = panel.dates[g] ?? "";
    const rows: number[] = [];
    for (let i = start; i < end; i++) {
      if (Number.isFinite(panel.score[i] ?? Number.NaN) && Number.isFinite(panel.forwardReturn[i] ?? Number.NaN)) rows.push(i);
    }
    const weights = portfolioWeights(rows.map((i) => panel.score[i] ?? 0), config);
    const current = new Map<string, number>();
    let gross = 0;
    let cost = 0;
    let fee = 0;
    let turnover = 0;
    let longNames = 0;
    let shortNames = 0;
    let capacity = Number.POSITIVE_INFINITY;
    rows.forEach((i, k) => {
      const symbol = panel.names[i] ?? "";
      const target = weights[k] ?? 0;
      const held = previous.get(symbol) ?? 0;
      // A holding that ends the day it starts (an intraday label) is closed at that day's exit: its closing
      // trade is paid today and nothing carries into tomorrow's book.
      const closedToday = (panel.exitDates[i] ?? "") === date;
      const weight = keep === 0 || closedToday ? target : held + (1 - keep) * (target - held);
      const trade = weight - held;
      const adv = panel.adv[i] ?? Number.NaN;
      const r = panel.forwardReturn[i] ?? 0;
      const closing = closedToday ? Math.abs(weight) : 0;
      const tradeCost = ((Math.abs(trade) + closing) * costBps(adv, config.cost_bps_by_adv)) / 10_000;
      const borrowFee = weight < 0 ? -weight * borrow.dailyFee(symbol, date, calendarDays(date, panel.exitDates[i] ?? date)) : 0;
      const pnl = weight * r;
      if (weight !== 0 && !closedToday) current.set(symbol, weight);
      if (weight > 0) longNames++;
      if (weight < 0) shortNames++;
      gross += pnl;
      cost += tradeCost;
      fee += borrowFee;
      turnover += Math.abs(trade) + closing;
      if (trade !== 0) capacity = Math.min(capacity, Number.isFinite(adv) && adv > 0 ? (config.capacity_participation * adv) / Math.abs(trade) : 0);
      if (weight !== 0 || trade !== 0) {
        positions.push({ date, symbol, score: panel.score[i] ?? Number.NaN, weight, trade, forwardReturn: r, pnl, cost: tradeCost, borrow: borrowFee,
          borrowTier: weight < 0 ? borrow.rateOf(symbol, date).tier : "" });
      }
    });
    // Names held yesterday and absent today (no score, or left the universe) are closed at today's cost.
    for (const [symbol, weight] of previous) {
      if (current.has(symbol) || rows.some((i) => panel.names[i] === symbol)) continue;
      const tradeCost = (Math.abs(weight) * costBps(Number.NaN, config.cost_bps_by_adv)) / 10_000;
      cost += tradeCost;
      turnover += Math.abs(weight);
      positions.push({ date, symbol, score: Number.NaN, weight: 0, trade: -weight, forwardReturn: Number.NaN, pnl: 0, cost: tradeCost, borrow: 0, borrowTier: "" });
    }
    days.push({ date, gross, cost, borrow: fee, net: gross - cost - fee, turnover, longNames, shortNames, capacityUsd: capacity });
    previous = current;
    start = end;
  }
  return { days, positions, summary: summarise(days, periodsPerYear) };
}

export function summarise(days: readonly BacktestDay[], periodsPerYear: number): BacktestSummary {
  const net = days.map((d) => d.net);
  let wealth = 1;
  let peak = 1;
  let maxDrawdown = 0;
  for (const r of net) {
    wealth *= 1 + r;
    peak = Math.max(peak, wealth);
    maxDrawdown = Math.max(maxDrawdown, 1 - wealth / peak);
  }
  const sum = (pick: (d: BacktestDay) => number): number => days.reduce((s, d) => s + pick(d), 0);
  return {
    days: days.length,
    grossReturn: sum((d) => d.gross),
    netReturn: sum((d) => d.net),
    totalCost: sum((d) => d.cost),
    totalBorrow: sum((d) => d.borrow),
    meanTurnover: days.length === 0 ? 0 : sum((d) => d.turnover) / days.length,
    grossSharpe: annualisedSharpe(days.map((d) => d.gross), periodsPerYear),
    netSharpe: annualisedSharpe(net, periodsPerYear),
    maxDrawdown,
    medianCapacityUsd: median(days.map((d) => d.capacityUsd)),
  };
}
