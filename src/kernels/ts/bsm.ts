// Pure-TypeScript twin of assembly/bsm/index.ts (formulas and edge cases documented there).
import { normCdf, normPdf } from "./normal.ts";
import {
  lastCdfDown, lastCdfUp, lastNormalisedVega, normalisedBlackCall, normalisedBlackOtmCallWithCdfs,
} from "./normalised-black.ts";

const INV_SQRT_2PI = 0.3989422804014327;

/** Indices into the 9-slot output of `bsmRow`. */
export const PRICE = 0;
export const DELTA = 1;
export const GAMMA = 2;
export const VEGA = 3;
export const THETA = 4;
export const RHO = 5;
export const VANNA = 6;
export const VOLGA = 7;
export const CHARM = 8;

/** Discounted price: out-of-the-money value plus, in the money, DF theta (F - K) (see the AssemblyScript twin). */
function bsmPrice(
  S: number, K: number, x: number, s: number, theta: number, df: number, ex2: number, growth: number,
  withCdfs: boolean,
): number {
  const otm = s > 0
    ? (withCdfs ? normalisedBlackOtmCallWithCdfs(-Math.abs(x), s, x <= 0 ? ex2 : 1 / ex2) : normalisedBlackCall(-Math.abs(x), s))
    : 0;
  const timeValue = df * K * ex2 * otm;
  if (theta * x <= 0) return timeValue;
  const F = S * growth; // growth = e^{(r-q)T}
  return df * theta * (F - K) + timeValue;
}

/**
 * Prices one option into out[0..8] (price and eight Greeks, or only the price when `greeks` is false); returns
 * 0 ok, 1 invalid input or 2 out of range (valid inputs, unrepresentable result); on 1 and 2 out is all NaN.
 */
export function bsmRow(
  S: number, K: number, T: number, r: number, q: number, v: number, isCall: boolean, greeks: boolean, out: Float64Array,
): number {
  const valid = S > 0 && S < Infinity && K > 0 && K < Infinity && T >= 0 && T < Infinity && v >= 0 && v < Infinity &&
    Math.abs(r) < Infinity && Math.abs(q) < Infinity;
  if (!valid) {
    out.fill(Number.NaN);
    return 1;
  }
  const theta = isCall ? 1 : -1;
  const sqrtT = Math.sqrt(T);
  const s = v * sqrtT;
  const x = Math.log(S / K) + (r - q) * T;
  const df = Math.exp(-r * T);
  const ex2 = Math.exp(0.5 * x);
  const withCdfs = greeks && ex2 > 1e-150 && ex2 < 1e150;
  // e^{(r-q)T}: the forward's growth, needed in the money (F) and for the Greeks (e^{-qT} = DF e^{(r-q)T}).
  const growth = greeks || theta * x > 0 ? Math.exp((r - q) * T) : 1;
  out[PRICE] = bsmPrice(S, K, x, s, theta, df, ex2, growth, withCdfs);
  const price = out[PRICE] ?? NaN;
  if (!(price >= 0 && price < Infinity)) {
    out.fill(Number.NaN);
    return 2;
  }
  if (!greeks) return 0;
  const divDf = df * growth; // e^{-qT} without a third exp
  const kDf = K * df;
  if (s > 0) {
    const h = x / s;
    const t = 0.5 * s;
    const d1 = h + t;
    const d2 = h - t;
    // phi(d1) = vega_normalised e^{-x/2}, from the Gaussian factor the price just computed.
    const pdf1 = ex2 > 0 && ex2 < Infinity ? lastNormalisedVega() / ex2 : normPdf(d1);
    let cdf1: number, cdf2: number;
    if (withCdfs) {
      // Phi of the out-of-the-money call's d1, d2 (see the AssemblyScript twin for the mapping).
      const up = lastCdfUp();
      const down = lastCdfDown();
      if (theta * x <= 0) {
        cdf1 = theta > 0 ? up : down;
        cdf2 = theta > 0 ? down : up;
      } else {
        cdf1 = theta > 0 ? 1 - down : 1 - up;
        cdf2 = theta > 0 ? 1 - up : 1 - down;
      }
    } else {
      cdf1 = normCdf(theta * d1);
      cdf2 = normCdf(theta * d2);
    }
    const vega = S * divDf * pdf1 * sqrtT;
    out[DELTA] = theta * divDf * cdf1;
    out[GAMMA] = (divDf * pdf1) / (S * s);
    out[VEGA] = vega;
    out[THETA] = -(S * divDf * pdf1 * v) / (2 * sqrtT) - theta * r * kDf * cdf2 + theta * q * S * divDf * cdf1;
    out[RHO] = theta * kDf * T * cdf2;
    out[VANNA] = -(divDf * pdf1 * d2) / v;
    out[VOLGA] = (vega * d1 * d2) / v;
    out[CHARM] = theta * q * divDf * cdf1 - (divDf * pdf1 * (2 * (r - q) * T - d2 * s)) / (2 * T * s);
  } else {
    const itm = theta * x > 0 ? 1 : x === 0 ? 0.5 : 0;
    const atm = x === 0;
    out[DELTA] = theta * divDf * itm;
    out[GAMMA] = atm ? Infinity : 0;
    out[VEGA] = atm ? S * divDf * INV_SQRT_2PI * sqrtT : 0;
    const decay = atm && v > 0 ? -Infinity : 0;
    out[THETA] = decay - theta * r * kDf * itm + theta * q * S * divDf * itm;
    out[RHO] = theta * kDf * T * itm;
    out[VANNA] = 0;
    out[VOLGA] = 0;
    const drift = r - q;
    const charmDensity = atm && drift !== 0 ? (drift > 0 ? -Infinity : Infinity) : 0;
    out[CHARM] = theta * q * divDf * itm + charmDensity;
  }
  if (out.some((v) => Number.isNaN(v))) {
    out.fill(Number.NaN);
    return 2;
  }
  return 0;
}
