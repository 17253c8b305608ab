// Black-Scholes-Merton batch kernel over struct-of-arrays buffers into caller buffers (DESIGN, "Kernel ABI").
// AssemblyScript only: the whole row runs on f64x2 lanes, two rows at a time: the three exponentials, the
// normalised Black function in its two common regions (the small-t Taylor series and the erfcx form, both on the
// erfcx table), the price and the Greeks. A row the lanes do not cover (an invalid input, sigma sqrt(T) = 0, the
// asymptotic or direct-Phi regions, an erfcx argument beyond the table, e^{x/2} beyond 1e+-150) takes the scalar row
// of src/kernels/portable/bsm/row.ts, which is also the JavaScript build's whole batch (portable/bsm/batch.ts).
// Which path a row takes depends on the row alone, so a row's bits do not depend on its neighbour or its position;
// the lanes use the f64x2 exp where the scalar row uses AssemblyScript's Math.exp, so the two paths agree to an
// ulp or so, not bit for bit.
//
// Formulas and conventions: src/kernels/portable/bsm/row.ts (Haug 2007, with d1 = h + t, d2 = h - t).
import { expX2 } from "../math/exp-x2";
import {
  classify, erfcxOfNegX2, gaussianFactorX2, laneMask, millsYX2, REGION_ERFCX, REGION_SCALAR, REGION_TAYLOR,
} from "./black-x2";
import { smallTBracketX2 } from "./taylor-x2";
import {
  BSM_INVALID_INPUT, BSM_OK, BSM_OUT_OF_RANGE, bsmRow, failRow, validRow,
} from "../../src/kernels/portable/bsm/row";

export { normalisedBlackPrice } from "../../src/kernels/portable/bsm/row";

const INV_SQRT_2PI: f64 = 0.3989422804014327;

@inline function f64At(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}

@inline function splat(v: f64): v128 {
  return f64x2.splat(v);
}

@inline function add(a: v128, b: v128): v128 {
  return f64x2.add(a, b);
}

@inline function sub(a: v128, b: v128): v128 {
  return f64x2.sub(a, b);
}

@inline function mul(a: v128, b: v128): v128 {
  return f64x2.mul(a, b);
}

@inline function div(a: v128, b: v128): v128 {
  return f64x2.div(a, b);
}

/** True in a lane where v is NaN. */
@inline function isNaNX2(v: v128): v128 {
  return f64x2.ne(v, v);
}

/** Writes lane values of an output column (pointer 0: not wanted) for the lanes in `which` (1, 2 or 3). */
@inline function put2(base: usize, i: i32, j: i32, v: v128, which: i32): void {
  if (base == 0) return;
  if (which == 3 && j == i + 1) {
    v128.store(base + (<usize>i << 3), v);
    return;
  }
  if (which & 1) store<f64>(base + (<usize>i << 3), f64x2.extract_lane(v, 0));
  if ((which & 2) && j != i) store<f64>(base + (<usize>j << 3), f64x2.extract_lane(v, 1));
}

/** Lane 0 of v on both lanes when only lane 0 is wanted, lane 1 on both when only lane 1 is: the other lane of
 * a pair then computes a copy instead of a row that takes the scalar path (and may hold any number). */
@inline function usable(v: v128, which: i32): v128 {
  if (which == 1) return f64x2.splat(f64x2.extract_lane(v, 0));
  if (which == 2) return f64x2.splat(f64x2.extract_lane(v, 1));
  return v;
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
  const secondOrder = (vannaPtr | volgaPtr | charmPtr) != 0;
  let bad: i32 = 0;
  // Rows i and j = i + 1 share a step (an odd last row shares it with itself).
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
    const T = f64x2(T0, T1);
    const r = f64x2(r0, r1);
    const q = f64x2(q0, q1);
    const x = f64x2(x0, x1);
    const df = expX2(f64x2.neg(mul(r, T)));
    const ex2 = expX2(mul(splat(0.5), x));
    const growth = expX2(mul(sub(r, q), T));
    const theta0: f64 = load<u8>(isCallPtr + <usize>i) != 0 ? 1.0 : -1.0;
    const theta1: f64 = load<u8>(isCallPtr + <usize>j) != 0 ? 1.0 : -1.0;
    const sqrtT = f64x2.sqrt(T);
    const vol = f64x2(v0, v1);
    const s = mul(vol, sqrtT);
    const t = mul(splat(0.5), s);
    // h = x/s signed (the Greeks' d1 = h + t, d2 = h - t); the out-of-the-money call's is -|x|/s = -|h|.
    const hx = div(x, s);
    const h = f64x2.neg(f64x2.abs(hx));
    // The lanes cover a valid row with s > 0 in the two common regions; with Greeks, e^{x/2} must also keep
    // e^{-|x|/2} comfortably representable (the scalar row's condition for deriving Phi(d1), Phi(d2)).
    let region0 = REGION_SCALAR, region1 = REGION_SCALAR;
    const s0 = f64x2.extract_lane(s, 0), s1 = f64x2.extract_lane(s, 1);
    const e0 = f64x2.extract_lane(ex2, 0), e1 = f64x2.extract_lane(ex2, 1);
    if (valid0 && s0 > 0.0 && (!wantGreeks || (e0 > 1.0e-150 && e0 < 1.0e150))) {
      region0 = classify(f64x2.extract_lane(h, 0), f64x2.extract_lane(t, 0));
    }
    if (valid1 && s1 > 0.0 && (!wantGreeks || (e1 > 1.0e-150 && e1 < 1.0e150))) {
      region1 = classify(f64x2.extract_lane(h, 1), f64x2.extract_lane(t, 1));
    }
    const lanes = (region0 != REGION_SCALAR ? 1 : 0) | (region1 != REGION_SCALAR ? 2 : 0);
    if (lanes != 0) {
      bad += pairRow(i, j, lanes, region0, region1, f64x2(S0, S1), f64x2(K0, K1), T, r, q, vol, f64x2(theta0, theta1),
        x, df, ex2, growth, sqrtT, s, t, hx, h, wantGreeks, secondOrder, statusPtr, pricePtr, deltaPtr, gammaPtr,
        vegaPtr, thetaPtr, rhoPtr, vannaPtr, volgaPtr, charmPtr);
    }
    if ((lanes & 1) == 0) {
      if (valid0) {
        bad += bsmRow(i, S0, K0, T0, r0, q0, v0, theta0, x0, f64x2.extract_lane(df, 0), e0,
          f64x2.extract_lane(growth, 0), wantGreeks, statusPtr, pricePtr, deltaPtr, gammaPtr, vegaPtr, thetaPtr, rhoPtr,
          vannaPtr, volgaPtr, charmPtr);
      } else {
        bad++;
        failRow(i, BSM_INVALID_INPUT, statusPtr, pricePtr, deltaPtr, gammaPtr, vegaPtr, thetaPtr, rhoPtr, vannaPtr, volgaPtr, charmPtr);
      }
    }
    if (j == i || (lanes & 2) != 0) continue;
    if (valid1) {
      bad += bsmRow(j, S1, K1, T1, r1, q1, v1, theta1, x1, f64x2.extract_lane(df, 1), e1,
        f64x2.extract_lane(growth, 1), wantGreeks, statusPtr, pricePtr, deltaPtr, gammaPtr, vegaPtr, thetaPtr, rhoPtr,
        vannaPtr, volgaPtr, charmPtr);
    } else {
      bad++;
      failRow(j, BSM_INVALID_INPUT, statusPtr, pricePtr, deltaPtr, gammaPtr, vegaPtr, thetaPtr, rhoPtr, vannaPtr, volgaPtr, charmPtr);
    }
  }
  return bad;
}

/**
 * Rows i and j on the lanes `lanes` (1: lane 0, 2: lane 1, 3: both), whose regions are region0 and region1:
 * the normalised Black value (and with Greeks its vega and Phi(d1), Phi(d2)), the price, the Greeks, the checks
 * and the stores, lane by lane as the scalar row does them. Returns the number of those rows that failed.
 */
@inline function pairRow(
  i: i32, j: i32, lanes: i32, region0: i32, region1: i32, Sv: v128, Kv: v128, T: v128, r: v128, q: v128, vol: v128,
  theta: v128, x: v128, df: v128, ex2Raw: v128, growth: v128, sqrtT: v128, s: v128, t: v128, hx: v128, h: v128,
  wantGreeks: bool, secondOrder: bool, statusPtr: usize, pricePtr: usize, deltaPtr: usize, gammaPtr: usize,
  vegaPtr: usize, thetaPtr: usize, rhoPtr: usize, vannaPtr: usize, volgaPtr: usize, charmPtr: usize,
): i32 {
  const S = usable(Sv, lanes), K = usable(Kv, lanes), ex2 = usable(ex2Raw, lanes);
  const tl = usable(t, lanes), hl = usable(h, lanes);
  // The normalised Black value of the out-of-the-money call b(-|x|, s), lane by lane in its own region.
  const g = gaussianFactorX2(hl, tl);
  const phiScale = mul(splat(INV_SQRT_2PI), g);
  const xl = usable(x, lanes);
  const ehx = v128.bitselect(ex2, div(splat(1.0), ex2), f64x2.le(xl, splat(0.0))); // e^{-|x|/2}
  const useTaylor = region0 == REGION_TAYLOR || region1 == REGION_TAYLOR;
  const useErfcx = region0 == REGION_ERFCX || region1 == REGION_ERFCX;
  // Phi(h +- t) = Y(h +- t) phi(h +- t) with Y from erfcx, in both regions; the value is their difference in the
  // erfcx region, the Taylor series in the other (where the difference would cancel).
  let otm = splat(0.0), up = splat(0.0), down = splat(0.0);
  let ea = splat(0.0), eb = splat(0.0);
  if (useErfcx || wantGreeks) {
    ea = erfcxOfNegX2(add(hl, tl));
    eb = erfcxOfNegX2(sub(hl, tl));
  }
  if (wantGreeks) {
    up = div(mul(mul(splat(0.5), ea), g), ehx);
    down = mul(mul(mul(splat(0.5), eb), g), ehx);
  }
  if (useErfcx) otm = mul(mul(splat(0.5), g), sub(ea, eb));
  if (useTaylor) {
    const taylorOtm = mul(phiScale, smallTBracketX2(hl, tl, millsYX2(hl)));
    otm = useErfcx ? v128.bitselect(taylorOtm, otm, laneMask(region0 == REGION_TAYLOR, region1 == REGION_TAYLOR)) : taylorOtm;
  }
  // Price: the out-of-the-money value DF K e^{x/2} b(-|x|, s), plus DF theta (F - K) in the money.
  const Tl = usable(T, lanes), dfl = usable(df, lanes), growthl = usable(growth, lanes), thetal = usable(theta, lanes);
  const timeValue = mul(mul(mul(dfl, K), ex2), otm);
  const itm = f64x2.gt(mul(thetal, xl), splat(0.0));
  const intrinsic = mul(mul(dfl, thetal), sub(mul(S, growthl), K));
  const price = v128.bitselect(add(intrinsic, timeValue), timeValue, itm);
  // A price that is not a finite non-negative number: the row is out of range.
  const priceOk = v128.and(f64x2.ge(price, splat(0.0)), f64x2.lt(price, splat(Infinity)));
  let failed = v128.not(priceOk);
  let delta = splat(0.0), gamma = splat(0.0), vega = splat(0.0), thetaG = splat(0.0), rho = splat(0.0);
  let vanna = splat(0.0), volga = splat(0.0), charm = splat(0.0);
  if (wantGreeks) {
    const rl = usable(r, lanes), ql = usable(q, lanes), voll = usable(vol, lanes), sqrtTl = usable(sqrtT, lanes);
    const sl = usable(s, lanes), hxl = usable(hx, lanes);
    const divDf = mul(dfl, growthl); // e^{-qT} without a third exp
    const d1 = add(hxl, tl);
    const d2 = sub(hxl, tl);
    const pdf1 = div(phiScale, ex2); // phi(d1) = vega_normalised e^{-x/2}
    // Phi(d1), Phi(d2): an out-of-the-money call has (up, down), an out-of-the-money put (down, up); in the
    // money, the complements of the out-of-the-money twin's (values >= 1/2: no loss).
    const call = f64x2.gt(thetal, splat(0.0));
    const callFirst = v128.bitselect(up, down, call);
    const callSecond = v128.bitselect(down, up, call);
    const one = splat(1.0);
    const cdf1 = v128.bitselect(sub(one, callSecond), callFirst, itm);
    const cdf2 = v128.bitselect(sub(one, callFirst), callSecond, itm);
    const kDf = mul(K, dfl);
    const sDivDf = mul(S, divDf);
    delta = mul(mul(thetal, divDf), cdf1);
    gamma = div(mul(divDf, pdf1), mul(S, sl));
    vega = mul(mul(sDivDf, pdf1), sqrtTl);
    thetaG = add(
      sub(div(f64x2.neg(mul(mul(sDivDf, pdf1), voll)), mul(splat(2.0), sqrtTl)), mul(mul(mul(thetal, rl), kDf), cdf2)),
      mul(mul(mul(mul(thetal, ql), S), divDf), cdf1),
    );
    rho = mul(mul(mul(thetal, kDf), Tl), cdf2);
    if (secondOrder) {
      vanna = div(f64x2.neg(mul(mul(divDf, pdf1), d2)), voll);
      volga = div(mul(mul(vega, d1), d2), voll);
      charm = sub(
        mul(mul(mul(thetal, ql), divDf), cdf1),
        div(mul(mul(divDf, pdf1), sub(mul(mul(splat(2.0), sub(rl, ql)), Tl), mul(d2, sl))), mul(mul(splat(2.0), Tl), sl)),
      );
    }
    const nan = v128.or(v128.or(v128.or(isNaNX2(delta), isNaNX2(gamma)), v128.or(isNaNX2(vega), isNaNX2(thetaG))),
      v128.or(v128.or(isNaNX2(rho), isNaNX2(vanna)), v128.or(isNaNX2(volga), isNaNX2(charm))));
    failed = v128.or(failed, nan);
  }
  // Lanes that failed get the out-of-range status and NaNs from failRow; the others their numbers.
  let ok = lanes;
  let bad: i32 = 0;
  if ((lanes & 1) && i64x2.extract_lane(failed, 0) != 0) {
    ok &= ~1;
    bad++;
    failRow(i, BSM_OUT_OF_RANGE, statusPtr, pricePtr, deltaPtr, gammaPtr, vegaPtr, thetaPtr, rhoPtr, vannaPtr, volgaPtr, charmPtr);
  }
  if ((lanes & 2) && j != i && i64x2.extract_lane(failed, 1) != 0) {
    ok &= ~2;
    bad++;
    failRow(j, BSM_OUT_OF_RANGE, statusPtr, pricePtr, deltaPtr, gammaPtr, vegaPtr, thetaPtr, rhoPtr, vannaPtr, volgaPtr, charmPtr);
  }
  if (j == i && (ok & 1) == 0) ok = 0;
  if (ok == 0) return bad;
  if (ok & 1) store<i32>(statusPtr + (<usize>i << 2), BSM_OK);
  if ((ok & 2) && j != i) store<i32>(statusPtr + (<usize>j << 2), BSM_OK);
  put2(pricePtr, i, j, price, ok);
  if (!wantGreeks) return bad;
  put2(deltaPtr, i, j, delta, ok);
  put2(gammaPtr, i, j, gamma, ok);
  put2(vegaPtr, i, j, vega, ok);
  put2(thetaPtr, i, j, thetaG, ok);
  put2(rhoPtr, i, j, rho, ok);
  put2(vannaPtr, i, j, vanna, ok);
  put2(volgaPtr, i, j, volga, ok);
  put2(charmPtr, i, j, charm, ok);
  return bad;
}
