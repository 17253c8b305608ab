/**
 * The hedging tests' oracle: one path at a time, one object per leg, written from the rules in docs/kernels.md
 * ("Hedging kernel") and not from the kernel's code. It prices with the pure-TypeScript BSM engine, settles expired
 * legs at max(±(S - K), 0) itself, and takes each step's PnL as the change of the portfolio value
 * V = Σ quantity x mark + hedge x spot + cash (the kernel sums the PnL's parts instead). Valid inputs only.
 */
import type { HedgeParams } from "../../../src/kernels/hedge/index.ts";
import { bsm, type BsmQuote } from "./_world.ts";

export interface OracleLeg {
  readonly strike: number;
  readonly expiry: number;
  readonly isCall: boolean;
  readonly quantity: number;
  readonly entryPrice: number; // NaN: at the mark
  readonly entryStep: number;
  readonly exitStep: number; // -1: none
}

export interface OracleStep {
  readonly spot: number;
  readonly time: number;
  readonly rate: number;
  readonly div: number;
  readonly borrowBps: number;
  readonly vol: readonly number[];
  readonly mark: readonly number[] | undefined;
  readonly halfSpread: readonly number[];
}

export interface OracleRow {
  pnl: number; delta: number; gamma: number; vega: number; theta: number; financing: number; borrow: number;
  stockCost: number; optionCost: number; residual: number; hedge: number; cash: number; bookValue: number;
  bookDelta: number;
}

interface LegState {
  phase: "pending" | "live" | "done";
  mark: number;
  greeks: BsmQuote;
  vol: number;
}

export function oraclePath(legs: readonly OracleLeg[], steps: readonly OracleStep[], params: HedgeParams): OracleRow[] {
  const state: LegState[] = legs.map((leg) => ({
    phase: leg.quantity === 0 ? "done" : "pending", mark: 0, vol: 0, greeks: { price: 0, delta: 0, gamma: 0, vega: 0, theta: 0 },
  }));
  const rows: OracleRow[] = [];
  let hedge = 0;
  let cash = 0;
  let valueBefore = 0;
  steps.forEach((step, k) => {
    const last = k === steps.length - 1;
    const prev = k > 0 ? steps[k - 1] : undefined;
    let financing = 0, borrow = 0, dt = 0, dS = 0;
    if (prev) {
      dt = step.time - prev.time;
      dS = step.spot - prev.spot;
      financing = cash * Math.expm1(prev.rate * dt) + hedge * prev.spot * Math.expm1(prev.div * dt);
      borrow = hedge < 0 ? hedge * prev.spot * (prev.borrowBps / 1e4) * dt : 0;
      cash += financing + borrow;
    }
    // Today's marks and Greeks of every leg held or entering.
    const today = legs.map((leg, l) => {
      const s = state[l];
      if (!s || s.phase === "done" || (s.phase === "pending" && leg.entryStep !== k)) return undefined;
      const tau = leg.expiry - step.time;
      if (!(tau > 0)) {
        const intrinsic = Math.max(leg.isCall ? step.spot - leg.strike : leg.strike - step.spot, 0);
        return { expiring: true, mark: intrinsic, vol: 0, greeks: undefined };
      }
      const vol = step.vol[l] ?? Number.NaN;
      const q = bsm(step.spot, leg.strike, tau, step.rate, step.div, vol, leg.isCall);
      return { expiring: false, mark: step.mark ? (step.mark[l] ?? Number.NaN) : q.price, vol, greeks: q };
    });
    // Attribution over the interval, from yesterday's Greeks of the legs held over it.
    let bookDeltaBefore = 0, gamma = 0, theta = 0, vega = 0;
    legs.forEach((leg, l) => {
      const s = state[l];
      const m = today[l];
      if (!s || s.phase !== "live" || !m) return;
      bookDeltaBefore += leg.quantity * s.greeks.delta;
      gamma += 0.5 * leg.quantity * s.greeks.gamma * dS * dS;
      theta += leg.quantity * s.greeks.theta * dt;
      if (!m.expiring) vega += leg.quantity * s.greeks.vega * (m.vol - s.vol);
    });
    const delta = (bookDeltaBefore + hedge) * dS;
    // Entries, settlements, exits.
    let optionCost = 0;
    legs.forEach((leg, l) => {
      const s = state[l];
      const m = today[l];
      if (!s || !m) return;
      const cost = Math.abs(leg.quantity) * ((step.halfSpread[l] ?? 0) + (params.option_cost_bps / 1e4) * m.mark);
      if (s.phase === "pending") {
        cash -= leg.quantity * (Number.isNaN(leg.entryPrice) ? m.mark : leg.entryPrice);
        optionCost -= cost;
        s.phase = "live";
      }
      if (m.expiring) {
        cash += leg.quantity * m.mark;
        s.phase = "done";
      } else if (leg.exitStep === k || (params.close_at_end && last)) {
        cash += leg.quantity * m.mark;
        optionCost -= cost;
        s.phase = "done";
      } else if (m.greeks) {
        s.mark = m.mark;
        s.greeks = m.greeks;
        s.vol = m.vol;
      }
    });
    cash += optionCost;
    let bookValue = 0, bookDelta = 0, live = 0;
    legs.forEach((leg, l) => {
      const s = state[l];
      if (s?.phase !== "live") return;
      bookValue += leg.quantity * s.mark;
      bookDelta += leg.quantity * s.greeks.delta;
      live++;
    });
    // The hedge.
    let target = hedge;
    if (live === 0 || (params.close_at_end && last)) target = 0;
    else if (params.mode === "every_step") target = -bookDelta;
    else if (params.mode === "band_shares" || params.mode === "band_dollars") {
      const net = bookDelta + hedge;
      const width = params.mode === "band_shares" ? params.band : params.band / step.spot;
      if (Math.abs(net) > width) target = params.rebalance_to === "edge" ? -bookDelta + Math.sign(net) * width : -bookDelta;
    }
    const traded = Math.abs(target - hedge);
    const stockCost = traded > 0 ? -traded * (step.spot * params.stock_cost_bps / 1e4 + params.stock_cost_per_share) : 0;
    cash += -(target - hedge) * step.spot + stockCost;
    hedge = target;
    const value = bookValue + hedge * step.spot + cash;
    const pnl = value - valueBefore;
    valueBefore = value;
    const explained = delta + gamma + vega + theta;
    const residual = pnl - explained - financing - borrow - stockCost - optionCost;
    rows.push({
      pnl, delta, gamma, vega, theta, financing, borrow, stockCost, optionCost, residual, hedge, cash, bookValue, bookDelta,
    });
  });
  return rows;
}
