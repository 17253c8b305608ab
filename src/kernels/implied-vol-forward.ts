/**
 * Implied vol on the forward: the one path from a market price to an implied vol that the options pass, the SQL
 * functions `implied_vol_fwd` / `implied_vol_fwd_status` and any later consumer (strategies, backtests) share,
 * so a query over `options_iv` reproduces the stored vols bit for bit.
 *
 * Black-76 prices an option as DF·B(F, K, σ√T), so the undiscounted price P/DF solved with spot F, no rate and no
 * dividend yield (the kernel's forward is then S·e^{(r−q)T} = F exactly) gives the same σ as any (S, r, q) with
 * that forward and discount factor. Statuses the kernel cannot know come first, so no row is a silent NaN:
 *
 *   missing_input    an argument is NULL or NaN (e.g. no forward for the session)
 *   expired          T ≤ 0 (at or after expiry)
 *   zero_price       the price is 0 (a zero bid)
 *   below_intrinsic  P/DF at or below the forward intrinsic max(θ(F − K), 0) with a positive price, or a negative price
 *   above_maximum, no_convergence, invalid_input   the kernel's own (docs/kernels.md)
 */
import { statusName } from "./abi/status-name.ts";
import type { OptionFamily } from "./options.ts";
import { IV_STATUS_NAMES } from "./types.ts";

export const FORWARD_IV_STATUS_NAMES = [...IV_STATUS_NAMES, "missing_input", "expired", "zero_price"] as const;
export type ForwardIvStatusName = (typeof FORWARD_IV_STATUS_NAMES)[number];

const KERNEL_CODES = IV_STATUS_NAMES.length;
const MISSING = KERNEL_CODES;
const EXPIRED = KERNEL_CODES + 1;
const ZERO_PRICE = KERNEL_CODES + 2;
const BELOW_INTRINSIC = IV_STATUS_NAMES.indexOf("below_intrinsic");

export interface ForwardIvBatch {
  readonly price: Float64Array;
  readonly forward: Float64Array;
  readonly strike: Float64Array;
  readonly t: Float64Array;
  /** Discount factor to expiry. */
  readonly df: Float64Array;
  /** 1 call, 0 put. */
  readonly isCall: Uint8Array;
  /** 1 where an argument is NULL (SQL); optional. */
  readonly isNull?: Uint8Array;
}

export interface ForwardIvResult {
  /** NaN unless the status is ok. */
  readonly vol: Float64Array;
  /** Codes into FORWARD_IV_STATUS_NAMES. */
  readonly status: Int32Array;
}

/** Implied vols of a batch on the forward, through the kernel's batch solver (one call for the rows it can solve). */
export function impliedVolForward(kernels: Pick<OptionFamily, "impliedVol">, batch: ForwardIvBatch): ForwardIvResult {
  const n = batch.price.length;
  const vol = new Float64Array(n).fill(Number.NaN);
  const status = new Int32Array(n);
  const solve: number[] = [];
  for (let i = 0; i < n; i++) {
    const price = batch.price[i] ?? Number.NaN;
    const forward = batch.forward[i] ?? Number.NaN;
    const strike = batch.strike[i] ?? Number.NaN;
    const t = batch.t[i] ?? Number.NaN;
    const df = batch.df[i] ?? Number.NaN;
    if (batch.isNull?.[i] === 1 || [price, forward, strike, t, df].some(Number.isNaN)) status[i] = MISSING;
    else if (t <= 0) status[i] = EXPIRED;
    else if (price === 0) status[i] = ZERO_PRICE;
    else if (price < 0 || price / df <= Math.max(batch.isCall[i] === 1 ? forward - strike : strike - forward, 0)) status[i] = BELOW_INTRINSIC;
    else solve.push(i);
  }
  if (solve.length === 0) return { vol, status };
  const pick = (column: Float64Array, f: (x: number, i: number) => number = (x) => x): Float64Array =>
    Float64Array.from(solve, (i) => f(column[i] ?? Number.NaN, i));
  const r = kernels.impliedVol({
    price: pick(batch.price, (p, i) => p / (batch.df[i] ?? Number.NaN)),
    spot: pick(batch.forward),
    strike: pick(batch.strike),
    t: pick(batch.t),
    rate: 0,
    div: 0,
    isCall: Uint8Array.from(solve, (i) => batch.isCall[i] ?? 0),
  });
  solve.forEach((row, j) => {
    status[row] = r.status[j] ?? IV_STATUS_NAMES.indexOf("invalid_input");
    vol[row] = r.vol[j] ?? Number.NaN;
  });
  return { vol, status };
}

/** The name of a code `impliedVolForward` returned. */
export function forwardIvStatusName(code: number): ForwardIvStatusName {
  return statusName(FORWARD_IV_STATUS_NAMES, code, "impliedVolForward");
}
