// One Black-Scholes-Merton row in spot form (S, K, T, r, q, sigma, call/put) into caller buffers: the price goes
// through the normalised Black function (normalised-black.ts), so deep in/out-of-the-money options and tiny
// sigma*sqrt(T) keep full relative accuracy. The batch drivers compute the row's three exponentials and call this:
// the scalar one in batch.ts for every row, the WebAssembly one (assembly/bsm/) for the rows its f64x2 lane path
// does not cover.
//
// Conventions: T in years, continuous r and q, vega per 1.00 of vol, theta per year of calendar time (-dV/dT),
// rho per 1.00 of rate, charm = d(delta)/dt per year, vanna = d(delta)/d(sigma), volga = d(vega)/d(sigma).
// Formulas: Haug, "The Complete Guide to Option Pricing Formulas" 2nd ed., sections 1.1 and 2.1-2.3, written with
// d1 = h + t, d2 = h - t (h = x/s, t = s/2), which avoids forming d1 - s.
// Written once for both builds (docs/kernels.md, "Writing a kernel once").
import { normCdf, normPdf } from "../math/normal.ts";
import { storeF64, storeI32 } from "../memory.ts";
import {
  lastCdfDown, lastCdfUp, lastNormalisedVega, normalisedBlack, normalisedBlackCall, normalisedBlackOtmCallWithCdfs,
  normalisedIntrinsicCall,
} from "./normalised-black.ts";

export const BSM_OK: i32 = 0;
export const BSM_INVALID_INPUT: i32 = 1;
/** Valid inputs whose result is not representable (e.g. a discount factor beyond the double range). */
export const BSM_OUT_OF_RANGE: i32 = 2;

const INV_SQRT_2PI: f64 = 0.3989422804014327;

/** Writes v to element i of an optional output (pointer 0: the caller did not ask for it). */
// @inline
function put(base: usize, i: i32, v: f64): void {
  if (base != 0) storeF64(base, i, v);
}

/** Marks row i with `status` and NaN in every requested output. */
export function failRow(
  i: i32, status: i32, statusPtr: usize, pricePtr: usize, deltaPtr: usize, gammaPtr: usize, vegaPtr: usize,
  thetaPtr: usize, rhoPtr: usize, vannaPtr: usize, volgaPtr: usize, charmPtr: usize,
): void {
  storeI32(statusPtr, i, status);
  put(pricePtr, i, NaN);
  put(deltaPtr, i, NaN); put(gammaPtr, i, NaN); put(vegaPtr, i, NaN); put(thetaPtr, i, NaN);
  put(rhoPtr, i, NaN); put(vannaPtr, i, NaN); put(volgaPtr, i, NaN); put(charmPtr, i, NaN);
}

/** Finite, positive spot and strike; finite non-negative time and vol; finite rates. NaN fails every test. */
// @inline
export function validRow(S: f64, K: f64, T: f64, r: f64, q: f64, v: f64): bool {
  return S > 0.0 && S < Infinity && K > 0.0 && K < Infinity && T >= 0.0 && T < Infinity &&
    v >= 0.0 && v < Infinity && Math.abs(r) < Infinity && Math.abs(q) < Infinity;
}

/**
 * Discounted price: the out-of-the-money value DF K e^{x/2} b(-|x|, s), plus for an in-the-money option the
 * discounted intrinsic value DF theta (F - K) formed from F directly. Forming it as K (e^x - 1) instead would
 * carry the rounding of x = ln(F/K) into the result amplified |x| times.
 */
// @inline
function discountedPrice(
  S: f64, K: f64, x: f64, s: f64, theta: f64, df: f64, ex2: f64, growth: f64, withCdfs: bool,
): f64 {
  // With Greeks wanted, the evaluation also leaves Phi(h' + t) and Phi(h' - t) of the out-of-the-money call
  // (h' = -|x|/s) behind, e^{-|x|/2} being 1/ex2 or ex2.
  let otm: f64 = 0.0;
  if (s > 0.0) {
    otm = withCdfs
      ? normalisedBlackOtmCallWithCdfs(-Math.abs(x), s, x <= 0.0 ? ex2 : 1.0 / ex2)
      : normalisedBlackCall(-Math.abs(x), s);
  }
  const timeValue = df * K * ex2 * otm;
  if (theta * x <= 0.0) return timeValue;
  const F = S * growth; // growth = e^{(r-q)T}
  return df * theta * (F - K) + timeValue;
}

/**
 * One valid row (validRow), given x = ln(F/K) = ln(S/K) + (r - q)T and its three exponentials df = e^{-rT},
 * ex2 = e^{x/2}, growth = e^{(r-q)T}. Writes the outputs and returns 1 when the row failed (out of range), else 0.
 */
// @inline
export function bsmRow(
  i: i32, S: f64, K: f64, T: f64, r: f64, q: f64, v: f64, theta: f64, x: f64, df: f64, ex2: f64, growth: f64,
  wantGreeks: bool, statusPtr: usize, pricePtr: usize, deltaPtr: usize, gammaPtr: usize, vegaPtr: usize,
  thetaPtr: usize, rhoPtr: usize, vannaPtr: usize, volgaPtr: usize, charmPtr: usize,
): i32 {
  storeI32(statusPtr, i, BSM_OK);
  const sqrtT = Math.sqrt(T);
  const s = v * sqrtT;
  // Phi(d1), Phi(d2) come with the price when e^{-|x|/2} is comfortably representable (|x| < 690).
  const withCdfs = wantGreeks && ex2 > 1.0e-150 && ex2 < 1.0e150;
  const price = discountedPrice(S, K, x, s, theta, df, ex2, growth, withCdfs);
  if (!(price >= 0.0 && price < Infinity)) {
    failRow(i, BSM_OUT_OF_RANGE, statusPtr, pricePtr, deltaPtr, gammaPtr, vegaPtr, thetaPtr, rhoPtr, vannaPtr, volgaPtr, charmPtr);
    return 1;
  }
  put(pricePtr, i, price);
  if (!wantGreeks) return 0;
  const divDf = df * growth; // e^{-qT} without a third exp
  let delta: f64, gamma: f64, vega: f64, thetaG: f64, rho: f64, vanna: f64, volga: f64, charm: f64;
  if (s > 0.0) {
    const h = x / s;
    const t = 0.5 * s;
    const d1 = h + t;
    const d2 = h - t;
    // phi(d1) = phi(h + t) = exp(-(h^2 + t^2)/2) e^{-ht}/sqrt(2 pi) = vega_normalised e^{-x/2}, reusing the
    // Gaussian factor the price just computed.
    const pdf1 = ex2 > 0.0 && ex2 < Infinity ? lastNormalisedVega() / ex2 : normPdf(d1);
    let cdf1: f64, cdf2: f64;
    if (withCdfs) {
      // up = Phi(h' + t), down = Phi(h' - t) of the out-of-the-money call with x' = -|x|. An out-of-the-money
      // call has (d1, d2) = (h' + t, h' - t); an out-of-the-money put has (-d1, -d2) = (h' - t, h' + t); an
      // in-the-money option takes the complements of its out-of-the-money twin (values >= 1/2: no loss).
      const up = lastCdfUp();
      const down = lastCdfDown();
      if (theta * x <= 0.0) {
        cdf1 = theta > 0.0 ? up : down;
        cdf2 = theta > 0.0 ? down : up;
      } else {
        cdf1 = theta > 0.0 ? 1.0 - down : 1.0 - up;
        cdf2 = theta > 0.0 ? 1.0 - up : 1.0 - down;
      }
    } else {
      cdf1 = normCdf(theta * d1);
      cdf2 = normCdf(theta * d2);
    }
    const kDf = K * df;
    delta = theta * divDf * cdf1;
    gamma = (divDf * pdf1) / (S * s);
    vega = S * divDf * pdf1 * sqrtT;
    thetaG = -(S * divDf * pdf1 * v) / (2.0 * sqrtT) - theta * r * kDf * cdf2 + theta * q * S * divDf * cdf1;
    rho = theta * kDf * T * cdf2;
    // The second-order Greeks cost three divisions; a caller asking for price + first-order Greeks only
    // (their pointers 0) does not pay for them.
    if ((vannaPtr | volgaPtr | charmPtr) != 0) {
      vanna = -(divDf * pdf1 * d2) / v;
      volga = (vega * d1 * d2) / v;
      charm = theta * q * divDf * cdf1 - (divDf * pdf1 * (2.0 * (r - q) * T - d2 * s)) / (2.0 * T * s);
    } else {
      vanna = 0.0;
      volga = 0.0;
      charm = 0.0;
    }
  } else {
    // sigma*sqrt(T) = 0: the limits as s -> 0 with the other inputs fixed. Away from the money-forward every
    // density term vanishes; exactly at it (x = 0) gamma is +Inf, vega keeps its finite limit and the other
    // density terms are reported as their sign times Inf or 0 (documented in docs/kernels.md).
    const itm: f64 = theta * x > 0.0 ? 1.0 : x == 0.0 ? 0.5 : 0.0;
    const atm = x == 0.0;
    const kDf = K * df;
    delta = theta * divDf * itm;
    gamma = atm ? Infinity : 0.0;
    vega = atm ? S * divDf * INV_SQRT_2PI * sqrtT : 0.0;
    const decay: f64 = atm && v > 0.0 ? -Infinity : 0.0; // T = 0 with vol > 0 at the money
    thetaG = decay - theta * r * kDf * itm + theta * q * S * divDf * itm;
    rho = theta * kDf * T * itm;
    vanna = 0.0;
    volga = 0.0;
    const drift = r - q;
    const charmDensity: f64 = atm && drift != 0.0 ? (drift > 0.0 ? -Infinity : Infinity) : 0.0;
    charm = theta * q * divDf * itm + charmDensity;
  }
  if (isNaN(delta) || isNaN(gamma) || isNaN(vega) || isNaN(thetaG) || isNaN(rho) || isNaN(vanna) || isNaN(volga) || isNaN(charm)) {
    failRow(i, BSM_OUT_OF_RANGE, statusPtr, pricePtr, deltaPtr, gammaPtr, vegaPtr, thetaPtr, rhoPtr, vannaPtr, volgaPtr, charmPtr);
    return 1;
  }
  put(deltaPtr, i, delta);
  put(gammaPtr, i, gamma);
  put(vegaPtr, i, vega);
  put(thetaPtr, i, thetaG);
  put(rhoPtr, i, rho);
  put(vannaPtr, i, vanna);
  put(volgaPtr, i, volga);
  put(charmPtr, i, charm);
  return 0;
}

/** The normalised Black function itself, for tests and reference vectors: b(x, s, theta), with its s = 0 limit. */
export function normalisedBlackPrice(x: f64, s: f64, isCall: i32): f64 {
  const theta: f64 = isCall != 0 ? 1.0 : -1.0;
  if (s > 0.0) return normalisedBlack(x, s, theta);
  return normalisedIntrinsicCall(theta * x);
}
