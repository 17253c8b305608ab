// Implied volatility batch kernel over struct-of-arrays buffers (DESIGN, "Kernel ABI"): spot-form inputs are
// normalised to beta = price / (DF K e^{x/2}), x = ln(F/K), and inverted by Let's Be Rational.
import {
  impliedNormalisedVolatility, lastSolveIterations, lastSolveStatus, IV_INVALID_INPUT, IV_OK,
} from "./lets-be-rational";

export { lastSolveIterations as impliedVolIterations };

let scalarStatus: i32 = IV_OK;

/** sigma for one option, or NaN with a status (read with `impliedVolStatus`). */
export function impliedVolScalar(price: f64, S: f64, K: f64, T: f64, r: f64, q: f64, isCall: i32): f64 {
  const valid = S > 0.0 && S < Infinity && K > 0.0 && K < Infinity && T > 0.0 && T < Infinity &&
    Math.abs(r) < Infinity && Math.abs(q) < Infinity && !isNaN(price) && price < Infinity;
  if (!valid) {
    scalarStatus = IV_INVALID_INPUT;
    return NaN;
  }
  const x = Math.log(S / K) + (r - q) * T;
  // DF K e^{x/2} with one exp: rounding -rT + x/2 costs a few ulps of the scale, far below the solver's accuracy.
  const scale = K * Math.exp(0.5 * x - r * T);
  const s = impliedNormalisedVolatility(price / scale, x, isCall != 0 ? 1.0 : -1.0);
  scalarStatus = lastSolveStatus();
  return scalarStatus == IV_OK ? s / Math.sqrt(T) : NaN;
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
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 3;
    const vol = impliedVolScalar(
      load<f64>(pricePtr + o), load<f64>(spotPtr + o), load<f64>(strikePtr + o), load<f64>(tPtr + o),
      load<f64>(ratePtr + o), load<f64>(divPtr + o), <i32>load<u8>(isCallPtr + <usize>i),
    );
    store<f64>(volPtr + o, vol);
    store<i32>(statusPtr + (<usize>i << 2), scalarStatus);
    if (scalarStatus != IV_OK) bad++;
  }
  return bad;
}
