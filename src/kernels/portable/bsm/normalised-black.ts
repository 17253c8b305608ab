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

// Estrin's scheme for the coefficient polynomials of the two Taylor series below, in w = h^2 with w2 = w^2 and
// w4 = w^4: short dependency chains instead of Horner's (the implied-vol iteration waits on these values). Every
// polynomial has coefficients of one sign and the outer terms are all positive (derivatives of
// Y(h) = int_0^inf e^{hu - u^2/2} du), so regrouping the sums costs no accuracy.
// @inline
function poly1(w: f64, c0: f64, c1: f64): f64 {
  return c0 + w * c1;
}
// @inline
function poly2(w: f64, w2: f64, c0: f64, c1: f64, c2: f64): f64 {
  return (c0 + w * c1) + w2 * c2;
}
// @inline
function poly3(w: f64, w2: f64, c0: f64, c1: f64, c2: f64, c3: f64): f64 {
  return (c0 + w * c1) + w2 * (c2 + w * c3);
}
// @inline
function poly4(w: f64, w2: f64, w4: f64, c0: f64, c1: f64, c2: f64, c3: f64, c4: f64): f64 {
  return ((c0 + w * c1) + w2 * (c2 + w * c3)) + w4 * c4;
}
// @inline
function poly5(w: f64, w2: f64, w4: f64, c0: f64, c1: f64, c2: f64, c3: f64, c4: f64, c5: f64): f64 {
  return ((c0 + w * c1) + w2 * (c2 + w * c3)) + w4 * (c4 + w * c5);
}
// @inline
function poly6(w: f64, w2: f64, w4: f64, c0: f64, c1: f64, c2: f64, c3: f64, c4: f64, c5: f64, c6: f64): f64 {
  return ((c0 + w * c1) + w2 * (c2 + w * c3)) + w4 * ((c4 + w * c5) + w2 * c6);
}
// @inline
function poly7(w: f64, w2: f64, w4: f64, c0: f64, c1: f64, c2: f64, c3: f64, c4: f64, c5: f64, c6: f64, c7: f64): f64 {
  return ((c0 + w * c1) + w2 * (c2 + w * c3)) + w4 * ((c4 + w * c5) + w2 * (c6 + w * c7));
}

/**
 * Region 2: Y(h+t) - Y(h-t) by the Taylor series in t, given y = Y(h): 2t sum_{n>=0} tt^n (c_n(w) + d_n(w) a)
 * with w = h^2, tt = t^2, a = Y'(h) = 1 + h y (c_0 = 0, d_0 = 1; the coefficients are exact, generated by
 * tests/ref/taylor_coefficients.py; c_n has degree n - 1, d_n degree n). Terms through t^15: truncation error
 * < 1e-18 relative for t < 0.21, |h| <= 10. Estrin's scheme in tt for the outer sum too.
 */
function smallTBracket(h: f64, t: f64, y: f64): f64 {
  const w = h * h;
  const w2 = w * w;
  const w4 = w2 * w2;
  const tt = t * t;
  const a = 1.0 + h * y;
  const c1 = -0.16666666666666666;
  const c2 = poly1(w, -0.058333333333333334, -0.008333333333333333);
  const c3 = poly2(w, w2, -0.01130952380952381, -0.0035714285714285713, -0.0001984126984126984);
  const c4 = poly3(w, w2, -0.0015459656084656085, -0.0007853835978835978, -9.093915343915344e-05, -2.7557319223985893e-06);
  const c5 = poly4(w, w2, w4, -0.00016421657046657045, -0.00011724386724386724, -2.1043771043771045e-05, -1.3027096360429694e-06, -2.505210838544172e-08);
  const c6 = poly5(w, w2, w4, -1.4301381488881489e-05, -1.3304114866614867e-05, -3.2712272295605627e-06, -3.092971842971843e-07, -1.204428287761621e-08, -1.6059043836821613e-10);
  const c7 = poly6(w, w2, w4, -1.0567653796820463e-06, -1.2203267411600745e-06, -3.837308524808525e-07, -4.914067414067414e-08, -2.9020986362256202e-09, -7.800107006456213e-11, -7.647163731819816e-13);
  const d1 = poly1(w, 0.5, 0.16666666666666666);
  const d2 = poly2(w, w2, 0.125, 0.08333333333333333, 0.008333333333333333);
  const d3 = poly3(w, w2, 0.020833333333333332, 0.020833333333333332, 0.004166666666666667, 0.0001984126984126984);
  const d4 = poly4(w, w2, w4, 0.0026041666666666665, 0.003472222222222222, 0.0010416666666666667, 9.92063492063492e-05, 2.7557319223985893e-06);
  const d5 = poly5(w, w2, w4, 0.00026041666666666666, 0.00043402777777777775, 0.00017361111111111112, 2.48015873015873e-05, 1.3778659611992946e-06, 2.505210838544172e-08);
  const d6 = poly6(w, w2, w4, 2.170138888888889e-05, 4.340277777777778e-05, 2.170138888888889e-05, 4.133597883597884e-06, 3.4446649029982366e-07, 1.252605419272086e-08, 1.6059043836821613e-10);
  const d7 = poly7(w, w2, w4, 1.5500992063492063e-06, 3.6168981481481483e-06, 2.170138888888889e-06, 5.166997354497355e-07, 5.7411081716637274e-08, 3.131513548180215e-09, 8.029521918410807e-11, 7.647163731819816e-13);
  const tt2 = tt * tt;
  const tt4 = tt2 * tt2;
  const low = (a + tt * (c1 + d1 * a)) + tt2 * ((c2 + d2 * a) + tt * (c3 + d3 * a));
  const high = ((c4 + d4 * a) + tt * (c5 + d5 * a)) + tt2 * ((c6 + d6 * a) + tt * (c7 + d7 * a));
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

/**
 * Region 2, even part: (Y(h+t) + Y(h-t))/2 = sum_{n even} t^n Y^(n)(h)/n!, with Y^(n) = h p_n(h^2) + q_n(h^2) Y
 * (exact polynomials, tests/ref/taylor_coefficients.py; truncation < 2e-18 relative for t < 0.21, |h| <= 10;
 * p_n has degree n - 1, q_n degree n). Estrin's scheme as in smallTBracket (all terms positive here too).
 */
function smallTEven(h: f64, t: f64, y: f64): f64 {
  const w = h * h;
  const w2 = w * w;
  const w4 = w2 * w2;
  const tt = t * t;
  const p1 = 0.5;
  const p2 = poly1(w, 0.20833333333333334, 0.041666666666666664);
  const p3 = poly2(w, w2, 0.04583333333333333, 0.019444444444444445, 0.001388888888888889);
  const p4 = poly3(w, w2, 0.006919642857142857, 0.004588293650793651, 0.0006696428571428571, 2.48015873015873e-05);
  const p5 = poly4(w, w2, w4, 0.0007977843915343916, 0.0007275132275132275, 0.00016203703703703703, 1.2125220458553792e-05, 2.755731922398589e-07);
  const p6 = poly5(w, w2, w4, 7.449870731120732e-05, 8.702476150392816e-05, 2.621703142536476e-05, 2.968674843674844e-06, 1.3569892042114264e-07, 2.08767569878681e-09);
  const p7 = poly6(w, w2, w4, 5.849908193658194e-06, 8.36595888679222e-06, 3.1890852203352203e-06, 4.852125387839673e-07, 3.343722341738215e-08, 1.0323671037956751e-09, 1.1470745597729725e-11);
  const q1 = poly1(w, 0.5, 0.5);
  const q2 = poly2(w, w2, 0.125, 0.25, 0.041666666666666664);
  const q3 = poly3(w, w2, 0.020833333333333332, 0.0625, 0.020833333333333332, 0.001388888888888889);
  const q4 = poly4(w, w2, w4, 0.0026041666666666665, 0.010416666666666666, 0.005208333333333333, 0.0006944444444444445, 2.48015873015873e-05);
  const q5 = poly5(w, w2, w4, 0.00026041666666666666, 0.0013020833333333333, 0.0008680555555555555, 0.00017361111111111112, 1.240079365079365e-05, 2.755731922398589e-07);
  const q6 = poly6(w, w2, w4, 2.170138888888889e-05, 0.00013020833333333333, 0.00010850694444444444, 2.8935185185185186e-05, 3.1001984126984127e-06, 1.3778659611992944e-07, 2.08767569878681e-09);
  const q7 = poly7(w, w2, w4, 1.5500992063492063e-06, 1.0850694444444445e-05, 1.0850694444444445e-05, 3.6168981481481483e-06, 5.166997354497355e-07, 3.444664902998236e-08, 1.043837849393405e-09, 1.1470745597729725e-11);
  const tt2 = tt * tt;
  const tt4 = tt2 * tt2;
  const low = (y + tt * (p1 * h + q1 * y)) + tt2 * ((p2 * h + q2 * y) + tt * (p3 * h + q3 * y));
  const high = ((p4 * h + q4 * y) + tt * (p5 * h + q5 * y)) + tt2 * ((p6 * h + q6 * y) + tt * (p7 * h + q7 * y));
  return low + tt4 * high;
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
  if (t < TAU) {
    const y = millsY(h);
    const odd = smallTBracket(h, t, y);
    const even = smallTEven(h, t, y);
    lastUp = ((even + 0.5 * odd) * phiScale) / ehx;
    lastDown = (even - 0.5 * odd) * phiScale * ehx;
    return phiScale * odd;
  }
  if (h + t > 0.85) {
    const up = normCdf(h + t);
    const low = normCdf(h - t);
    lastUp = up;
    lastDown = low;
    return Math.exp(0.5 * x) * up - (low > 0.0 ? Math.exp(-0.5 * x) * low : 0.0);
  }
  const ea = erfcx(-(h + t) * INV_SQRT2);
  const eb = erfcx(-(h - t) * INV_SQRT2);
  lastUp = (0.5 * ea * g) / ehx;
  lastDown = 0.5 * eb * g * ehx;
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
