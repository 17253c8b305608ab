// Implied volatility batch kernel over struct-of-arrays buffers (DESIGN, "Kernel ABI"): spot-form inputs are
// normalised to beta = price / (DF K e^{x/2}), x = ln(F/K), and inverted by Let's Be Rational.
import {
  impliedNormalisedVolatility, lastSolveIterations, lastSolveStatus, IV_INVALID_INPUT, IV_OK,
} from "./lets-be-rational";
import { expX2 } from "../math/exp-x2";

export { lastSolveIterations as impliedVolIterations };

let scalarStatus: i32 = IV_OK;

@inline function validQuote(price: f64, S: f64, K: f64, T: f64, r: f64, q: f64): bool {
  return S > 0.0 && S < Infinity && K > 0.0 && K < Infinity && T > 0.0 && T < Infinity &&
    Math.abs(r) < Infinity && Math.abs(q) < Infinity && !isNaN(price) && price < Infinity;
}

/**
 * sigma from beta = price / scale with scale = DF K e^{x/2} = K e^{x/2 - rT} (one exp; rounding -rT + x/2 costs a
 * few ulps of the scale, far below the solver's accuracy). Sets `scalarStatus`.
 */
@inline function volFromScale(price: f64, T: f64, x: f64, scale: f64, isCall: i32): f64 {
  const s = impliedNormalisedVolatility(price / scale, x, isCall != 0 ? 1.0 : -1.0);
  scalarStatus = lastSolveStatus();
  return scalarStatus == IV_OK ? s / Math.sqrt(T) : NaN;
}

/** sigma for one option, or NaN with a status (read with `impliedVolStatus`). Bit-identical to the batch. */
export function impliedVolScalar(price: f64, S: f64, K: f64, T: f64, r: f64, q: f64, isCall: i32): f64 {
  if (!validQuote(price, S, K, T, r, q)) {
    scalarStatus = IV_INVALID_INPUT;
    return NaN;
  }
  const x = Math.log(S / K) + (r - q) * T;
  // The same f64x2 exp as the batch, so one option gives the same bits alone or in a batch.
  const scale = K * f64x2.extract_lane(expX2(f64x2.splat(0.5 * x - r * T)), 0);
  return volFromScale(price, T, x, scale, isCall);
}

export function impliedVolStatus(): i32 {
  return scalarStatus;
}

/** Normalised form for tests: s with b(x, s, theta) = beta; status via `impliedVolStatus`. */
export function impliedNormalisedVol(beta: f64, x: f64, isCall: i32): f64 {
  const s = impliedNormalisedVolatility(beta, x, isCall != 0 ? 1.0 : -1.0);
  scalarStatus = lastSolveStatus();
  return s;
}

/** n implied vols; returns the number of rows whose status is not IV_OK, or -1 when n < 0. */
export function impliedVolBatch(
  n: i32,
  pricePtr: usize, spotPtr: usize, strikePtr: usize, tPtr: usize, ratePtr: usize, divPtr: usize, isCallPtr: usize,
  volPtr: usize, statusPtr: usize,
): i32 {
  if (n < 0) return -1;
  let bad: i32 = 0;
  // Two quotes per step share one f64x2 exp for their scales (an odd last quote pairs with itself); each lane
  // depends on its own quote only.
  for (let i = 0; i < n; i += 2) {
    const j = i + 1 < n ? i + 1 : i;
    const oi = <usize>i << 3;
    const oj = <usize>j << 3;
    const P0 = load<f64>(pricePtr + oi), P1 = load<f64>(pricePtr + oj);
    const S0 = load<f64>(spotPtr + oi), S1 = load<f64>(spotPtr + oj);
    const K0 = load<f64>(strikePtr + oi), K1 = load<f64>(strikePtr + oj);
    const T0 = load<f64>(tPtr + oi), T1 = load<f64>(tPtr + oj);
    const r0 = load<f64>(ratePtr + oi), r1 = load<f64>(ratePtr + oj);
    const q0 = load<f64>(divPtr + oi), q1 = load<f64>(divPtr + oj);
    const valid0 = validQuote(P0, S0, K0, T0, r0, q0);
    const valid1 = validQuote(P1, S1, K1, T1, r1, q1);
    const x0 = valid0 ? Math.log(S0 / K0) + (r0 - q0) * T0 : 0.0;
    const x1 = valid1 ? Math.log(S1 / K1) + (r1 - q1) * T1 : 0.0;
    const e = expX2(f64x2(valid0 ? 0.5 * x0 - r0 * T0 : 0.0, valid1 ? 0.5 * x1 - r1 * T1 : 0.0));
    let vol: f64 = NaN;
    if (valid0) vol = volFromScale(P0, T0, x0, K0 * f64x2.extract_lane(e, 0), <i32>load<u8>(isCallPtr + <usize>i));
    else scalarStatus = IV_INVALID_INPUT;
    store<f64>(volPtr + oi, vol);
    store<i32>(statusPtr + (<usize>i << 2), scalarStatus);
    if (scalarStatus != IV_OK) bad++;
    if (j == i) continue;
    vol = NaN;
    if (valid1) vol = volFromScale(P1, T1, x1, K1 * f64x2.extract_lane(e, 1), <i32>load<u8>(isCallPtr + <usize>j));
    else scalarStatus = IV_INVALID_INPUT;
    store<f64>(volPtr + oj, vol);
    store<i32>(statusPtr + (<usize>j << 2), scalarStatus);
    if (scalarStatus != IV_OK) bad++;
  }
  return bad;
}
