/**
 * Candidate option structures on a session's SVI surfaces, and their next-session delta-hedged PnL
 * (docs/options.md, section 4). Pure: market slices in, rows out; the pass (strategies-pass.ts) does the I/O.
 *
 * Pricing. A leg is priced off the fitted slice of its expiry: σ = √(w(k)/t) at k = ln(K/F), then Black–Scholes
 * with the slice's spot S, discount factor DF and forward F (the ones options_iv used): r = −ln(DF)/t and the
 * carry q = r − ln(F/S)/t, so the price is DF·Black(F, K, σ, t) and delta/gamma are with respect to S (what a
 * stock hedge trades). Greeks are the kernel's: vega per 1.00 of vol, theta per year of calendar time.
 *
 * Attribution (Taylor expansion at entry, per unit of underlier, no contract multiplier):
 *   option_pnl = Σ qty·(P₁ − P₀),  hedge_pnl = −Δ₀·ΔS,  pnl = option_pnl + hedge_pnl,
 *   delta_pnl = Δ₀·ΔS (cancelled by the hedge),  gamma_pnl = ½Γ₀ΔS²,  vega_pnl = Σ qty·ν₀ᵢ·(σ₁ᵢ − σ₀ᵢ)
 *   (each leg's own vol change, at its strike on the next surface),  theta_pnl = Θ₀·Δt (calendar days / 365),
 *   residual = pnl − gamma_pnl − vega_pnl − theta_pnl (higher orders, rate and forward changes, cross terms).
 * The hedge's financing and the premium's carry over Δt are not included.
 */
import type { OptionGreeks, OptionSpec } from "../kernels/types.ts";
import type { RawSviParams } from "../kernels/svi/index.ts";
import { STRATEGY_NAMES, type StrategyName } from "../domain/option-strategies.ts";

/** What strategies need from the kernel façade (createKernels()). */
export interface StrategyKernels {
  bsmOptions(options: readonly OptionSpec[]): OptionGreeks[];
  sviEval(params: RawSviParams, k: ArrayLike<number>): Float64Array;
}

/** An accepted (ok / repaired) slice of one underlier, session and expiry, with the inputs its IVs used. */
export interface StrategySlice {
  readonly underlying: string;
  readonly date: string;
  readonly expiry: string;
  readonly t: number;
  readonly spot: number;
  readonly forward: number;
  readonly df: number;
  readonly params: RawSviParams;
  /** The quoted log-moneyness range the slice was fitted on: candidate strikes stay inside it. */
  readonly kMin: number;
  readonly kMax: number;
  /** Listed strikes of the expiry on the session. */
  readonly strikes: readonly number[];
}

export { STRATEGY_NAMES, type StrategyName } from "../domain/option-strategies.ts";

export interface StrategyConfig {
  readonly tenors_days: readonly number[];
  readonly wing_delta: number;
}

export interface Leg {
  readonly expiry: string;
  readonly strike: number;
  readonly right: "C" | "P";
  readonly qty: number;
}

export interface PricedLeg extends Leg {
  readonly t: number;
  readonly k: number;
  readonly vol: number;
  readonly price: number;
  readonly delta: number;
  readonly gamma: number;
  readonly vega: number;
  readonly theta: number;
}

export interface Strategy {
  readonly underlying: string;
  readonly date: string;
  readonly strategy: StrategyName;
  readonly tenorDays: number;
  readonly expiry: string;
  readonly spot: number;
  readonly legs: readonly PricedLeg[];
  readonly price: number;
  readonly delta: number;
  readonly gamma: number;
  readonly vega: number;
  readonly theta: number;
}

// Type aliases, not interfaces: rows go to PartWriter.writeRows as records of columns.
export type StrategyRow = {
  readonly underlying: string;
  readonly date: string;
  readonly strategy: StrategyName;
  readonly tenor_days: number;
  readonly expiry: string;
  readonly spot: number;
  readonly n_legs: number;
  readonly legs: string;
  readonly price: number;
  readonly delta: number;
  readonly gamma: number;
  readonly vega: number;
  readonly theta: number;
};

export type StrategyPnlRow = {
  readonly underlying: string;
  readonly date: string;
  readonly mark_date: string;
  readonly strategy: StrategyName;
  readonly tenor_days: number;
  readonly expiry: string;
  readonly spot: number;
  readonly spot_next: number;
  readonly dt: number;
  readonly price: number;
  readonly price_next: number;
  readonly option_pnl: number;
  readonly hedge_pnl: number;
  readonly pnl: number;
  readonly delta_pnl: number;
  readonly gamma_pnl: number;
  readonly vega_pnl: number;
  readonly theta_pnl: number;
  readonly residual: number;
  readonly legs: string;
};

/** The leg's σ on the slice at its strike, and the BSM inputs equivalent to (S, F, DF, t). */
function legSpec(kernels: StrategyKernels, slice: StrategySlice, strike: number, right: "C" | "P"): { spec: OptionSpec; k: number; vol: number } {
  const k = Math.log(strike / slice.forward);
  const w = kernels.sviEval(slice.params, [k])[0] ?? Number.NaN;
  const vol = Math.sqrt(Math.max(w, 0) / slice.t);
  const rate = -Math.log(slice.df) / slice.t;
  const div = rate - Math.log(slice.forward / slice.spot) / slice.t;
  return { spec: { spot: slice.spot, strike, t: slice.t, rate, div, vol, type: right === "C" ? "call" : "put" }, k, vol };
}

/** Prices legs on their slices; undefined when a slice is missing or a price is not finite (the backtester marks with it too). */
export function priceLegs(kernels: StrategyKernels, legs: readonly Leg[], sliceOf: (expiry: string) => StrategySlice | undefined): PricedLeg[] | undefined {
  const inputs: { leg: Leg; spec: OptionSpec; k: number; vol: number }[] = [];
  for (const leg of legs) {
    const slice = sliceOf(leg.expiry);
    if (slice === undefined || !(slice.t > 0)) return undefined;
    inputs.push({ leg, ...legSpec(kernels, slice, leg.strike, leg.right) });
  }
  const greeks = kernels.bsmOptions(inputs.map((i) => i.spec));
  const priced = inputs.map((input, i) => {
    const g = greeks[i];
    return g === undefined || g.status !== "ok" ? undefined : {
      ...input.leg, t: input.spec.t, k: input.k, vol: input.vol, price: g.price, delta: g.delta, gamma: g.gamma, vega: g.vega, theta: g.theta,
    };
  });
  return priced.every((p): p is PricedLeg => p !== undefined && Number.isFinite(p.price) && Number.isFinite(p.vol)) ? priced : undefined;
}

function total(legs: readonly PricedLeg[], field: "price" | "delta" | "gamma" | "vega" | "theta"): number {
  return legs.reduce((sum, leg) => sum + leg.qty * leg[field], 0);
}

/** The accepted expiry nearest to `days` calendar days (the earlier on a tie). */
function nearestExpiry(slices: readonly StrategySlice[], days: number): StrategySlice | undefined {
  let best: StrategySlice | undefined;
  for (const s of slices) {
    if (best === undefined || Math.abs(s.t * 365 - days) < Math.abs(best.t * 365 - days)) best = s;
  }
  return best;
}

/** ATM (listed strike nearest the forward) and the wing strikes whose call / put delta is nearest ±wingDelta. */
function keyStrikes(kernels: StrategyKernels, slice: StrategySlice, wingDelta: number): { atm: number; call: number; put: number } | undefined {
  const strikes = slice.strikes.filter((K) => {
    const k = Math.log(K / slice.forward);
    return k >= slice.kMin && k <= slice.kMax;
  });
  if (strikes.length === 0) return undefined;
  const specs = strikes.map((K) => legSpec(kernels, slice, K, "C").spec);
  const calls = kernels.bsmOptions(specs);
  const puts = kernels.bsmOptions(specs.map((s) => ({ ...s, type: "put" as const })));
  const nearest = (score: (i: number) => number): number => {
    let best = 0;
    for (let i = 1; i < strikes.length; i++) if (score(i) < score(best)) best = i;
    return strikes[best] ?? Number.NaN;
  };
  const atm = nearest((i) => Math.abs(Math.log((strikes[i] ?? Number.NaN) / slice.forward)));
  const call = nearest((i) => Math.abs((calls[i]?.delta ?? Number.NaN) - wingDelta));
  const put = nearest((i) => Math.abs((puts[i]?.delta ?? Number.NaN) + wingDelta));
  return { atm, call, put };
}

function legsOf(name: Exclude<StrategyName, "calendar">, expiry: string, s: { atm: number; call: number; put: number }): Leg[] | undefined {
  const leg = (strike: number, right: "C" | "P", qty: number): Leg => ({ expiry, strike, right, qty });
  // A wing that falls on the ATM strike (too few strikes) leaves a degenerate structure: not built.
  const wings = s.call > s.atm && s.put < s.atm;
  switch (name) {
    case "straddle": return [leg(s.atm, "C", 1), leg(s.atm, "P", 1)];
    case "strangle": return wings ? [leg(s.put, "P", 1), leg(s.call, "C", 1)] : undefined;
    case "call_vertical": return wings ? [leg(s.atm, "C", 1), leg(s.call, "C", -1)] : undefined;
    case "put_vertical": return wings ? [leg(s.atm, "P", 1), leg(s.put, "P", -1)] : undefined;
    case "risk_reversal": return wings ? [leg(s.put, "P", -1), leg(s.call, "C", 1)] : undefined;
    // Iron butterfly: short the ATM straddle, long the wing strangle (the long call butterfly's payoff less a bond).
    case "butterfly": return wings ? [leg(s.put, "P", 1), leg(s.atm, "P", -1), leg(s.atm, "C", -1), leg(s.call, "C", 1)] : undefined;
  }
}

function strategyOf(base: { underlying: string; date: string; spot: number }, strategy: StrategyName, tenorDays: number, expiry: string, legs: readonly PricedLeg[]): Strategy {
  return {
    ...base, strategy, tenorDays, expiry, legs,
    price: total(legs, "price"), delta: total(legs, "delta"), gamma: total(legs, "gamma"), vega: total(legs, "vega"), theta: total(legs, "theta"),
  };
}

/**
 * The candidate structures of one underlier on one session, from its accepted slices: per configured tenor
 * (nearest accepted expiry) a straddle, a strangle, call and put verticals, a risk reversal and an iron butterfly;
 * per pair of consecutive tenors a calendar (short the near ATM call, long the far call at the same strike).
 */
export function buildStrategies(kernels: StrategyKernels, slices: readonly StrategySlice[], config: StrategyConfig): Strategy[] {
  const first = slices[0];
  if (first === undefined) return [];
  const base = { underlying: first.underlying, date: first.date, spot: first.spot };
  const byExpiry = new Map(slices.map((s) => [s.expiry, s]));
  const out: Strategy[] = [];
  const tenors = [...new Set(config.tenors_days)].sort((a, b) => a - b);
  const chosen: { tenor: number; slice: StrategySlice; atm: number }[] = [];
  for (const tenor of tenors) {
    const slice = nearestExpiry(slices, tenor);
    if (slice === undefined) continue;
    const strikes = keyStrikes(kernels, slice, config.wing_delta);
    if (strikes === undefined) continue;
    chosen.push({ tenor, slice, atm: strikes.atm });
    for (const name of STRATEGY_NAMES) {
      if (name === "calendar") continue;
      const legs = legsOf(name, slice.expiry, strikes);
      const priced = legs === undefined ? undefined : priceLegs(kernels, legs, (e) => byExpiry.get(e));
      if (priced !== undefined) out.push(strategyOf(base, name, tenor, slice.expiry, priced));
    }
  }
  for (let i = 1; i < chosen.length; i++) {
    const near = chosen[i - 1];
    const far = chosen[i];
    if (near === undefined || far === undefined || far.slice.expiry <= near.slice.expiry || !far.slice.strikes.includes(near.atm)) continue;
    const legs: Leg[] = [{ expiry: near.slice.expiry, strike: near.atm, right: "C", qty: -1 }, { expiry: far.slice.expiry, strike: near.atm, right: "C", qty: 1 }];
    const priced = priceLegs(kernels, legs, (e) => byExpiry.get(e));
    if (priced !== undefined) out.push(strategyOf(base, "calendar", near.tenor, near.slice.expiry, priced));
  }
  return out;
}

function legsJson(legs: readonly Readonly<Record<string, unknown>>[]): string {
  return JSON.stringify(legs);
}

export function strategyRow(s: Strategy): StrategyRow {
  return {
    underlying: s.underlying, date: s.date, strategy: s.strategy, tenor_days: s.tenorDays, expiry: s.expiry, spot: s.spot,
    n_legs: s.legs.length,
    legs: legsJson(s.legs.map((l) => ({ expiry: l.expiry, strike: l.strike, right: l.right, qty: l.qty, vol: l.vol, price: l.price, delta: l.delta, gamma: l.gamma, vega: l.vega, theta: l.theta }))),
    price: s.price, delta: s.delta, gamma: s.gamma, vega: s.vega, theta: s.theta,
  };
}

/**
 * Re-marks a session's structure on the next session's accepted slices (same underlier) and explains its
 * delta-hedged PnL (see the file comment). Undefined when a leg's expiry has no accepted slice on that session.
 */
export function remarkStrategy(kernels: StrategyKernels, entry: Strategy, next: readonly StrategySlice[]): StrategyPnlRow | undefined {
  const first = next[0];
  if (first === undefined) return undefined;
  const byExpiry = new Map(next.map((s) => [s.expiry, s]));
  const marked = priceLegs(kernels, entry.legs, (e) => byExpiry.get(e));
  if (marked === undefined) return undefined;
  const dS = first.spot - entry.spot;
  const dt = (Date.parse(first.date) - Date.parse(entry.date)) / 86_400_000 / 365;
  const priceNext = total(marked, "price");
  const optionPnl = priceNext - entry.price;
  const deltaPnl = entry.delta * dS;
  const pnl = optionPnl - deltaPnl;
  const gammaPnl = 0.5 * entry.gamma * dS * dS;
  const vegaPnl = entry.legs.reduce((sum, leg, i) => sum + leg.qty * leg.vega * ((marked[i]?.vol ?? Number.NaN) - leg.vol), 0);
  const thetaPnl = entry.theta * dt;
  return {
    underlying: entry.underlying, date: entry.date, mark_date: first.date, strategy: entry.strategy, tenor_days: entry.tenorDays, expiry: entry.expiry,
    spot: entry.spot, spot_next: first.spot, dt, price: entry.price, price_next: priceNext, option_pnl: optionPnl, hedge_pnl: -deltaPnl, pnl,
    delta_pnl: deltaPnl, gamma_pnl: gammaPnl, vega_pnl: vegaPnl, theta_pnl: thetaPnl, residual: pnl - gammaPnl - vegaPnl - thetaPnl,
    legs: legsJson(entry.legs.map((l, i) => ({ expiry: l.expiry, strike: l.strike, right: l.right, qty: l.qty, vol: l.vol, vol_next: marked[i]?.vol, price: l.price, price_next: marked[i]?.price }))),
  };
}
