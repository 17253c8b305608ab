// The normalised Black function's small-t Taylor series (region 2 of
// src/kernels/portable/bsm/normalised-black.ts) for two rows at once, one per f64x2 lane: the scalar series'
// groupings (Estrin's scheme) with the same coefficient tables, so each lane has the bits the scalar series
// gives its row.
import {
  TAYLOR_FULL_1, TAYLOR_FULL_2, TAYLOR_FULL_3, TAYLOR_FULL_4, TAYLOR_FULL_5, TAYLOR_FULL_6, TAYLOR_FULL_7, TAYLOR_LOW_2,
  TAYLOR_LOW_3, TAYLOR_LOW_4, TAYLOR_LOW_5, TAYLOR_LOW_6, TAYLOR_LOW_7, TAYLOR_ODD_C, TAYLOR_ODD_D,
} from "../../src/kernels/portable/bsm/taylor-coefficients";

/** Coefficient o of table T on both lanes. */
@inline function c(T: StaticArray<f64>, o: i32): v128 {
  return v128.load64_splat(changetype<usize>(T) + (<usize>o << 3));
}

@inline function add(a: v128, b: v128): v128 {
  return f64x2.add(a, b);
}

@inline function mul(a: v128, b: v128): v128 {
  return f64x2.mul(a, b);
}

@inline function poly1(w: v128, T: StaticArray<f64>, o: i32): v128 {
  return add(c(T, o), mul(w, c(T, o + 1)));
}
@inline function poly2(w: v128, w2: v128, T: StaticArray<f64>, o: i32): v128 {
  return add(add(c(T, o), mul(w, c(T, o + 1))), mul(w2, c(T, o + 2)));
}
@inline function poly3(w: v128, w2: v128, T: StaticArray<f64>, o: i32): v128 {
  return add(add(c(T, o), mul(w, c(T, o + 1))), mul(w2, add(c(T, o + 2), mul(w, c(T, o + 3)))));
}
@inline function poly4(w: v128, w2: v128, w4: v128, T: StaticArray<f64>, o: i32): v128 {
  return add(poly3(w, w2, T, o), mul(w4, c(T, o + 4)));
}
@inline function poly5(w: v128, w2: v128, w4: v128, T: StaticArray<f64>, o: i32): v128 {
  return add(poly3(w, w2, T, o), mul(w4, poly1(w, T, o + 4)));
}
@inline function poly6(w: v128, w2: v128, w4: v128, T: StaticArray<f64>, o: i32): v128 {
  return add(poly3(w, w2, T, o), mul(w4, poly2(w, w2, T, o + 4)));
}
@inline function poly7(w: v128, w2: v128, w4: v128, T: StaticArray<f64>, o: i32): v128 {
  return add(poly3(w, w2, T, o), mul(w4, poly3(w, w2, T, o + 4)));
}

/** Y(h+t) - Y(h-t) on both lanes, given y = Y(h) (the scalar smallTBracket). */
@inline export function smallTBracketX2(h: v128, t: v128, y: v128): v128 {
  const w = mul(h, h);
  const w2 = mul(w, w);
  const w4 = mul(w2, w2);
  const tt = mul(t, t);
  const a = add(f64x2.splat(1.0), mul(h, y));
  const C = TAYLOR_ODD_C;
  const D = TAYLOR_ODD_D;
  const k1 = add(c(C, 0), mul(poly1(w, D, TAYLOR_FULL_1), a));
  const k2 = add(poly1(w, C, TAYLOR_LOW_2), mul(poly2(w, w2, D, TAYLOR_FULL_2), a));
  const k3 = add(poly2(w, w2, C, TAYLOR_LOW_3), mul(poly3(w, w2, D, TAYLOR_FULL_3), a));
  const k4 = add(poly3(w, w2, C, TAYLOR_LOW_4), mul(poly4(w, w2, w4, D, TAYLOR_FULL_4), a));
  const k5 = add(poly4(w, w2, w4, C, TAYLOR_LOW_5), mul(poly5(w, w2, w4, D, TAYLOR_FULL_5), a));
  const k6 = add(poly5(w, w2, w4, C, TAYLOR_LOW_6), mul(poly6(w, w2, w4, D, TAYLOR_FULL_6), a));
  const k7 = add(poly6(w, w2, w4, C, TAYLOR_LOW_7), mul(poly7(w, w2, w4, D, TAYLOR_FULL_7), a));
  const tt2 = mul(tt, tt);
  const tt4 = mul(tt2, tt2);
  const low = add(add(a, mul(tt, k1)), mul(tt2, add(k2, mul(tt, k3))));
  const high = add(add(k4, mul(tt, k5)), mul(tt2, add(k6, mul(tt, k7))));
  return mul(mul(f64x2.splat(2.0), t), add(low, mul(tt4, high)));
}
