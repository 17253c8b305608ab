// exp on both lanes of an f64x2: fdlibm's e_exp.c algorithm (Sun 1993, as in musl's pre-2018 exp and the
// non-table branch of AssemblyScript's NativeMath.exp), written with SIMD lane operations. Error < 1 ulp.
//   x = k ln2 + r, |r| <= ln2/2 (k rounded half away from zero, ln2 split into hi + lo so k*ln2hi is exact);
//   exp(r) = 1 + r + r c/(2 - c) with c = r - r^2 (P1 + r^2 (P2 + ...)) (a Remez rational, |error| < 2^-59);
//   exp(x) = 2^k exp(r), 2^k built from its exponent bits.
// Lanes with |x| > 708 (where 2^k leaves the normal range) and NaN lanes are recomputed with the scalar
// Math.exp, lane by lane, so every lane's result depends on that lane's input only.
const LN2_HI = reinterpret<f64>(0x3FE62E42FEE00000); // 6.93147180369123816490e-01
const LN2_LO = reinterpret<f64>(0x3DEA39EF35793C76); // 1.90821492927058770002e-10
const INV_LN2 = reinterpret<f64>(0x3FF71547652B82FE); // 1.44269504088896338700e+00
const P1 = reinterpret<f64>(0x3FC555555555553E); //  1.66666666666666019037e-01
const P2 = reinterpret<f64>(0xBF66C16C16BEBD93); // -2.77777777770155933842e-03
const P3 = reinterpret<f64>(0x3F11566AAF25DE2C); //  6.61375632143793436117e-05
const P4 = reinterpret<f64>(0xBEBBBD41C5D26BF1); // -1.65339022054652515390e-06
const P5 = reinterpret<f64>(0x3E66376972BEA4D0); //  4.13813679705723846039e-08

/** e^x on both lanes. */
// @inline: also keeps v128 out of any exported signature (AS112).
@inline export function expX2(x: v128): v128 {
  const signs = v128.and(x, i64x2.splat(0x8000000000000000));
  const half = v128.or(f64x2.splat(0.5), signs); // copysign(0.5, x)
  const kf = f64x2.trunc(f64x2.add(f64x2.mul(f64x2.splat(INV_LN2), x), half));
  const hi = f64x2.sub(x, f64x2.mul(kf, f64x2.splat(LN2_HI)));
  const lo = f64x2.mul(kf, f64x2.splat(LN2_LO));
  const r = f64x2.sub(hi, lo);
  const xs = f64x2.mul(r, r);
  const xq = f64x2.mul(xs, xs);
  const inner = f64x2.add(
    f64x2.add(f64x2.splat(P2), f64x2.mul(xs, f64x2.splat(P3))),
    f64x2.mul(xq, f64x2.add(f64x2.splat(P4), f64x2.mul(xs, f64x2.splat(P5)))),
  );
  const c = f64x2.sub(r, f64x2.add(f64x2.mul(xs, f64x2.splat(P1)), f64x2.mul(xq, inner)));
  const rc = f64x2.div(f64x2.mul(r, c), f64x2.sub(f64x2.splat(2.0), c));
  const y = f64x2.add(f64x2.splat(1.0), f64x2.add(f64x2.sub(rc, lo), hi));
  // 2^k: (k + 1023) << 52 as the bits of a double; k is within [-1022, 1022] for |x| <= 708.
  const k = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(kf));
  const scale = i64x2.shl(i64x2.add(k, i64x2.splat(1023)), 52);
  let out = f64x2.mul(y, scale);
  // Out-of-range or NaN lanes: the scalar exp (|x| <= 708 is false for NaN too).
  const ok = f64x2.le(f64x2.abs(x), f64x2.splat(708.0));
  if (!i64x2.all_true(ok)) {
    const x0 = f64x2.extract_lane(x, 0);
    const x1 = f64x2.extract_lane(x, 1);
    if (!(Math.abs(x0) <= 708.0)) out = f64x2.replace_lane(out, 0, Math.exp(x0));
    if (!(Math.abs(x1) <= 708.0)) out = f64x2.replace_lane(out, 1, Math.exp(x1));
  }
  return out;
}

/** Scalar test hook: lane 0 of expX2 of (x, x). */
export function expX2Lane(x: f64): f64 {
  return f64x2.extract_lane(expX2(f64x2.splat(x)), 0);
}
