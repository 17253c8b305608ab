// The scalar BSM batch: the JavaScript build's bsmBatch (the TS engine). The WebAssembly build's bsmBatch
// (assembly/bsm/) computes the same rows two at a time on f64x2 lanes in the common regions and calls the row below
// for the others; the hedging kernel's pricer (assembly/hedge/marks.ts) calls this batch on single rows.
// Written once for both builds (docs/kernels.md, "Writing a kernel once").
import { loadF64, loadU8 } from "../memory.ts";
import { BSM_INVALID_INPUT, bsmRow, failRow, validRow } from "./row.ts";

/** bsmBatch, one row at a time (its contract: BSM_BATCH in src/kernels/abi/options.ts). */
export function bsmBatchScalar(
  n: i32,
  spotPtr: usize, strikePtr: usize, tPtr: usize, ratePtr: usize, divPtr: usize, volPtr: usize, isCallPtr: usize,
  pricePtr: usize, deltaPtr: usize, gammaPtr: usize, vegaPtr: usize, thetaPtr: usize, rhoPtr: usize,
  vannaPtr: usize, volgaPtr: usize, charmPtr: usize, statusPtr: usize,
): i32 {
  if (n < 0) return -1;
  const wantGreeks = (deltaPtr | gammaPtr | vegaPtr | thetaPtr | rhoPtr | vannaPtr | volgaPtr | charmPtr) != 0;
  let bad: i32 = 0;
  for (let i = 0; i < n; i++) {
    const S = loadF64(spotPtr, i), K = loadF64(strikePtr, i), T = loadF64(tPtr, i);
    const r = loadF64(ratePtr, i), q = loadF64(divPtr, i), v = loadF64(volPtr, i);
    if (!validRow(S, K, T, r, q, v)) {
      bad++;
      failRow(i, BSM_INVALID_INPUT, statusPtr, pricePtr, deltaPtr, gammaPtr, vegaPtr, thetaPtr, rhoPtr, vannaPtr, volgaPtr, charmPtr);
      continue;
    }
    // ln(F/K) from ln(S/K) + (r - q)T: forming F first would add its rounding to x.
    const x = Math.log(S / K) + (r - q) * T;
    const theta: f64 = loadU8(isCallPtr, i) != 0 ? 1.0 : -1.0;
    bad += bsmRow(i, S, K, T, r, q, v, theta, x, Math.exp(-(r * T)), Math.exp(0.5 * x), Math.exp((r - q) * T),
      wantGreeks, statusPtr, pricePtr, deltaPtr, gammaPtr, vegaPtr, thetaPtr, rhoPtr, vannaPtr, volgaPtr, charmPtr);
  }
  return bad;
}
