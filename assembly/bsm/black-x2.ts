// Pieces of the normalised Black function for two out-of-the-money calls at once, one per f64x2 lane
// (src/kernels/portable/bsm/normalised-black.ts: normalisedBlackOtmCallWithCdfs), in its two common regions: the
// small-t Taylor series (region 2) and the erfcx form (region 4), both on the erfcx table. Rows elsewhere (the
// asymptotic series, the direct Phi difference, arguments beyond the table) take the scalar code; classify() says
// which. Each lane's numbers depend on its own row only.
import { expX2 } from "../math/exp-x2";
import { erfcxTableX2 } from "../math/erfcx-x2";
import { ERFCX_TABLE_HI } from "../../src/kernels/portable/math/erfcx-table";

const TAU: f64 = 0.21022410381342865;
const ASYMPTOTIC_H: f64 = -10.0;
const INV_SQRT_2PI: f64 = 0.39894228040143267794;
const INV_SQRT2: f64 = 0.70710678118654752440;
const SQRT_HALF_PI: f64 = 1.2533141373155002512;

/** Where a row's normalised Black value comes from. */
export const REGION_SCALAR: i32 = 0;
export const REGION_TAYLOR: i32 = 1;
export const REGION_ERFCX: i32 = 2;

/**
 * The region of the out-of-the-money call at h = -|x|/s, t = s/2 (s > 0), as the scalar code decides it, with
 * the Taylor and erfcx regions only where every erfcx argument is inside the table.
 */
@inline export function classify(h: f64, t: f64): i32 {
  if (h < ASYMPTOTIC_H && t < -h + ASYMPTOTIC_H + TAU) return REGION_SCALAR;
  if (t < TAU) return -h * INV_SQRT2 < ERFCX_TABLE_HI ? REGION_TAYLOR : REGION_SCALAR;
  if (h + t > 0.85) return REGION_SCALAR;
  return (t - h) * INV_SQRT2 < ERFCX_TABLE_HI ? REGION_ERFCX : REGION_SCALAR;
}

@inline function splat(v: f64): v128 {
  return f64x2.splat(v);
}

/** exp(-x^2/2) on both lanes through the exact split x = xh + xl (xh with 26 significant bits). */
@inline function expNegHalfSquareX2(x: v128): v128 {
  const ax = f64x2.abs(x);
  const xh = v128.and(ax, i64x2.splat(0xFFFFFFFFF8000000));
  const xl = f64x2.sub(ax, xh);
  const d = f64x2.mul(f64x2.mul(splat(-0.5), xl), f64x2.add(ax, xh));
  // e^d = 1 + d(1 + d/2(1 + d/3(1 + d/4))) to 1e-22 (|d| < 3e-5 wherever the result is a normal number).
  const series = f64x2.add(splat(1.0), f64x2.mul(d, f64x2.add(splat(1.0), f64x2.mul(f64x2.mul(splat(0.5), d),
    f64x2.add(splat(1.0), f64x2.mul(f64x2.div(d, splat(3.0)), f64x2.add(splat(1.0), f64x2.mul(splat(0.25), d))))))));
  return f64x2.mul(expX2(f64x2.mul(f64x2.mul(splat(-0.5), xh), xh)), series);
}

/**
 * exp(-(h^2 + t^2)/2): one exp of the rounded sum while h^2 + t^2 < 8 (within 2 ulps), else the exact splits of
 * both squares, so the deep tails keep full relative accuracy.
 */
@inline export function gaussianFactorX2(h: v128, t: v128): v128 {
  const q = f64x2.add(f64x2.mul(h, h), f64x2.mul(t, t));
  const near = f64x2.lt(q, splat(8.0));
  const small = expX2(f64x2.mul(splat(-0.5), q));
  if (i64x2.all_true(near)) return small;
  return v128.bitselect(small, f64x2.mul(expNegHalfSquareX2(h), expNegHalfSquareX2(t)), near);
}

/** Lane masks (all ones where true) of two flags. */
@inline export function laneMask(lane0: bool, lane1: bool): v128 {
  return i64x2(lane0 ? -1 : 0, lane1 ? -1 : 0);
}

/** Y(h) = Phi(h)/phi(h) on both lanes (h <= 0, above the asymptotic region): sqrt(pi/2) erfcx(-h/sqrt2). */
@inline export function millsYX2(h: v128): v128 {
  return f64x2.mul(splat(SQRT_HALF_PI), erfcxTableX2(f64x2.mul(f64x2.neg(h), splat(INV_SQRT2))));
}

/** erfcx(-z/sqrt2) on both lanes, the erfcx form's Y(z) up to sqrt(pi/2). */
@inline export function erfcxOfNegX2(z: v128): v128 {
  return erfcxTableX2(f64x2.mul(f64x2.neg(z), splat(INV_SQRT2)));
}
