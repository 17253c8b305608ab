// Black-Scholes-Merton batch kernel: spot form (S, K, T, r, q, sigma, call/put) over struct-of-arrays buffers
// into caller buffers (DESIGN, "Kernel ABI"). The price goes through the normalised Black function
// (normalised-black.ts), so deep in/out-of-the-money and tiny sigma*sqrt(T) keep full relative accuracy.
//
// Conventions: T in years, continuous r and q, vega per 1.00 of vol, theta per year of calendar time (-dV/dT),
// rho per 1.00 of rate, charm = d(delta)/dt per year, vanna = d(delta)/d(sigma), volga = d(vega)/d(sigma).
// Formulas: Haug, "The Complete Guide to Option Pricing Formulas" 2nd ed., sections 1.1 and 2.1-2.3, written with
// d1 = h + t, d2 = h - t (h = x/s, t = s/2), which avoids forming d1 - s.
import { expX2 } from "../math/exp-x2";
import { normCdf, normPdf } from "../math/normal";
import {
  lastCdfDown, lastCdfUp, lastNormalisedVega, normalisedBlack, normalisedBlackCall, normalisedBlackOtmCallWithCdfs,
  normalisedIntrinsicCall,
} from "./normalised-black";

const BSM_OK: i32 = 0;
const BSM_INVALID_INPUT: i32 = 1;
/** Valid inputs whose result is not representable (e.g. a discount factor beyond the double range). */
const BSM_OUT_OF_RANGE: i32 = 2;

const INV_SQRT_2PI: f64 = 0.3989422804014327;

@inline function f64At(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}

@inline function put64(base: usize, i: i32, v: f64): void {
  if (base != 0) store<f64>(base + (<usize>i << 3), v);
}

/** Marks row i with `status` and NaN in every requested output. */
function failRow(
  i: i32, status: i32, statusPtr: usize, pricePtr: usize, deltaPtr: usize, gammaPtr: usize, vegaPtr: usize,
  thetaPtr: usize, rhoPtr: usize, vannaPtr: usize, volgaPtr: usize, charmPtr: usize,
): void {
  store<i32>(statusPtr + (<usize>i << 2), status);
  put64(pricePtr, i, NaN);
  put64(deltaPtr, i, NaN); put64(gammaPtr, i, NaN); put64(vegaPtr, i, NaN); put64(thetaPtr, i, NaN);
  put64(rhoPtr, i, NaN); put64(vannaPtr, i, NaN); put64(volgaPtr, i, NaN); put64(charmPtr, i, NaN);
}

/** The normalised price for theta = +-1 with the s = 0 limit (intrinsic value on the forward). */
@inline function normalisedPrice(x: f64, s: f64, theta: f64): f64 {
  if (s > 0.0) return normalisedBlack(x, s, theta);
  return normalisedIntrinsicCall(theta * x);
}

/**
 * Discounted price: the out-of-the-money value DF K e^{x/2} b(-|x|, s), plus for an in-the-money option the
 * discounted intrinsic value DF theta (F - K) formed from F directly. Forming it as K (e^x - 1) instead would
 * carry the rounding of x = ln(F/K) into the result amplified |x| times.
 */
@inline function bsmPrice(
  S: f64, K: f64, x: f64, s: f64, theta: f64, df: f64, ex2: f64, growth: f64, withCdfs: bool,
): f64 {
  // With Greeks wanted, the evaluation also leaves Phi(h' + t) and Phi(h' - t) of the out-of-the-money call
  // (h' = -|x|/s) behind, e^{-|x|/2} being 1/ex2 or ex2.
  const otm = s > 0.0
    ? (withCdfs ? normalisedBlackOtmCallWithCdfs(-Math.abs(x), s, x <= 0.0 ? ex2 : 1.0 / ex2) : normalisedBlackCall(-Math.abs(x), s))
    : 0.0;
  const timeValue = df * K * ex2 * otm;
  if (theta * x <= 0.0) return timeValue;
  const F = S * growth; // growth = e^{(r-q)T}
  return df * theta * (F - K) + timeValue;
}

/** Finite, positive spot and strike; finite non-negative time and vol; finite rates. NaN fails every test. */
@inline function validRow(S: f64, K: f64, T: f64, r: f64, q: f64, v: f64): bool {
  return S > 0.0 && S < Infinity && K > 0.0 && K < Infinity && T >= 0.0 && T < Infinity &&
    v >= 0.0 && v < Infinity && Math.abs(r) < Infinity && Math.abs(q) < Infinity;
}

/**
 * One valid row, given x = ln(F/K) and the three exponentials computed two rows at a time by the caller:
 * df = e^{-rT}, ex2 = e^{x/2}, growth = e^{(r-q)T}. Writes the outputs and returns 1 when the row failed.
 */
@inline function bsmRow(
  i: i32, S: f64, K: f64, T: f64, r: f64, q: f64, v: f64, theta: f64, x: f64, df: f64, ex2: f64, growth: f64,
  wantGreeks: bool, statusPtr: usize, pricePtr: usize, deltaPtr: usize, gammaPtr: usize, vegaPtr: usize,
  thetaPtr: usize, rhoPtr: usize, vannaPtr: usize, volgaPtr: usize, charmPtr: usize,
): i32 {
  store<i32>(statusPtr + (<usize>i << 2), BSM_OK);
  const sqrtT = Math.sqrt(T);
  const s = v * sqrtT;
  // Phi(d1), Phi(d2) come with the price when e^{-|x|/2} is comfortably representable (|x| < 690).
  const withCdfs = wantGreeks && ex2 > 1.0e-150 && ex2 < 1.0e150;
  const price = bsmPrice(S, K, x, s, theta, df, ex2, growth, withCdfs);
  if (!(price >= 0.0 && price < Infinity)) {
    failRow(i, BSM_OUT_OF_RANGE, statusPtr, pricePtr, deltaPtr, gammaPtr, vegaPtr, thetaPtr, rhoPtr, vannaPtr, volgaPtr, charmPtr);
    return 1;
  }
  put64(pricePtr, i, price);
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
  put64(deltaPtr, i, delta);
  put64(gammaPtr, i, gamma);
  put64(vegaPtr, i, vega);
  put64(thetaPtr, i, thetaG);
  put64(rhoPtr, i, rho);
  put64(vannaPtr, i, vanna);
  put64(volgaPtr, i, volga);
  put64(charmPtr, i, charm);
  return 0;
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

/** The normalised Black function itself, for tests and reference vectors: b(x, s, theta). */
export function normalisedBlackPrice(x: f64, s: f64, isCall: i32): f64 {
  return normalisedPrice(x, s, isCall != 0 ? 1.0 : -1.0);
}
