// Black-Scholes-Merton batch kernel over struct-of-arrays buffers into caller buffers (DESIGN, "Kernel ABI").
// AssemblyScript only: it computes each row's three exponentials two rows at a time on f64x2 lanes. The row itself
// (prices, Greeks, edge cases) is written once in src/kernels/portable/bsm/row.ts; the JavaScript build's bsmBatch
// is the scalar loop of src/kernels/portable/bsm/batch.ts.
import { expX2 } from "../math/exp-x2";
import {
  BSM_INVALID_INPUT, bsmRow, failRow, validRow,
} from "../../src/kernels/portable/bsm/row.ts";

export { normalisedBlackPrice } from "../../src/kernels/portable/bsm/row";

@inline function f64At(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}

/**
 * Prices n options and, when any Greek pointer is non-zero, their Greeks. Every output pointer except `price` and `status`
 * may be 0 to skip it (all Greek pointers 0 skips the Greek computation). Returns the number of rows whose
 * status is not BSM_OK, or -1 when n < 0.
 */
export function bsmBatch(
  n: i32,
  spotPtr: usize, strikePtr: usize, tPtr: usize, ratePtr: usize, divPtr: usize, volPtr: usize, isCallPtr: usize,
  pricePtr: usize, deltaPtr: usize, gammaPtr: usize, vegaPtr: usize, thetaPtr: usize, rhoPtr: usize,
  vannaPtr: usize, volgaPtr: usize, charmPtr: usize, statusPtr: usize,
): i32 {
  if (n < 0) return -1;
  const wantGreeks = (deltaPtr | gammaPtr | vegaPtr | thetaPtr | rhoPtr | vannaPtr | volgaPtr | charmPtr) != 0;
  let bad: i32 = 0;
  // Two rows per step: their e^{-rT}, e^{x/2} and e^{(r-q)T} are computed together on the two lanes of an f64x2
  // (expX2). An odd last row shares a step with itself. Each lane depends on its own row only, so a row's result
  // does not depend on its neighbour or its position.
  for (let i = 0; i < n; i += 2) {
    const j = i + 1 < n ? i + 1 : i;
    const S0 = f64At(spotPtr, i), S1 = f64At(spotPtr, j);
    const K0 = f64At(strikePtr, i), K1 = f64At(strikePtr, j);
    const T0 = f64At(tPtr, i), T1 = f64At(tPtr, j);
    const r0 = f64At(ratePtr, i), r1 = f64At(ratePtr, j);
    const q0 = f64At(divPtr, i), q1 = f64At(divPtr, j);
    const v0 = f64At(volPtr, i), v1 = f64At(volPtr, j);
    const valid0 = validRow(S0, K0, T0, r0, q0, v0);
    const valid1 = validRow(S1, K1, T1, r1, q1, v1);
    // ln(F/K) from ln(S/K) + (r - q)T: forming F first would add its rounding to x.
    const x0 = valid0 ? Math.log(S0 / K0) + (r0 - q0) * T0 : 0.0;
    const x1 = valid1 ? Math.log(S1 / K1) + (r1 - q1) * T1 : 0.0;
    const rT = f64x2.mul(f64x2(r0, r1), f64x2(T0, T1));
    const drift = f64x2.mul(f64x2(r0 - q0, r1 - q1), f64x2(T0, T1));
    const df = expX2(f64x2.neg(rT));
    const ex2 = expX2(f64x2(0.5 * x0, 0.5 * x1));
    const growth = expX2(drift);
    if (valid0) {
      const theta: f64 = load<u8>(isCallPtr + <usize>i) != 0 ? 1.0 : -1.0;
      bad += bsmRow(i, S0, K0, T0, r0, q0, v0, theta, x0, f64x2.extract_lane(df, 0), f64x2.extract_lane(ex2, 0),
        f64x2.extract_lane(growth, 0), wantGreeks, statusPtr, pricePtr, deltaPtr, gammaPtr, vegaPtr, thetaPtr, rhoPtr,
        vannaPtr, volgaPtr, charmPtr);
    } else {
      bad++;
      failRow(i, BSM_INVALID_INPUT, statusPtr, pricePtr, deltaPtr, gammaPtr, vegaPtr, thetaPtr, rhoPtr, vannaPtr, volgaPtr, charmPtr);
    }
    if (j == i) continue;
    if (valid1) {
      const theta: f64 = load<u8>(isCallPtr + <usize>j) != 0 ? 1.0 : -1.0;
      bad += bsmRow(j, S1, K1, T1, r1, q1, v1, theta, x1, f64x2.extract_lane(df, 1), f64x2.extract_lane(ex2, 1),
        f64x2.extract_lane(growth, 1), wantGreeks, statusPtr, pricePtr, deltaPtr, gammaPtr, vegaPtr, thetaPtr, rhoPtr,
        vannaPtr, volgaPtr, charmPtr);
    } else {
      bad++;
      failRow(j, BSM_INVALID_INPUT, statusPtr, pricePtr, deltaPtr, gammaPtr, vegaPtr, thetaPtr, rhoPtr, vannaPtr, volgaPtr, charmPtr);
    }
  }
  return bad;
}
