// Implied volatility in spot form over struct-of-arrays buffers (DESIGN, "Kernel ABI"): a quote is normalised to
// beta = price / (DF K e^{x/2}), x = ln(F/K), and inverted by Let's Be Rational (lets-be-rational.ts).
// Written once for both builds (docs/kernels.md, "Writing a kernel once").
import { loadF64, loadU8, storeF64, storeI32 } from "../memory.ts";
import {
  impliedNormalisedVolatility, lastSolveStatus, IV_INVALID_INPUT, IV_OK,
} from "./lets-be-rational.ts";

let scalarStatus: i32 = IV_OK;

// @inline
function validQuote(price: f64, S: f64, K: f64, T: f64, r: f64, q: f64): bool {
  return S > 0.0 && S < Infinity && K > 0.0 && K < Infinity && T > 0.0 && T < Infinity &&
    Math.abs(r) < Infinity && Math.abs(q) < Infinity && !isNaN(price) && price < Infinity;
}

/** sigma for one quote, or NaN with a status (read with `impliedVolStatus`). The batch gives the same bits. */
export function impliedVolScalar(price: f64, S: f64, K: f64, T: f64, r: f64, q: f64, isCall: i32): f64 {
  if (!validQuote(price, S, K, T, r, q)) {
    scalarStatus = IV_INVALID_INPUT;
    return NaN;
  }
  const x = Math.log(S / K) + (r - q) * T;
  // scale = DF K e^{x/2} = K e^{x/2 - rT} with one exp: rounding -rT + x/2 costs a few ulps of the scale, far below
  // the solver's accuracy.
  const scale = K * Math.exp(0.5 * x - r * T);
  const s = impliedNormalisedVolatility(price / scale, x, isCall != 0 ? 1.0 : -1.0);
  scalarStatus = lastSolveStatus();
  return scalarStatus == IV_OK ? s / Math.sqrt(T) : NaN;
}

/** The status of the last `impliedVolScalar` or `impliedNormalisedVol` call (IV_STATUS in src/kernels/abi/). */
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
    const vol = impliedVolScalar(
      loadF64(pricePtr, i), loadF64(spotPtr, i), loadF64(strikePtr, i), loadF64(tPtr, i), loadF64(ratePtr, i),
      loadF64(divPtr, i), loadU8(isCallPtr, i),
    );
    storeF64(volPtr, i, vol);
    storeI32(statusPtr, i, scalarStatus);
    if (scalarStatus != IV_OK) bad++;
  }
  return bad;
}
