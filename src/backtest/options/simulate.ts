/**
 * The options backtester's run (docs/options.md, section 5): positions entered on a schedule, every live leg marked
 * each session on that session's SVI slice of its expiry (σ = √(w(k)/t) at k = ln(K/F), price DF·Black(F, K, σ, t):
 * the strategies module's pricing, never a vendor mid), and the book delta-hedged by the hedging kernel along the
 * one historical path (one step per session) with its costs, financing and borrow.
 *
 * What goes into the kernel, per step k (session d_k, time (d_k − d_0)/365, ACT/365 like the surfaces' t):
 *  - spot: options_iv's close of the session, else the curated daily close (market.ts); a session with neither
 *    carries the last one, flagged;
 *  - per leg: the surface mark and vol; NaN when the session has no accepted slice of the leg's expiry, which the
 *    kernel (carry_bad_marks) turns into "carried": the leg keeps its last good mark and Greeks, the step is flagged;
 *  - rate and dividend yield (rates: surface) implied by the front live leg's slice, r = −ln(DF)/t and
 *    q = r − ln(F/S)/t, carried from the last session that had one; zero with rates: zero;
 *  - borrow: the underlier's tier that day (configs/borrow.yml, reference/borrow_tiers), as bps per year on the
 *    kernel's ACT/365 axis: dailyFee × 365 × 10⁴, so a short hedge pays exactly the tier's fee per calendar day.
 * Legs are entered at their mark (paying option_cost_bps of it), sold at their mark at the exit step, and settle
 * at intrinsic value at expiry (no cost).
 */
import type { Kernels } from "../../kernels/index.ts";
import { HEDGE_FIRST_FAILURE, hedgeStatusName, type HedgeResult, type HedgeStatusName } from "../../kernels/hedge/index.ts";
import type { OptionSpec } from "../../kernels/types.ts";
import type { OptionsBacktestConfig } from "../../config/schemas/options-backtest.ts";
import { KernelError } from "../../domain/errors.ts";
import { dateStartMs } from "../../domain/calendar/dates.ts";
import { buildStrategies, priceLegs, type Strategy, type StrategySlice } from "../../options/strategies.ts";
import { summarise, type BacktestDay, type BacktestSummary } from "../equities/simulate.ts";
import type { OptionsMarket } from "./market.ts";

/** What the backtester needs of the kernel façade. */
export type BacktestKernels = Pick<Kernels, "bsmOptions" | "sviEval" | "hedge">;

/** Borrow fee per calendar day per unit of short value (src/reference/borrow-tiers.ts). */
export interface BorrowLookup {
  dailyFee(symbol: string, date: string, calendarDays?: number): number;
  rateOf(symbol: string, date: string): { readonly tier: string; readonly bpsPerYear: number };
}

const DAY_MS = 86_400_000;
const TRADING_DAYS = 252;

export interface BacktestLeg {
  readonly position: number;
  readonly leg: number;
  readonly expiry: string;
  readonly strike: number;
  readonly right: "C" | "P";
  /** Units of the underlier (leg qty × quantity × multiplier), signed. */
  readonly quantity: number;
  readonly entryStep: number;
  /** -1: held to the end of the run. */
  readonly exitStep: number;
}

export interface SkippedEntry {
  readonly date: string;
  readonly reason: string;
}

export type OptionsDailyRow = {
  readonly date: string;
  readonly spot: number;
  readonly spot_carried: boolean;
  readonly pnl: number;
  readonly delta_pnl: number;
  readonly gamma_pnl: number;
  readonly vega_pnl: number;
  readonly theta_pnl: number;
  readonly residual: number;
  readonly financing: number;
  readonly borrow: number;
  readonly stock_cost: number;
  readonly option_cost: number;
  readonly hedge_shares: number;
  readonly hedge_trade: number;
  readonly book_value: number;
  readonly book_delta: number;
  readonly cash: number;
  readonly equity: number;
  readonly net: number;
  readonly open_legs: number;
  readonly carried_legs: number;
  readonly status: HedgeStatusName;
  readonly rate: number;
  readonly div: number;
  readonly borrow_tier: string;
  readonly borrow_bps: number;
};

export type OptionsPositionRow = {
  readonly date: string;
  readonly position_id: number;
  readonly leg: number;
  readonly expiry: string;
  readonly strike: number;
  readonly right: string;
  readonly quantity: number;
  readonly t: number;
  readonly vol: number;
  readonly mark: number;
  readonly value: number;
  readonly delta: number;
  readonly gamma: number;
  readonly vega: number;
  readonly theta: number;
  /** True when the session had no accepted slice of the leg's expiry: mark and Greeks are the last good ones. */
  readonly carried: boolean;
  readonly mark_date: string;
};

export type OptionsTradeRow = {
  readonly date: string;
  readonly position_id: number | null;
  readonly leg: number | null;
  readonly instrument: "option" | "stock";
  readonly action: "open" | "close" | "expire" | "hedge";
  readonly expiry: string | null;
  readonly strike: number | null;
  readonly right: string | null;
  /** Signed units bought (+) or sold (−). */
  readonly quantity: number;
  readonly price: number;
  readonly cost: number;
};

export interface OptionsBacktestSummary extends BacktestSummary {
  readonly totalPnl: number;
  readonly stockCost: number;
  readonly optionCost: number;
  readonly borrow: number;
  readonly financing: number;
  /** Stock costs and borrow of the hedge (currency, ≤ 0). */
  readonly hedgingCost: number;
  /** Hedge shares traded × spot, over the capital. */
  readonly hedgeTurnover: number;
  /** Option premium traded (entries and exits at their marks), over the capital. */
  readonly optionTurnover: number;
  readonly positions: number;
  readonly carriedSteps: number;
}

export interface OptionsBacktestResult {
  readonly legs: readonly BacktestLeg[];
  readonly skipped: readonly SkippedEntry[];
  readonly daily: readonly OptionsDailyRow[];
  readonly positions: readonly OptionsPositionRow[];
  readonly trades: readonly OptionsTradeRow[];
  readonly summary: OptionsBacktestSummary;
}

const days = (from: string, to: string): number => Math.round((dateStartMs(to) - dateStartMs(from)) / DAY_MS);

/** The configured structure on a session's slices, as the strategies pass builds it; undefined when it cannot be built. */
function entryStructure(kernels: BacktestKernels, slices: readonly StrategySlice[] | undefined, config: OptionsBacktestConfig): Strategy | undefined {
  if (slices === undefined) return undefined;
  const tenors = config.strategy === "calendar" ? [config.tenor_days, config.far_tenor_days] : [config.tenor_days];
  return buildStrategies(kernels, slices, { tenors_days: tenors, wing_delta: config.wing_delta })
    .find((s) => s.strategy === config.strategy && s.tenorDays === config.tenor_days);
}

/** Entries every `every_sessions` sessions (none on the last session), each held `hold_sessions` sessions. */
export function planLegs(kernels: BacktestKernels, market: OptionsMarket, config: OptionsBacktestConfig): { legs: BacktestLeg[]; skipped: SkippedEntry[] } {
  const legs: BacktestLeg[] = [];
  const skipped: SkippedEntry[] = [];
  const n = market.sessions.length;
  let position = 0;
  for (let k = 0; k < n - 1; k += config.entry.every_sessions) {
    const date = market.sessions[k] ?? "";
    const slices = market.slices.get(date);
    const structure = entryStructure(kernels, slices, config);
    if (structure === undefined) {
      skipped.push({ date, reason: slices === undefined ? "no accepted surface" : `no ${config.strategy} at tenor ${config.tenor_days} on the accepted slices` });
      continue;
    }
    const exit = k + config.entry.hold_sessions;
    structure.legs.forEach((leg, i) => {
      legs.push({
        position, leg: i, expiry: leg.expiry, strike: leg.strike, right: leg.right, quantity: leg.qty * config.quantity * config.multiplier,
        entryStep: k, exitStep: exit < n ? exit : -1,
      });
    });
    position++;
  }
  return { legs, skipped };
}

interface LegMark {
  readonly vol: number;
  readonly price: number;
  /** Carry of the leg's slice: r = −ln(DF)/t, q = r − ln(F/S)/t. */
  readonly rate: number;
  readonly div: number;
}

/** A leg's mark on a session's slices (NaN when the session has no accepted slice of its expiry). */
function markLeg(kernels: BacktestKernels, leg: BacktestLeg, slices: readonly StrategySlice[] | undefined): LegMark | undefined {
  const slice = slices?.find((s) => s.expiry === leg.expiry);
  if (slice === undefined) return undefined;
  const priced = priceLegs(kernels, [{ expiry: leg.expiry, strike: leg.strike, right: leg.right, qty: 1 }], () => slice)?.[0];
  if (priced === undefined) return undefined;
  const rate = -Math.log(slice.df) / slice.t;
  return { vol: priced.vol, price: priced.price, rate, div: rate - Math.log(slice.forward / slice.spot) / slice.t };
}

/** Spot per session with gaps filled by the last (or, before the first, the next) known close. */
function filledSpot(spot: readonly number[]): { value: number[]; carried: boolean[] } {
  const value: number[] = [];
  const carried: boolean[] = [];
  let last = spot.find((s) => s > 0) ?? Number.NaN;
  for (const s of spot) {
    const known = s > 0;
    if (known) last = s;
    value.push(last);
    carried.push(!known);
  }
  return { value, carried };
}

export function simulateOptionsBacktest(
  kernels: BacktestKernels,
  market: OptionsMarket,
  config: OptionsBacktestConfig,
  borrow: BorrowLookup,
): OptionsBacktestResult {
  const { sessions } = market;
  const n = sessions.length;
  const day0 = sessions[0] ?? "";
  const { legs, skipped } = planLegs(kernels, market, config);
  const spot = filledSpot(market.spot);
  const time = sessions.map((d) => days(day0, d) / 365);
  const expiryTime = legs.map((leg) => days(day0, leg.expiry) / 365);
  // A leg settles at the first step at or past its expiry (the kernel's rule: T − t ≤ 0), and is live from its
  // entry through its exit or settlement step (both of which still mark it).
  const settleStep = legs.map((leg, l) => {
    const k = time.findIndex((t, i) => i >= leg.entryStep && !((expiryTime[l] ?? 0) - t > 0));
    return k < 0 ? n : k;
  });
  const live = (l: number, k: number): boolean => {
    const leg = legs[l];
    return leg !== undefined && leg.entryStep <= k && (leg.exitStep < 0 || k <= leg.exitStep) && k <= (settleStep[l] ?? n);
  };
  const settles = (l: number, k: number): boolean => settleStep[l] === k;

  // Marks and vols per leg and step, and the steps' carry.
  const marks = legs.map(() => new Float64Array(n).fill(Number.NaN));
  const vols = legs.map(() => new Float64Array(n).fill(Number.NaN));
  const rate = new Float64Array(n);
  const div = new Float64Array(n);
  let lastCarry: { rate: number; div: number } | undefined;
  for (let k = 0; k < n; k++) {
    const slices = market.slices.get(sessions[k] ?? "");
    let front: { expiry: number; rate: number; div: number } | undefined;
    legs.forEach((leg, l) => {
      if (!live(l, k)) return;
      const mark = markLeg(kernels, leg, slices);
      if (mark === undefined) return;
      (marks[l] ?? new Float64Array(0))[k] = mark.price;
      (vols[l] ?? new Float64Array(0))[k] = mark.vol;
      const e = expiryTime[l] ?? Number.POSITIVE_INFINITY;
      if (front === undefined || e < front.expiry) front = { expiry: e, rate: mark.rate, div: mark.div };
    });
    if (front !== undefined) lastCarry = { rate: front.rate, div: front.div };
    rate[k] = config.rates === "zero" ? 0 : (lastCarry?.rate ?? 0);
    div[k] = config.rates === "zero" ? 0 : (lastCarry?.div ?? 0);
  }
  // Sessions before the first live leg's carry take the first one known (they hold no option; only cash carries).
  if (config.rates === "surface") {
    const first = rate.findIndex((_, k) => legs.some((__, l) => live(l, k) && Number.isFinite(marks[l]?.[k] ?? Number.NaN)));
    for (let k = 0; k < first; k++) {
      rate[k] = rate[first] ?? 0;
      div[k] = div[first] ?? 0;
    }
  }
  const borrowBps = sessions.map((d) => borrow.dailyFee(market.underlier, d, 1) * 365 * 10_000);

  let result: HedgeResult;
  if (legs.length === 0) {
    result = emptyResult(n);
  } else {
    result = kernels.hedge(
      {
        paths: 1, steps: n,
        book: {
          strike: Float64Array.from(legs, (leg) => leg.strike),
          expiry: Float64Array.from(expiryTime),
          isCall: Int32Array.from(legs, (leg) => (leg.right === "C" ? 1 : 0)),
          quantity: Float64Array.from(legs, (leg) => leg.quantity),
          entryStep: Int32Array.from(legs, (leg) => leg.entryStep),
          exitStep: Int32Array.from(legs, (leg) => leg.exitStep),
        },
        spot: { perStep: spot.value }, time: { perStep: time }, rate: { perStep: rate }, div: { perStep: div },
        borrowBps: { perStep: borrowBps },
        vol: { perLeg: vols.map((v) => ({ perStep: v })) },
        mark: { perLeg: marks.map((m) => ({ perStep: m })) },
      },
      { ...config.hedge, carry_bad_marks: true },
    );
    const failed = result.totals.failedStep[0] ?? -1;
    if (result.failed > 0) {
      const code = result.totals.status[0] ?? HEDGE_FIRST_FAILURE;
      throw new KernelError("backtest_hedge_failed", `the hedging kernel failed the run at ${sessions[failed] ?? `step ${failed}`}: ${hedgeStatusName(code)}`, { details: { step: failed } });
    }
  }
  const steps = result.perStep;
  if (steps === undefined) throw new KernelError("backtest_hedge_failed", "the hedging kernel returned no per-step columns");

  // Per leg and step: the mark the kernel used (last good when carried) and the Greeks of its hedge.
  const positions: OptionsPositionRow[] = [];
  const trades: OptionsTradeRow[] = [];
  const last = legs.map((): { mark: number; vol: number; date: string; greeks: [number, number, number, number] } | undefined => undefined);
  const carriedLegs = new Int32Array(n);
  const openLegs = new Int32Array(n);
  const optionBps = config.hedge.option_cost_bps / 10_000;
  let optionPremium = 0;
  for (let k = 0; k < n; k++) {
    const date = sessions[k] ?? "";
    const S = spot.value[k] ?? Number.NaN;
    const closing = config.hedge.close_at_end && k === n - 1;
    const specs: { l: number; spec: OptionSpec }[] = [];
    legs.forEach((leg, l) => {
      if (!live(l, k)) return;
      const tau = (expiryTime[l] ?? 0) - (time[k] ?? 0);
      if (settles(l, k)) {
        // Settles at intrinsic value, no cost.
        const intrinsic = Math.max(leg.right === "C" ? S - leg.strike : leg.strike - S, 0);
        trades.push({ date, position_id: leg.position, leg: leg.leg, instrument: "option", action: "expire", expiry: leg.expiry, strike: leg.strike, right: leg.right,
          quantity: -leg.quantity, price: intrinsic, cost: 0 });
        optionPremium += Math.abs(leg.quantity) * intrinsic;
        return;
      }
      const vol = vols[l]?.[k] ?? Number.NaN;
      if (Number.isFinite(vol) && Number.isFinite(marks[l]?.[k] ?? Number.NaN)) {
        specs.push({ l, spec: { spot: S, strike: leg.strike, t: tau, rate: rate[k] ?? 0, div: div[k] ?? 0, vol, type: leg.right === "C" ? "call" : "put" } });
      }
    });
    const greeks = kernels.bsmOptions(specs.map((s) => s.spec));
    specs.forEach(({ l }, i) => {
      const g = greeks[i];
      const mark = marks[l]?.[k] ?? Number.NaN;
      if (g !== undefined && g.status === "ok") last[l] = { mark, vol: vols[l]?.[k] ?? Number.NaN, date, greeks: [g.delta, g.gamma, g.vega, g.theta] };
    });
    legs.forEach((leg, l) => {
      if (!live(l, k)) return;
      if (settles(l, k)) return;
      const tau = (expiryTime[l] ?? 0) - (time[k] ?? 0);
      const held = last[l];
      if (held === undefined) return;
      const carried = held.date !== date;
      if (carried) carriedLegs[k] = (carriedLegs[k] ?? 0) + 1;
      const cost = Math.abs(leg.quantity) * optionBps * held.mark;
      if (leg.entryStep === k) {
        trades.push({ date, position_id: leg.position, leg: leg.leg, instrument: "option", action: "open", expiry: leg.expiry, strike: leg.strike, right: leg.right,
          quantity: leg.quantity, price: held.mark, cost });
        optionPremium += Math.abs(leg.quantity) * held.mark;
      }
      if (leg.exitStep === k || closing) {
        trades.push({ date, position_id: leg.position, leg: leg.leg, instrument: "option", action: "close", expiry: leg.expiry, strike: leg.strike, right: leg.right,
          quantity: -leg.quantity, price: held.mark, cost });
        optionPremium += Math.abs(leg.quantity) * held.mark;
        return;
      }
      openLegs[k] = (openLegs[k] ?? 0) + 1;
      const [delta, gamma, vega, theta] = held.greeks;
      positions.push({
        date, position_id: leg.position, leg: leg.leg, expiry: leg.expiry, strike: leg.strike, right: leg.right, quantity: leg.quantity, t: tau,
        vol: held.vol, mark: held.mark, value: leg.quantity * held.mark, delta, gamma, vega, theta, carried, mark_date: held.date,
      });
    });
  }

  const daily: OptionsDailyRow[] = [];
  let equity = config.capital;
  let previousHedge = 0;
  let hedgeNotional = 0;
  for (let k = 0; k < n; k++) {
    const date = sessions[k] ?? "";
    const S = spot.value[k] ?? Number.NaN;
    const at = (column: Float64Array): number => column[k] ?? Number.NaN;
    const pnl = at(steps.pnl);
    const hedge = at(steps.hedge);
    const trade = hedge - previousHedge;
    previousHedge = hedge;
    if (trade !== 0) {
      const cost = Math.abs(trade) * (S * (config.hedge.stock_cost_bps / 10_000) + config.hedge.stock_cost_per_share);
      trades.push({ date, position_id: null, leg: null, instrument: "stock", action: "hedge", expiry: null, strike: null, right: null, quantity: trade, price: S, cost });
      hedgeNotional += Math.abs(trade) * S;
    }
    equity += pnl;
    const tier = borrow.rateOf(market.underlier, date);
    daily.push({
      date, spot: S, spot_carried: spot.carried[k] ?? false, pnl, delta_pnl: at(steps.delta), gamma_pnl: at(steps.gamma), vega_pnl: at(steps.vega),
      theta_pnl: at(steps.theta), residual: at(steps.residual), financing: at(steps.financing), borrow: at(steps.borrow),
      stock_cost: at(steps.stockCost), option_cost: at(steps.optionCost), hedge_shares: hedge, hedge_trade: trade,
      book_value: at(steps.bookValue), book_delta: at(steps.bookDelta), cash: at(steps.cash), equity, net: pnl / config.capital,
      open_legs: openLegs[k] ?? 0, carried_legs: carriedLegs[k] ?? 0, status: hedgeStatusName(steps.status[k] ?? 0),
      rate: rate[k] ?? 0, div: div[k] ?? 0, borrow_tier: tier.tier, borrow_bps: tier.bpsPerYear,
    });
  }
  trades.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));

  const sum = (pick: (d: OptionsDailyRow) => number): number => daily.reduce((s, d) => s + pick(d), 0);
  const base = summarise(daily.map((d): BacktestDay => {
    const cost = -(d.stock_cost + d.option_cost) / config.capital;
    const fee = -d.borrow / config.capital;
    return { date: d.date, gross: d.net + cost + fee, cost, borrow: fee, net: d.net, turnover: (Math.abs(d.hedge_trade) * d.spot) / config.capital,
      longNames: 0, shortNames: 0, capacityUsd: Number.POSITIVE_INFINITY };
  }), TRADING_DAYS);
  return {
    legs, skipped, daily, positions, trades,
    summary: {
      ...base,
      totalPnl: sum((d) => d.pnl), stockCost: sum((d) => d.stock_cost), optionCost: sum((d) => d.option_cost), borrow: sum((d) => d.borrow),
      financing: sum((d) => d.financing), hedgingCost: sum((d) => d.stock_cost + d.borrow), hedgeTurnover: hedgeNotional / config.capital,
      optionTurnover: optionPremium / config.capital, positions: new Set(legs.map((l) => l.position)).size,
      carriedSteps: daily.filter((d) => d.status === "carried").length,
    },
  };
}

/** A run without positions: every step zero (the hedging kernel refuses an empty book). */
function emptyResult(n: number): HedgeResult {
  const zeros = (): Float64Array => new Float64Array(n);
  return {
    paths: 1, steps: n, legs: 0, failed: 0, carried: 0,
    perStep: {
      pnl: zeros(), delta: zeros(), gamma: zeros(), vega: zeros(), theta: zeros(), financing: zeros(), borrow: zeros(), stockCost: zeros(),
      optionCost: zeros(), residual: zeros(), hedge: zeros(), cash: zeros(), bookValue: zeros(), bookDelta: zeros(), status: new Int32Array(n),
    },
    totals: {
      pnl: zeros(), delta: zeros(), gamma: zeros(), vega: zeros(), theta: zeros(), financing: zeros(), borrow: zeros(), stockCost: zeros(),
      optionCost: zeros(), residual: zeros(), sharesTraded: zeros(), notionalTraded: zeros(), rebalances: new Int32Array(1), status: new Int32Array(1),
      failedStep: new Int32Array(1).fill(-1),
    },
  };
}
