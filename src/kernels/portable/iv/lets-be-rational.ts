// Implied volatility by P. Jaeckel, "Let's Be Rational", Wilmott 2015(75), 40-53: the normalised Black price
// b(x, s) is inverted for s = sigma*sqrt(T) from a rational initial guess that is already close to machine
// accuracy, followed by at most two Householder steps of third order on an objective chosen per branch so that
// it is close to linear there.
//
// Written here from the paper's description (sections 3-5) with every derivative re-derived:
//  - the guess: four segments of the price axis, split at b_c = b(x, s_c) with s_c = sqrt(2|x|) (the inflexion
//    point of b in s), b_l and b_u from the tangents at s_c. In the two middle segments s(beta) is a
//    Delbourgo-Gregory rational cubic through the end points and slopes 1/vega; in the lowest segment the
//    interpolated quantity is f = (2 pi |x|/sqrt 27) Phi(-|x|/(sqrt3 s))^3 (its exact low-price asymptote, with
//    f'(0) = 1), in the highest f = Phi(-s/2), each inverted in closed form;
//  - the iteration: objective 1/ln(b) - 1/ln(beta) in the lowest segment, ln((b_max-beta)/(b_max-b)) in the
//    highest (when beta > b_max/2), plain b - beta elsewhere; Householder(3)
//       s += newton (1 + halley newton/2) / (1 + newton (halley + hh3 newton/6)),
//    with halley = g''/g' and hh3 = g'''/g', kept inside a bracket that tightens with each evaluation.
//
// Written once for both builds (docs/kernels.md, "Writing a kernel once").
import { normInv, normCdf } from "../math/normal.ts";
import { lastNormalisedVega, normalisedBlackCall } from "../bsm/normalised-black.ts";

const DBL_EPSILON: f64 = 2.220446049250313e-16;
const DBL_MIN: f64 = 2.2250738585072014e-308;
const DBL_MAX: f64 = 1.7976931348623157e308;
const SQRT_DBL_MAX: f64 = 1.3407807929942596e154;
/** Largest useful control parameter of the rational cubic; above it the interpolant is taken as linear. */
const MAX_R: f64 = 2.0 / (DBL_EPSILON * DBL_EPSILON);
const MIN_R: f64 = -(1.0 - 1.4901161193847656e-8); // -(1 - sqrt(DBL_EPSILON))
const SQRT_THREE: f64 = 1.7320508075688772;
const ONE_OVER_SQRT_THREE: f64 = 0.5773502691896258;
const TWO_PI: f64 = 6.283185307179586;
const TWO_PI_OVER_SQRT_27: f64 = 1.2091995761561452; // 2 pi / sqrt(27)
const PI_OVER_SIX: f64 = 0.5235987755982989;
const SQRT_PI_OVER_TWO: f64 = 1.2533141373155003; // sqrt(pi/2)
const INV_SQRT_2PI: f64 = 0.3989422804014327; // 1/sqrt(2 pi)
const ONE_SIXTH: f64 = 1.0 / 6.0;

/** The two Householder steps the paper needs; more are allowed only as a safeguard and then counted. */
const HOUSEHOLDER_STEPS: i32 = 2;
const STEP_DONE: f64 = 1.0e-5;
const MAX_STEPS: i32 = 10;

export const IV_OK: i32 = 0;
export const IV_BELOW_INTRINSIC: i32 = 1;
export const IV_ABOVE_MAXIMUM: i32 = 2;
export const IV_NO_CONVERGENCE: i32 = 3;
export const IV_INVALID_INPUT: i32 = 4;

/** Outcome of the last `impliedNormalisedVolatility` call (kernels are single-threaded per instance). */
let solveStatus: i32 = IV_OK;
let solveIterations: i32 = 0;

export function lastSolveStatus(): i32 {
  return solveStatus;
}
export function lastSolveIterations(): i32 {
  return solveIterations;
}

// @inline
function isBelowHorizon(v: f64): bool {
  return Math.abs(v) < DBL_MIN;
}

// @inline
function square(v: f64): f64 {
  return v * v;
}

// ---- Rational cubic interpolation (R. Delbourgo & J. A. Gregory, "Shape preserving piecewise rational
// interpolation", SIAM J. Sci. Stat. Comput. 6(4), 1985), as used by the paper's section 4.

function rationalCubicInterpolation(x: f64, xl: f64, xr: f64, yl: f64, yr: f64, dl: f64, dr: f64, r: f64): f64 {
  const h = xr - xl;
  if (Math.abs(h) <= 0.0) return 0.5 * (yl + yr);
  const t = (x - xl) / h;
  if (!(r >= MAX_R)) {
    const omt = 1.0 - t;
    const t2 = t * t;
    const omt2 = omt * omt;
    return (yr * t2 * t + (r * yr - h * dr) * t2 * omt + (r * yl + h * dl) * t * omt2 + yl * omt2 * omt) /
      (1.0 + (r - 3.0) * t * omt);
  }
  return yr * t + yl * (1.0 - t);
}

function controlParameterLeft(xl: f64, xr: f64, yl: f64, yr: f64, dl: f64, dr: f64, secondDerivativeL: f64): f64 {
  const h = xr - xl;
  const numerator = 0.5 * h * secondDerivativeL + (dr - dl);
  if (isBelowHorizon(numerator)) return 0.0;
  const denominator = (yr - yl) / h - dl;
  if (isBelowHorizon(denominator)) return numerator > 0.0 ? MAX_R : MIN_R;
  return numerator / denominator;
}

function controlParameterRight(xl: f64, xr: f64, yl: f64, yr: f64, dl: f64, dr: f64, secondDerivativeR: f64): f64 {
  const h = xr - xl;
  const numerator = 0.5 * h * secondDerivativeR + (dr - dl);
  if (isBelowHorizon(numerator)) return 0.0;
  const denominator = dr - (yr - yl) / h;
  if (isBelowHorizon(denominator)) return numerator > 0.0 ? MAX_R : MIN_R;
  return numerator / denominator;
}

/** Smallest control parameter that keeps the interpolant monotone and convex/concave like its data (D&G (3.8), (3.18)). */
function minimumControlParameter(dl: f64, dr: f64, s: f64, preferShape: bool): f64 {
  const monotonic = dl * s >= 0.0 && dr * s >= 0.0;
  const convex = dl <= s && s <= dr;
  const concave = dl >= s && s >= dr;
  if (!monotonic && !convex && !concave) return MIN_R;
  let r1: f64 = -DBL_MAX;
  let r2: f64 = -DBL_MAX;
  if (monotonic) {
    if (!isBelowHorizon(s)) r1 = (dr + dl) / s;
    else if (preferShape) r1 = MAX_R;
  }
  if (convex || concave) {
    const sMinusDl = s - dl;
    const drMinusS = dr - s;
    if (!(isBelowHorizon(sMinusDl) || isBelowHorizon(drMinusS))) {
      r2 = Math.max(Math.abs((dr - dl) / drMinusS), Math.abs((dr - dl) / sMinusDl));
    } else if (preferShape) r2 = MAX_R;
  } else if (monotonic && preferShape) r2 = MAX_R;
  return Math.max(MIN_R, Math.max(r1, r2));
}

function convexControlParameterLeft(xl: f64, xr: f64, yl: f64, yr: f64, dl: f64, dr: f64, d2l: f64, preferShape: bool): f64 {
  const r = controlParameterLeft(xl, xr, yl, yr, dl, dr, d2l);
  return Math.max(r, minimumControlParameter(dl, dr, (yr - yl) / (xr - xl), preferShape));
}

function convexControlParameterRight(xl: f64, xr: f64, yl: f64, yr: f64, dl: f64, dr: f64, d2r: f64, preferShape: bool): f64 {
  const r = controlParameterRight(xl, xr, yl, yr, dl, dr, d2r);
  return Math.max(r, minimumControlParameter(dl, dr, (yr - yl) / (xr - xl), preferShape));
}

// ---- The lower and upper maps and their derivatives with respect to beta (derived by hand from
// f(s) and b'(s) = exp(-(h^2 + t^2)/2)/sqrt(2 pi); checked against finite differences in the tests).

let mapF: f64 = 0.0;
let mapFp: f64 = 0.0;
let mapFpp: f64 = 0.0;

function lowerMap(x: f64, s: f64): void {
  const ax = Math.abs(x);
  const z = (ONE_OVER_SQRT_THREE * ax) / s;
  const y = z * z;
  const s2 = s * s;
  const Phi = normCdf(-z);
  const phi = 0.3989422804014327 * Math.exp(-0.5 * y);
  mapFpp = ((PI_OVER_SIX * y) / (s2 * s)) * Phi *
    (8.0 * SQRT_THREE * s * ax + ((3.0 * s2 * (s2 - 8.0) - 8.0 * x * x) * Phi) / phi) *
    Math.exp(2.0 * y + 0.25 * s2);
  if (isBelowHorizon(s)) {
    mapFp = 1.0;
    mapF = 0.0;
  } else {
    const Phi2 = Phi * Phi;
    mapFp = TWO_PI * y * Phi2 * Math.exp(y + 0.125 * s2);
    mapF = isBelowHorizon(x) ? 0.0 : TWO_PI_OVER_SQRT_27 * ax * (Phi2 * Phi);
  }
}

function inverseLowerMap(x: f64, f: f64): f64 {
  if (isBelowHorizon(f)) return 0.0;
  return Math.abs(x / (SQRT_THREE * normInv(Math.cbrt(f / (TWO_PI_OVER_SQRT_27 * Math.abs(x))))));
}

function upperMap(x: f64, s: f64): void {
  mapF = normCdf(-0.5 * s);
  if (isBelowHorizon(x)) {
    mapFp = -0.5;
    mapFpp = 0.0;
  } else {
    const w = square(x / s);
    mapFp = -0.5 * Math.exp(0.5 * w);
    mapFpp = SQRT_PI_OVER_TWO * Math.exp(w + 0.125 * s * s) * (w / s);
  }
}

// @inline
function inverseUpperMap(f: f64): f64 {
  return -2.0 * normInv(f);
}

// @inline
function householderFactor(newton: f64, halley: f64, hh3: f64): f64 {
  return (1.0 + 0.5 * halley * newton) / (1.0 + newton * (halley + hh3 * newton * ONE_SIXTH));
}

/** Whether the iteration may stop: converged to machine accuracy, or past the paper's two steps with a last step
 * below 1e-5 s, after which third-order convergence leaves an error of order (1e-5)^3 s, below double precision. */
// @inline
function keepIterating(iterations: i32, ds: f64, s: f64): bool {
  const ads = Math.abs(ds);
  if (!(ads > DBL_EPSILON * s)) return false;
  if (iterations >= MAX_STEPS) return false;
  if (iterations >= HOUSEHOLDER_STEPS && ads < STEP_DONE * s) return false;
  return true;
}

/**
 * Normalised implied volatility s with b(x, s, theta) = beta. theta = +1 call, -1 put. Sets the status read by
 * `lastSolveStatus`: IV_OK (s >= 0), IV_BELOW_INTRINSIC, IV_ABOVE_MAXIMUM, IV_NO_CONVERGENCE (NaN returned).
 */
export function impliedNormalisedVolatility(betaIn: f64, xIn: f64, thetaIn: f64): f64 {
  let beta = betaIn;
  let x = xIn;
  let theta = thetaIn;
  solveIterations = 0;
  if (!(beta >= 0.0) || !isFinite(beta) || !isFinite(x)) {
    solveStatus = isNaN(beta) || isNaN(x) || !isFinite(x) ? IV_INVALID_INPUT : beta < 0.0 ? IV_BELOW_INTRINSIC : IV_ABOVE_MAXIMUM;
    return NaN;
  }
  // After the reduction below the problem is always the out-of-the-money call at x' = -|x|, whose upper bound is
  // b_max = e^{-|x|/2}; the option's own bound (the forward for a call, the strike for a put) is b_max or 1/b_max.
  const bMax = Math.exp(-0.5 * Math.abs(x));
  const inTheMoney = theta * x > 0.0;
  if (beta >= (inTheMoney ? 1.0 / bMax : bMax)) {
    solveStatus = IV_ABOVE_MAXIMUM;
    return NaN;
  }
  // Reduce to the out-of-the-money call: subtract the intrinsic value, then use b(x,s,-1) = b(-x,s,+1).
  if (inTheMoney) {
    // 2 sinh(|x|/2) = m + m/(1 + m) with m = e^{|x|/2} - 1: one expm1, no cancellation.
    const m = Math.expm1(0.5 * Math.abs(x));
    const intrinsic = m + m / (1.0 + m);
    if (beta < intrinsic) {
      solveStatus = IV_BELOW_INTRINSIC;
      return NaN;
    }
    beta = beta - intrinsic;
    theta = -theta;
  }
  if (theta < 0.0) x = -x;
  if (beta <= 0.0) {
    solveStatus = IV_OK;
    return 0.0;
  }
  if (beta < DBL_MIN) {
    // A time value below the normal range cannot be inverted to any accuracy.
    solveStatus = IV_NO_CONVERGENCE;
    return NaN;
  }
  if (beta >= bMax) {
    solveStatus = IV_ABOVE_MAXIMUM;
    return NaN;
  }
  const s = solveOtmCall(beta, x, bMax);
  solveStatus = isFinite(s) && s >= 0.0 ? IV_OK : IV_NO_CONVERGENCE;
  return solveStatus == IV_OK ? s : NaN;
}

/** The solver proper, for an out-of-the-money call: x <= 0, 0 < beta < bMax = e^{x/2}. */
function solveOtmCall(beta: f64, x: f64, bMax: f64): f64 {
  let f: f64 = -DBL_MAX;
  const sC = Math.sqrt(Math.abs(2.0 * x));
  // At the inflexion point s_c = sqrt(2|x|), h + t = 0, so b_c = e^{x/2}/2 - e^{-x/2} Phi(-s_c) and
  // v_c = e^{x/2}/sqrt(2 pi) exactly, both from b_max = e^{x/2}. The subtraction loses a few bits for small |x|
  // (3 at |x| = 0.01), harmless here: b_c only places the guess, which the Householder steps then correct.
  // Jaeckel (2015, section 4) evaluates b(x, s_c) in full; this saves one normalised-Black evaluation.
  let bC: f64;
  let vC: f64;
  if (x > -600.0) {
    bC = 0.5 * bMax - normCdf(-sC) / bMax;
    vC = INV_SQRT_2PI * bMax;
  } else {
    bC = normalisedBlackCall(x, sC);
    vC = lastNormalisedVega();
  }
  if (beta < bC) {
    const sL = sC - bC / vC;
    const bL = normalisedBlackCall(x, sL);
    if (beta < bL) {
      // Lowest segment.
      lowerMap(x, sL);
      const fL = mapF;
      const fpL = mapFp;
      const fppL = mapFpp;
      const rLL = convexControlParameterRight(0.0, bL, 0.0, fL, 1.0, fpL, fppL, true);
      f = rationalCubicInterpolation(beta, 0.0, bL, 0.0, fL, 1.0, fpL, rLL);
      if (!(f > 0.0)) {
        // Rounding at extreme |x|: fall back to the quadratic with f(0) = 0, f'(0) = 1 and f(b_l).
        const u = beta / bL;
        f = (fL * u + bL * (1.0 - u)) * u;
      }
      return householderIterations(OBJECTIVE_LOWER, beta, x, bMax, Math.log(beta), inverseLowerMap(x, f), DBL_MIN, sL);
    }
    const vL = lastNormalisedVega(); // of the evaluation at sL just above
    const rLM = convexControlParameterRight(bL, bC, sL, sC, 1.0 / vL, 1.0 / vC, 0.0, false);
    const s = rationalCubicInterpolation(beta, bL, bC, sL, sC, 1.0 / vL, 1.0 / vC, rLM);
    return householderIterations(OBJECTIVE_PRICE, beta, x, bMax, 0.0, s, sL, sC);
  }
  const sH = vC > DBL_MIN ? sC + (bMax - bC) / vC : sC;
  const bH = normalisedBlackCall(x, sH);
  if (beta <= bH) {
    const vH = lastNormalisedVega(); // of the evaluation at sH just above
    const rHM = convexControlParameterLeft(bC, bH, sC, sH, 1.0 / vC, 1.0 / vH, 0.0, false);
    const s = rationalCubicInterpolation(beta, bC, bH, sC, sH, 1.0 / vC, 1.0 / vH, rHM);
    return householderIterations(OBJECTIVE_PRICE, beta, x, bMax, 0.0, s, sC, sH);
  }
  // Highest segment.
  upperMap(x, sH);
  const fH = mapF;
  const fpH = mapFp;
  const fppH = mapFpp;
  if (fppH > -SQRT_DBL_MAX && fppH < SQRT_DBL_MAX) {
    const rHH = convexControlParameterLeft(bH, bMax, fH, 0.0, fpH, -0.5, fppH, true);
    f = rationalCubicInterpolation(beta, bH, bMax, fH, 0.0, fpH, -0.5, rHH);
  }
  if (f <= 0.0) {
    // Quadratic with f(b_h), f(b_max) = 0 and f'(b_max) = -1/2.
    const hh = bMax - bH;
    const u = (beta - bH) / hh;
    f = (fH * (1.0 - u) + 0.5 * hh * u) * (1.0 - u);
  }
  const s = inverseUpperMap(f);
  if (beta > 0.5 * bMax) {
    return householderIterations(OBJECTIVE_UPPER, beta, x, bMax, Math.log(bMax - beta), s, sH, DBL_MAX);
  }
  return householderIterations(OBJECTIVE_PRICE, beta, x, bMax, 0.0, s, sH, DBL_MAX);
}

// The objective of the iteration, by segment: 1/ln(b) - 1/ln(beta) in the lowest, ln((b_max - beta)/(b_max - b))
// in the highest when beta > b_max/2, and b - beta elsewhere.
const OBJECTIVE_LOWER: i32 = 0;
const OBJECTIVE_UPPER: i32 = 1;
const OBJECTIVE_PRICE: i32 = 2;

/**
 * Householder(3) steps on `objective` from the guess s inside [sLeft, sRight], with the safeguards: the bracket
 * tightens with every evaluation, and a step that leaves it or a third reversal of direction (only at extreme
 * |x|) bisects instead. lnTarget is ln(beta) for the lowest segment, ln(b_max - beta) for the highest.
 * Inlined at each call with its objective a constant, so the WebAssembly build keeps one specialised loop each.
 */
// @inline
function householderIterations(
  objective: i32, beta: f64, x: f64, bMax: f64, lnTarget: f64, sGuess: f64, sLeftIn: f64, sRightIn: f64,
): f64 {
  let s = sGuess;
  let sLeft = sLeftIn;
  let sRight = sRightIn;
  let iterations: i32 = 0;
  let directionReversals: i32 = 0;
  let ds: f64 = -DBL_MAX;
  let dsPrevious: f64 = 0.0;
  while (keepIterating(iterations, ds, s)) {
    if (ds * dsPrevious < 0.0) directionReversals++;
    if (iterations > 0 && (directionReversals == 3 || !(s > sLeft && s < sRight))) {
      // Looping or leaving the bracket: bisect.
      s = 0.5 * (sLeft + sRight);
      if (sRight - sLeft <= DBL_EPSILON * s) break;
      directionReversals = 0;
      ds = 0.0;
    }
    dsPrevious = ds;
    const b = normalisedBlackCall(x, s);
    const bp = lastNormalisedVega();
    if (b > beta && s < sRight) sRight = s;
    else if (b < beta && s > sLeft) sLeft = s;
    let step: f64;
    if (objective == OBJECTIVE_LOWER) {
      step = b <= 0.0 || bp <= 0.0 ? 0.5 * (sLeft + sRight) - s : lowerSegmentStep(b, bp, s, x, lnTarget);
    } else if (objective == OBJECTIVE_UPPER) {
      step = b >= bMax || bp <= DBL_MIN ? 0.5 * (sLeft + sRight) - s : upperSegmentStep(b, bp, s, x, bMax, lnTarget);
    } else {
      step = priceStep(b, bp, s, x, beta);
    }
    ds = Math.max(-0.5 * s, step);
    s += ds;
    iterations++;
  }
  solveIterations = iterations;
  return finish(s, ds, iterations);
}

/** The step on 1/ln(b) - 1/ln(beta) (lnBeta = ln(beta)), for b > 0, bp > 0. */
// @inline
function lowerSegmentStep(b: f64, bp: f64, s: f64, x: f64, lnBeta: f64): f64 {
  const lnB = Math.log(b);
  const invLnB = 1.0 / lnB;
  const bpob = bp / b;
  const invS = 1.0 / s;
  const h = x * invS;
  const hOverS = h * invS;
  const bHalley = h * hOverS - 0.25 * s;
  const newton = ((lnBeta - lnB) * lnB * b) / (lnBeta * bp);
  const twoOverLnB = 1.0 + 2.0 * invLnB;
  const fHalley = bHalley - bpob * twoOverLnB;
  const bHh3 = bHalley * bHalley - 3.0 * hOverS * hOverS - 0.25;
  const fHh3 = bHh3 + 2.0 * bpob * bpob * (1.0 + 3.0 * invLnB * (1.0 + invLnB)) - 3.0 * bHalley * bpob * twoOverLnB;
  return newton * householderFactor(newton, fHalley, fHh3);
}

/** The step on ln((b_max - beta)/(b_max - b)) (lnTarget = ln(b_max - beta)), for b < b_max, bp > DBL_MIN. */
// @inline
function upperSegmentStep(b: f64, bp: f64, s: f64, x: f64, bMax: f64, lnTarget: f64): f64 {
  const bMaxMinusB = bMax - b;
  const g = lnTarget - Math.log(bMaxMinusB);
  const gp = bp / bMaxMinusB;
  const bHalley = square(x / s) / s - s / 4.0;
  const bHh3 = bHalley * bHalley - 3.0 * square(x / (s * s)) - 0.25;
  const newton = -g / gp;
  const halley = bHalley + gp;
  const hh3 = bHh3 + gp * (2.0 * gp + 3.0 * bHalley);
  return newton * householderFactor(newton, halley, hh3);
}

/** The step on b - beta (the middle segments, and the highest for beta <= b_max/2). */
// @inline
function priceStep(b: f64, bp: f64, s: f64, x: f64, beta: f64): f64 {
  // b''/b' = x^2/s^3 - s/4 and b'''/b' = (b''/b')^2 - 3 x^2/s^4 - 1/4, with a single division (1/s).
  const invS = 1.0 / s;
  const xOverS2 = x * invS * invS;
  const halley = x * xOverS2 * invS - 0.25 * s;
  const hh3 = halley * halley - 3.0 * xOverS2 * xOverS2 - 0.25;
  const residual = beta - b;
  if (bp > 1.0e-100) {
    // The Householder step newton * (1 + halley newton/2) / (1 + newton (halley + hh3 newton/6)) with
    // newton = residual/bp, multiplied out by bp^2: one division on the iteration's critical path instead of
    // two in a row (bp^2 cannot underflow above 1e-100). The last step is a tiny correction, so its few ulps
    // of different rounding do not reach s.
    return (residual * (bp + 0.5 * halley * residual)) /
      (bp * bp + residual * (halley * bp + hh3 * residual * ONE_SIXTH));
  }
  const newton = residual / bp;
  return newton * householderFactor(newton, halley, hh3);
}

/** NaN when the last step was still large after the safeguard budget: the caller reports no convergence. */
// @inline
function finish(s: f64, ds: f64, iterations: i32): f64 {
  if (iterations >= MAX_STEPS && Math.abs(ds) > STEP_DONE * s) return NaN;
  return s;
}
