// The normalised Black function b(x, s) and its vega, the core every price, Greek and implied volatility in
// trademl goes through (DESIGN, "Kernel ABI": Black-76 on forward, standard deviation and discount factor).
//
// With x = ln(F/K), s = sigma*sqrt(T) and theta = +1 (call) or -1 (put), the undiscounted Black price is
//   B = sqrt(F K) * b(x, s, theta),   b = theta [ e^{x/2} Phi(theta(x/s + s/2)) - e^{-x/2} Phi(theta(x/s - s/2)) ]
// (P. Jaeckel, "Let's Be Rational", Wilmott 2015, section 2). Only the out-of-the-money call (x <= 0) is
// evaluated directly; in-the-money options and puts follow from parity and the symmetry b(x,s,-1) = b(-x,s,+1),
// so no in-the-money value is ever formed as a small difference of large numbers.
//
// For x <= 0 write h = x/s, t = s/2 and Y(z) = Phi(z)/phi(z). Then exactly
//   b = exp(-(h^2 + t^2)/2) / sqrt(2 pi) * [ Y(h + t) - Y(h - t) ],
// and four evaluation regions keep the bracket free of cancellation (the region layout follows Jaeckel's
// paper; the two expansions below are derived here):
//  1. h < -10 and t < |h| - 10 + TAU: the asymptotic series Y(z) ~ sum_n (-1)^{n+1} (2n-1)!! z^{-(2n+1)} for both
//     terms, with each difference (h+t)^{-m} - (h-t)^{-m} rewritten as a sum of like-signed products.
//  2. t < TAU: the Taylor series in t about h, Y(h+t) - Y(h-t) = 2 sum_{n odd} t^n Y^(n)(h)/n!, where each odd
//     derivative is an exact polynomial pair c_n(h^2) + d_n(h^2) a with a = Y'(h) = 1 + h Y(h) (from Y' = 1 + hY).
//     Terms through t^15: truncation error < 1e-18 relative for t < 0.21, |h| <= 10 (checked with mpmath).
//  3. h + t > 0.85: the two Phi terms directly (the first dominates; nothing cancels).
//  4. otherwise: the bracket with Y from the scaled complementary error function erfcx.
//
// Written once for both builds (docs/kernels.md, "Writing a kernel once").
import { erfcx, expNegHalfSquare, millsY, normCdf } from "../math/normal.ts";
import { tableF64 } from "../memory.ts";
import {
  TAYLOR_FULL_1, TAYLOR_FULL_2, TAYLOR_FULL_3, TAYLOR_FULL_4, TAYLOR_FULL_5, TAYLOR_FULL_6, TAYLOR_FULL_7, TAYLOR_LOW_2,
  TAYLOR_LOW_3, TAYLOR_LOW_4, TAYLOR_LOW_5, TAYLOR_LOW_6, TAYLOR_LOW_7, TAYLOR_ODD_C, TAYLOR_ODD_D,
} from "./taylor-coefficients.ts";

/** 2 * DBL_EPSILON^(1/16): Jaeckel's threshold for the small-t expansion. */
const TAU: f64 = 0.21022410381342865;
/** Below h = -10 the asymptotic expansion of Y converges to double precision. */
const ASYMPTOTIC_H: f64 = -10.0;
const INV_SQRT_2PI: f64 = 0.39894228040143267794;
const INV_SQRT2: f64 = 0.70710678118654752440;

/** Normalised intrinsic value of a call, e^{x/2} - e^{-x/2} = 2 sinh(x/2), for x > 0 (via expm1: no cancellation). */
// @inline
export function normalisedIntrinsicCall(x: f64): f64 {
  return x > 0.0 ? Math.expm1(0.5 * x) - Math.expm1(-0.5 * x) : 0.0;
}

/**
 * exp(-(h^2 + t^2)/2). While h^2 + t^2 < 8 one exp of the rounded sum is within 2 ulps (the sum's rounding error
 * is below 3e-15 absolute); beyond, each square goes through the exact split of expNegHalfSquare, so the deep
 * tails keep full relative accuracy.
 */
// @inline
function gaussianFactor(h: f64, t: f64): f64 {
  const q = h * h + t * t;
  if (q < 8.0) return Math.exp(-0.5 * q);
  return expNegHalfSquare(h) * expNegHalfSquare(t);
}

/** Region 1: Y(h+t) - Y(h-t) for h+t <= -9.79 by the asymptotic series, cancellation-free. */
function asymptoticBracket(h: f64, t: f64): f64 {
  // p = 1/(h+t), q = 1/(h-t), both negative. (p^m - q^m) = (p - q) T_m with T_m = sum_{j<m} p^j q^{m-1-j} > 0 for
  // odd m; T_{m+2} = p^2 T_m + p q^m + q^{m+1}. The bracket is 2t/(h^2-t^2) * sum_n (-1)^n (2n-1)!! T_{2n+1}.
  const p = 1.0 / (h + t);
  const q = 1.0 / (h - t);
  const p2 = p * p;
  const q2 = q * q;
  let tm: f64 = 1.0; // T_1
  let qm: f64 = q; // q^m for m = 1
  let coef: f64 = 1.0; // (2n-1)!!
  let sum: f64 = 1.0;
  for (let n = 1; n < 40; n++) {
    tm = p2 * tm + p * qm + qm * q;
    qm *= q2;
    coef *= (2 * n - 1) as f64;
    const term = coef * tm;
    sum += (n & 1) != 0 ? -term : term;
    if (term < 1.0e-17 * sum) break;
  }
  return ((2.0 * t) / ((h - t) * (h + t))) * sum;
}

// Estrin's scheme for the coefficient polynomials of the two Taylor series below (taylor-coefficients.ts), in
// w = h^2 with w2 = w^2 and w4 = w^4: short dependency chains instead of Horner's (the implied-vol iteration waits
// on these values). Every polynomial has coefficients of one sign and the outer terms are all positive
// (derivatives of Y(h) = int_0^inf e^{hu - u^2/2} du), so regrouping the sums costs no accuracy. polyN evaluates
// the degree-N polynomial whose coefficients start at element o of table T; the WebAssembly BSM batch evaluates
// the same groupings on f64x2 lanes (assembly/bsm/taylor-x2.ts).
// @inline
function poly1(w: f64, T: StaticArray<f64>, o: i32): f64 {
  return tableF64(T, o) + w * tableF64(T, o + 1);
}
// @inline
function poly2(w: f64, w2: f64, T: StaticArray<f64>, o: i32): f64 {
  return (tableF64(T, o) + w * tableF64(T, o + 1)) + w2 * tableF64(T, o + 2);
}
// @inline
function poly3(w: f64, w2: f64, T: StaticArray<f64>, o: i32): f64 {
  return (tableF64(T, o) + w * tableF64(T, o + 1)) + w2 * (tableF64(T, o + 2) + w * tableF64(T, o + 3));
}
// @inline
function poly4(w: f64, w2: f64, w4: f64, T: StaticArray<f64>, o: i32): f64 {
  return poly3(w, w2, T, o) + w4 * tableF64(T, o + 4);
}
// @inline
function poly5(w: f64, w2: f64, w4: f64, T: StaticArray<f64>, o: i32): f64 {
  return poly3(w, w2, T, o) + w4 * poly1(w, T, o + 4);
}
// @inline
function poly6(w: f64, w2: f64, w4: f64, T: StaticArray<f64>, o: i32): f64 {
  return poly3(w, w2, T, o) + w4 * poly2(w, w2, T, o + 4);
}
// @inline
function poly7(w: f64, w2: f64, w4: f64, T: StaticArray<f64>, o: i32): f64 {
  return poly3(w, w2, T, o) + w4 * poly3(w, w2, T, o + 4);
}

/**
 * Region 2: Y(h+t) - Y(h-t) by the Taylor series in t, given y = Y(h): 2t sum_{n>=0} tt^n (c_n(w) + d_n(w) a)
 * with w = h^2, tt = t^2, a = Y'(h) = 1 + h y (taylor-coefficients.ts). Terms through t^15: truncation error
 * < 1e-18 relative for t < 0.21, |h| <= 10. Estrin's scheme in tt for the outer sum too.
 */
function smallTBracket(h: f64, t: f64, y: f64): f64 {
  const w = h * h;
  const w2 = w * w;
  const w4 = w2 * w2;
  const tt = t * t;
  const a = 1.0 + h * y;
  const C = TAYLOR_ODD_C;
  const D = TAYLOR_ODD_D;
  const k1 = tableF64(C, 0) + poly1(w, D, TAYLOR_FULL_1) * a;
  const k2 = poly1(w, C, TAYLOR_LOW_2) + poly2(w, w2, D, TAYLOR_FULL_2) * a;
  const k3 = poly2(w, w2, C, TAYLOR_LOW_3) + poly3(w, w2, D, TAYLOR_FULL_3) * a;
  const k4 = poly3(w, w2, C, TAYLOR_LOW_4) + poly4(w, w2, w4, D, TAYLOR_FULL_4) * a;
  const k5 = poly4(w, w2, w4, C, TAYLOR_LOW_5) + poly5(w, w2, w4, D, TAYLOR_FULL_5) * a;
  const k6 = poly5(w, w2, w4, C, TAYLOR_LOW_6) + poly6(w, w2, w4, D, TAYLOR_FULL_6) * a;
  const k7 = poly6(w, w2, w4, C, TAYLOR_LOW_7) + poly7(w, w2, w4, D, TAYLOR_FULL_7) * a;
  const tt2 = tt * tt;
  const tt4 = tt2 * tt2;
  const low = (a + tt * k1) + tt2 * (k2 + tt * k3);
  const high = (k4 + tt * k5) + tt2 * (k6 + tt * k7);
  return 2.0 * t * (low + tt4 * high);
}

/** The normalised vega of the last `normalisedBlackCall` evaluation (kernels are single-threaded per instance). */
let lastVega: f64 = 0.0;

/** db/ds at the (x, s) of the last `normalisedBlackCall`: computed there from the same Gaussian factor, free. */
export function lastNormalisedVega(): f64 {
  return lastVega;
}

/** b(x, s) for an out-of-the-money call (x <= 0, s > 0); leaves the vega in `lastVega`. */
function normalisedBlackOtmCall(x: f64, s: f64): f64 {
  const h = x / s;
  const t = 0.5 * s;
  const g = gaussianFactor(h, t);
  lastVega = INV_SQRT_2PI * g;
  if (h < ASYMPTOTIC_H && t < -h + ASYMPTOTIC_H + TAU) {
    return INV_SQRT_2PI * g * asymptoticBracket(h, t);
  }
  if (t < TAU) {
    return INV_SQRT_2PI * g * smallTBracket(h, t, millsY(h));
  }
  if (h + t > 0.85) {
    // The second term is skipped when Phi(h - t) underflows, so e^{-x/2} = Inf never meets a 0.
    const low = normCdf(h - t);
    return Math.exp(0.5 * x) * normCdf(h + t) - (low > 0.0 ? Math.exp(-0.5 * x) * low : 0.0);
  }
  // Y(z) = sqrt(pi/2) erfcx(-z/sqrt2), and sqrt(pi/2)/sqrt(2 pi) = 1/2.
  return 0.5 * g * (erfcx(-(h + t) * INV_SQRT2) - erfcx(-(h - t) * INV_SQRT2));
}

/** Phi(h + t) and Phi(h - t) of the last `normalisedBlackOtmCallWithCdfs` (the out-of-the-money call's d1, d2). */
let lastUp: f64 = 0.0;
let lastDown: f64 = 0.0;

export function lastCdfUp(): f64 {
  return lastUp;
}

export function lastCdfDown(): f64 {
  return lastDown;
}

/**
 * b(x, s) for an out-of-the-money call exactly as `normalisedBlackCall` computes it (bit for bit), plus
 * Phi(h + t) and Phi(h - t) from the same intermediates: Phi(z) = Y(z) phi(z) with phi(h +- t) =
 * exp(-(h^2 + t^2)/2) e^{-+x/2} / sqrt(2 pi). The Greeks need these two probabilities; deriving them here saves
 * two normal-distribution evaluations per option. x <= 0, s > 0, ehx = e^{x/2} (not below 1e-150).
 */
export function normalisedBlackOtmCallWithCdfs(x: f64, s: f64, ehx: f64): f64 {
  const h = x / s;
  const t = 0.5 * s;
  const g = gaussianFactor(h, t);
  const phiScale = INV_SQRT_2PI * g;
  lastVega = phiScale;
  if (h < ASYMPTOTIC_H && t < -h + ASYMPTOTIC_H + TAU) {
    lastUp = normCdf(h + t);
    lastDown = normCdf(h - t);
    return phiScale * asymptoticBracket(h, t);
  }
  if (h + t > 0.85) {
    const up = normCdf(h + t);
    const low = normCdf(h - t);
    lastUp = up;
    lastDown = low;
    return Math.exp(0.5 * x) * up - (low > 0.0 ? Math.exp(-0.5 * x) * low : 0.0);
  }
  // Regions 2 and 4: Phi(h +- t) = Y(h +- t) phi(h +- t), Y from erfcx, with nothing to cancel in either. The value
  // is their difference only in region 4; in region 2 it would cancel, and the Taylor series gives it.
  const ea = erfcx(-(h + t) * INV_SQRT2);
  const eb = erfcx(-(h - t) * INV_SQRT2);
  lastUp = (0.5 * ea * g) / ehx;
  lastDown = 0.5 * eb * g * ehx;
  if (t < TAU) return phiScale * smallTBracket(h, t, millsY(h));
  return 0.5 * g * (ea - eb);
}

/** Normalised Black call b(x, s) for any x; s >= 0. Also sets `lastNormalisedVega()` (vega is even in x). */
export function normalisedBlackCall(x: f64, s: f64): f64 {
  if (x > 0.0) return normalisedIntrinsicCall(x) + normalisedBlackCall(-x, s);
  if (!(s > 0.0)) {
    lastVega = x == 0.0 ? INV_SQRT_2PI : 0.0;
    return 0.0;
  }
  return normalisedBlackOtmCall(x, s);
}

/** Normalised Black price for theta = +1 (call) or -1 (put): b(x, s, theta) = b(theta x, s, +1). */
export function normalisedBlack(x: f64, s: f64, theta: f64): f64 {
  return normalisedBlackCall(theta < 0.0 ? -x : x, s);
}

/** Normalised vega db/ds = exp(-(h^2 + t^2)/2) / sqrt(2 pi), the same for calls and puts. */
export function normalisedVega(x: f64, s: f64): f64 {
  if (!(s > 0.0)) return x == 0.0 ? INV_SQRT_2PI : 0.0;
  return INV_SQRT_2PI * gaussianFactor(x / s, 0.5 * s);
}
