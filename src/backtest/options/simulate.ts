/**
 * The options backtester's run (docs/options.md, section 5): positions entered on a schedule, every live leg marked
 * each session on that session's SVI slice of its expiry (σ = √(w(k)/t) at k = ln(K/F), price DF·Black(F, K, σ, t):
 * the strategies module's pricing, never a vendor mid), and the book delta-hedged by the hedging kernel along the
 * one historical path (one step per session) with its costs, financing and borrow.
 *
 * What goes into the kernel, per step k (session d_k, time (d_k − d_0)/365, ACT/365 like the surfaces' t):
 *  - spot: options_iv's close of the session, else the curated daily close (surface-history.ts); a session with neither
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
import { HEDGE_FIRST_FAILURE, hedgeStatusName, type HedgeStepColumns } from "../../kernels/hedge/index.ts";
import type { OptionSpec } from "../../kernels/types.ts";
import type { OptionsBacktestConfig } from "../../config/schemas/options-backtest.ts";
import { KernelError } from "../../domain/errors.ts";
import { dateStartMs } from "../../domain/calendar/dates.ts";
import { priceLegs, type StrategySlice } from "../../options/strategies.ts";
import { summarise, type BacktestDay } from "../equities/simulate.ts";
import type { OptionsMarket } from "./surface-history.ts";
import { planLegs } from "./plan-legs.ts";
import type {
  BacktestKernels, BacktestLeg, BorrowLookup, OptionsBacktestResult, OptionsBacktestSummary, OptionsDailyRow, OptionsPositionRow, OptionsTradeRow,
} from "./types.ts";

const DAY_MS = 86_400_000;
const TRADING_DAYS = 252;

const days = (from: string, to: string): number => Math.round((dateStartMs(to) - dateStartMs(from)) / DAY_MS);


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

/** The run's time axis (years since the first session) and each leg's live range. */
interface Schedule {
  readonly n: number;
  readonly time: readonly number[];
  readonly expiryTime: readonly number[];
  /** Live at step k: from entry through its exit or settlement step (both still mark it). */
  live(l: number, k: number): boolean;
  /** Step k is the leg's settlement at intrinsic value: the first step at or past its expiry (the kernel's rule, T − t ≤ 0). */
  settles(l: number, k: number): boolean;
}

function scheduleOf(sessions: readonly string[], legs: readonly BacktestLeg[]): Schedule {
  const n = sessions.length;
  const day0 = sessions[0] ?? "";
  const time = sessions.map((d) => days(day0, d) / 365);
  const expiryTime = legs.map((leg) => days(day0, leg.expiry) / 365);
  const settleStep = legs.map((leg, l) => {
    const k = time.findIndex((t, i) => i >= leg.entryStep && !((expiryTime[l] ?? 0) - t > 0));
    return k < 0 ? n : k;
  });
  return {
    n, time, expiryTime,
    live: (l, k) => {
      const leg = legs[l];
      return leg !== undefined && leg.entryStep <= k && (leg.exitStep < 0 || k <= leg.exitStep) && k <= (settleStep[l] ?? n);
    },
    settles: (l, k) => settleStep[l] === k,
  };
}

/** Per leg and step the surface mark and vol (NaN without one), and per step the carry (see the file comment). */
interface SurfaceInputs {
  readonly marks: readonly Float64Array[];
  readonly vols: readonly Float64Array[];
  readonly rate: Float64Array;
  readonly div: Float64Array;
}

function surfaceInputs(kernels: BacktestKernels, market: OptionsMarket, config: OptionsBacktestConfig, legs: readonly BacktestLeg[], schedule: Schedule): SurfaceInputs {
  const { n, live, expiryTime } = schedule;
  const marks = legs.map(() => new Float64Array(n).fill(Number.NaN));
  const vols = legs.map(() => new Float64Array(n).fill(Number.NaN));
  const rate = new Float64Array(n);
  const div = new Float64Array(n);
  let lastCarry: { rate: number; div: number } | undefined;
  let firstCarry = -1;
  for (let k = 0; k < n; k++) {
    const slices = market.slices.get(market.sessions[k] ?? "");
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
    if (front !== undefined) {
      lastCarry = { rate: front.rate, div: front.div };
      if (firstCarry < 0) firstCarry = k;
    }
    rate[k] = config.rates === "zero" ? 0 : (lastCarry?.rate ?? 0);
    div[k] = config.rates === "zero" ? 0 : (lastCarry?.div ?? 0);
  }
  // Sessions before the first carry known take it (they hold no option; only the cash account carries).
  for (let k = 0; k < firstCarry; k++) {
    rate[k] = rate[firstCarry] ?? 0;
    div[k] = div[firstCarry] ?? 0;
  }
  return { marks, vols, rate, div };
}

/** The hedging kernel along the session path; a failed path is a KernelError naming the session. */
function hedgeRun(
  kernels: BacktestKernels, config: OptionsBacktestConfig, sessions: readonly string[], legs: readonly BacktestLeg[], schedule: Schedule,
  spot: readonly number[], inputs: SurfaceInputs, borrowBps: readonly number[],
): HedgeStepColumns {
  // The kernel refuses an empty book: a run without positions is zero every step.
  if (legs.length === 0) return emptySteps(schedule.n);
  const result = kernels.hedge(
    {
      paths: 1, steps: schedule.n,
      book: {
        strike: Float64Array.from(legs, (leg) => leg.strike),
        expiry: Float64Array.from(schedule.expiryTime),
        isCall: Int32Array.from(legs, (leg) => (leg.right === "C" ? 1 : 0)),
        quantity: Float64Array.from(legs, (leg) => leg.quantity),
        entryStep: Int32Array.from(legs, (leg) => leg.entryStep),
        exitStep: Int32Array.from(legs, (leg) => leg.exitStep),
      },
      spot: { perStep: spot }, time: { perStep: schedule.time }, rate: { perStep: inputs.rate }, div: { perStep: inputs.div },
      borrowBps: { perStep: borrowBps },
      vol: { perLeg: inputs.vols.map((v) => ({ perStep: v })) },
      mark: { perLeg: inputs.marks.map((m) => ({ perStep: m })) },
    },
    { ...config.hedge, carry_bad_marks: true },
  );
  if (result.failed > 0) {
    const failed = result.totals.failedStep[0] ?? -1;
    const code = result.totals.status[0] ?? HEDGE_FIRST_FAILURE;
    throw new KernelError("backtest_hedge_failed", `the hedging kernel failed the run at ${sessions[failed] ?? `step ${failed}`}: ${hedgeStatusName(code)}`, { details: { step: failed } });
  }
  if (result.perStep === undefined) throw new KernelError("backtest_hedge_failed", "the hedging kernel returned no per-step columns");
  return result.perStep;
}

interface LegRows {
  readonly positions: OptionsPositionRow[];
  readonly trades: OptionsTradeRow[];
  readonly openLegs: Int32Array;
  readonly carriedLegs: Int32Array;
  /** Σ |q| × price of the option trades. */
  readonly premium: number;
}

/**
 * Per step, the legs the kernel held and traded, as it did: a leg without a mark that step keeps its last good mark
 * and Greeks (carried); its Greeks are the BSM kernel's at the step's spot, carry and vol (those the hedge used).
 */
function legRows(kernels: BacktestKernels, config: OptionsBacktestConfig, sessions: readonly string[], legs: readonly BacktestLeg[], schedule: Schedule, spot: readonly number[], inputs: SurfaceInputs): LegRows {
  const { n, live, settles, expiryTime, time } = schedule;
  const positions: OptionsPositionRow[] = [];
  const trades: OptionsTradeRow[] = [];
  const last = legs.map((): { mark: number; vol: number; date: string; greeks: [number, number, number, number] } | undefined => undefined);
  const carriedLegs = new Int32Array(n);
  const openLegs = new Int32Array(n);
  const optionBps = config.hedge.option_cost_bps / 10_000;
  let premium = 0;
  const tauOf = (l: number, k: number): number => (expiryTime[l] ?? 0) - (time[k] ?? 0);
  const optionTrade = (date: string, leg: BacktestLeg, action: "open" | "close" | "expire", quantity: number, price: number, cost: number): void => {
    trades.push({ date, position_id: leg.position, leg: leg.leg, instrument: "option", action, expiry: leg.expiry, strike: leg.strike, right: leg.right, quantity, price, cost });
    premium += Math.abs(quantity) * price;
  };
  for (let k = 0; k < n; k++) {
    const date = sessions[k] ?? "";
    const S = spot[k] ?? Number.NaN;
    const closing = config.hedge.close_at_end && k === n - 1;
    const specs: { l: number; spec: OptionSpec }[] = [];
    legs.forEach((leg, l) => {
      if (!live(l, k)) return;
      if (settles(l, k)) {
        optionTrade(date, leg, "expire", -leg.quantity, Math.max(leg.right === "C" ? S - leg.strike : leg.strike - S, 0), 0);
        return;
      }
      const vol = inputs.vols[l]?.[k] ?? Number.NaN;
      if (Number.isFinite(vol) && Number.isFinite(inputs.marks[l]?.[k] ?? Number.NaN)) {
        specs.push({ l, spec: { spot: S, strike: leg.strike, t: tauOf(l, k), rate: inputs.rate[k] ?? 0, div: inputs.div[k] ?? 0, vol, type: leg.right === "C" ? "call" : "put" } });
      }
    });
    const greeks = kernels.bsmOptions(specs.map((s) => s.spec));
    specs.forEach(({ l }, i) => {
      const g = greeks[i];
      if (g !== undefined && g.status === "ok") {
        last[l] = { mark: inputs.marks[l]?.[k] ?? Number.NaN, vol: inputs.vols[l]?.[k] ?? Number.NaN, date, greeks: [g.delta, g.gamma, g.vega, g.theta] };
      }
    });
    legs.forEach((leg, l) => {
      const held = last[l];
      if (!live(l, k) || settles(l, k) || held === undefined) return;
      const carried = held.date !== date;
      if (carried) carriedLegs[k] = (carriedLegs[k] ?? 0) + 1;
      const cost = Math.abs(leg.quantity) * optionBps * held.mark;
      if (leg.entryStep === k) optionTrade(date, leg, "open", leg.quantity, held.mark, cost);
      if (leg.exitStep === k || closing) {
        optionTrade(date, leg, "close", -leg.quantity, held.mark, cost);
        return;
      }
      openLegs[k] = (openLegs[k] ?? 0) + 1;
      const [delta, gamma, vega, theta] = held.greeks;
      positions.push({
        date, position_id: leg.position, leg: leg.leg, expiry: leg.expiry, strike: leg.strike, right: leg.right, quantity: leg.quantity, t: tauOf(l, k),
        vol: held.vol, mark: held.mark, value: leg.quantity * held.mark, delta, gamma, vega, theta, carried, mark_date: held.date,
      });
    });
  }
  return { positions, trades, openLegs, carriedLegs, premium };
}

export function simulateOptionsBacktest(
  kernels: BacktestKernels,
  market: OptionsMarket,
  config: OptionsBacktestConfig,
  borrow: BorrowLookup,
): OptionsBacktestResult {
  const { sessions } = market;
  const n = sessions.length;
  const { legs, skipped } = planLegs(kernels, market, config);
  const spot = filledSpot(market.spot);
  const schedule = scheduleOf(sessions, legs);
  const inputs = surfaceInputs(kernels, market, config, legs, schedule);
  const borrowBps = sessions.map((d) => borrow.dailyFee(market.underlier, d, 1) * 365 * 10_000);
  const steps = hedgeRun(kernels, config, sessions, legs, schedule, spot.value, inputs, borrowBps);
  const held = legRows(kernels, config, sessions, legs, schedule, spot.value, inputs);

  const trades = [...held.trades];
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
      open_legs: held.openLegs[k] ?? 0, carried_legs: held.carriedLegs[k] ?? 0, status: hedgeStatusName(steps.status[k] ?? 0),
      rate: inputs.rate[k] ?? 0, div: inputs.div[k] ?? 0, borrow_tier: tier.tier, borrow_bps: tier.bpsPerYear,
    });
  }
  // Stable: on a session, option trades before the hedge's.
  trades.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return {
    legs, skipped, daily, positions: held.positions, trades,
    summary: summaryOf(daily, config, { hedgeNotional, premium: held.premium, positions: new Set(legs.map((l) => l.position)).size }),
  };
}

/** The equities backtester's summary (Sharpe, drawdown: one definition) of the daily returns on capital, and the options totals. */
function summaryOf(daily: readonly OptionsDailyRow[], config: OptionsBacktestConfig, counts: { hedgeNotional: number; premium: number; positions: number }): OptionsBacktestSummary {
  const sum = (pick: (d: OptionsDailyRow) => number): number => daily.reduce((s, d) => s + pick(d), 0);
  const base = summarise(daily.map((d): BacktestDay => {
    const cost = -(d.stock_cost + d.option_cost) / config.capital;
    const fee = -d.borrow / config.capital;
    return { date: d.date, gross: d.net + cost + fee, cost, borrow: fee, net: d.net, turnover: (Math.abs(d.hedge_trade) * d.spot) / config.capital,
      longNames: 0, shortNames: 0, capacityUsd: Number.POSITIVE_INFINITY };
  }), TRADING_DAYS);
  return {
    ...base,
    totalPnl: sum((d) => d.pnl), stockCost: sum((d) => d.stock_cost), optionCost: sum((d) => d.option_cost), borrow: sum((d) => d.borrow),
    financing: sum((d) => d.financing), hedgingCost: sum((d) => d.stock_cost + d.borrow), hedgeTurnover: counts.hedgeNotional / config.capital,
    optionTurnover: counts.premium / config.capital, positions: counts.positions, carriedSteps: daily.filter((d) => d.status === "carried").length,
  };
}

/** Every step zero: the per-step columns of a run without positions. */
function emptySteps(n: number): HedgeStepColumns {
  const zeros = (): Float64Array => new Float64Array(n);
  return {
    pnl: zeros(), delta: zeros(), gamma: zeros(), vega: zeros(), theta: zeros(), financing: zeros(), borrow: zeros(), stockCost: zeros(),
    optionCost: zeros(), residual: zeros(), hedge: zeros(), cash: zeros(), bookValue: zeros(), bookDelta: zeros(), status: new Int32Array(n),
  };
}
