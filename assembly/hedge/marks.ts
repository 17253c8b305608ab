// The hedging kernel's pricer: price, delta, gamma, vega and theta of a step's leg rows (what the mark-to-market
// and its attribution use; no rho and no second-order Greeks), two rows at a time on the lanes of an f64x2.
//
// With x = ln(F/K) (given: ln S - ln K + (r - q)T, the logs computed once per path step and per leg by the
// caller), s = sigma sqrt(T), h = x/s, t = s/2, d1 = h + t, d2 = h - t, the row shares its work between the price
// and the Greeks:
//   g = exp(-(h^2 + t^2)/2), e^{x/2} = sqrt(F/K) (F = S e^{(r-q)T}), phi(d1) = g e^{-x/2}/sqrt(2 pi),
//   phi(d2) = g e^{x/2}/sqrt(2 pi) (one exp for both densities), Phi(-|d|) = erfcx(|d|/sqrt2)/2 * sqrt(2 pi) phi(d)
//   from the erfcx table (src/kernels/portable/math/erfcx-table.ts, < 1 ulp), and Phi(theta d) its complement
//   where theta d > 0; e^{-rT} and e^{(r-q)T} are computed once for a run of rows with the same r, q and T (a leg's
//   rows of one step, which the caller lays out next to each other).
// Price theta DF (F Phi(theta d1) - K Phi(theta d2)) and the Greeks of src/kernels/portable/bsm/row.ts (Haug).
// The price is the textbook form, not the normalised Black function of bsmBatch: its error is a few ulps of F
// (absolute), not of the price itself, which is what the hedge's accounting (sums of amounts of the order of the
// book's notional) can use; the two agree to ~1e-15 of the forward (tests/kernels/hedge/marks.test.ts).
//
// A row whose lane the fast form does not cover takes the scalar BSM row (bsmBatchScalar on that one row, the
// normalised Black price with its edge cases and statuses): T or sigma not finite and positive, h^2 + t^2 >= 700
// (where g or e^{+-x/2} would leave the normal range), or a result that is not finite with a non-negative price.
// A Phi whose |d| is past the table (|d| >= 4.95) comes from the scalar normCdf for that lane. Each of these
// decisions looks at the row alone, and each lane computes from its own row only (an odd last row is paired with
// itself), so a row's bits depend neither on its neighbour nor on its position: the hedge does not depend on how
// paths are blocked or chunked, and the same bits come out on every platform (no FMA, no relaxed SIMD).
import { expX2 } from "../math/exp-x2";
import { erfcxTableX2 } from "../math/erfcx-x2";
import { bsmBatchScalar } from "../../src/kernels/portable/bsm/batch";
import { normCdf } from "../../src/kernels/portable/math/normal";
import { ERFCX_TABLE_HI } from "../../src/kernels/portable/math/erfcx-table";

const INV_SQRT_2PI: f64 = 0.39894228040143267794;
const INV_SQRT2: f64 = 0.70710678118654752440;
/** Below this h^2 + t^2 every exponential of the fast form stays a normal number. */
const FAST_GAUSSIAN_LIMIT: f64 = 700.0;

@inline function splat(v: f64): v128 {
  return f64x2.splat(v);
}

/** Rows i and j of an f64 column as the two lanes (j == i + 1 is one aligned 16-byte load). */
@inline function pair(base: usize, i: i32, j: i32): v128 {
  if (j == i + 1) return v128.load(base + (<usize>i << 3));
  return f64x2.splat(load<f64>(base + (<usize>i << 3)));
}

/** All ones in a lane where a is finite. */
@inline function finite(a: v128): v128 {
  return f64x2.lt(f64x2.abs(a), splat(Infinity));
}

@inline function put(base: usize, i: i32, j: i32, v: v128): void {
  if (j == i + 1) v128.store(base + (<usize>i << 3), v);
  else store<f64>(base + (<usize>i << 3), f64x2.extract_lane(v, 0));
}

/**
 * Phi(theta d) on both lanes, given e = exp(-d^2/2) and the sign flip `flip` (all ones in a lane where
 * theta d > 0, so the lane takes the complement of the lower tail).
 */
@inline function cdfX2(d: v128, e: v128, flip: v128): v128 {
  const z = f64x2.mul(f64x2.abs(d), splat(INV_SQRT2));
  const tail = f64x2.mul(f64x2.mul(splat(0.5), erfcxTableX2(z)), e);
  let out = v128.bitselect(f64x2.sub(splat(1.0), tail), tail, flip);
  const inTable = f64x2.lt(z, splat(ERFCX_TABLE_HI));
  if (!i64x2.all_true(inTable)) {
    // Past the table (|d| >= 4.95): the scalar Phi of theta d, lane by lane.
    const f0 = i64x2.extract_lane(flip, 0) != 0, f1 = i64x2.extract_lane(flip, 1) != 0;
    const d0 = f64x2.extract_lane(d, 0), d1 = f64x2.extract_lane(d, 1);
    if (i64x2.extract_lane(inTable, 0) == 0) out = f64x2.replace_lane(out, 0, normCdf(f0 ? Math.abs(d0) : -Math.abs(d0)));
    if (i64x2.extract_lane(inTable, 1) == 0) out = f64x2.replace_lane(out, 1, normCdf(f1 ? Math.abs(d1) : -Math.abs(d1)));
  }
  return out;
}

/** bsmBatchScalar on row i alone (price, delta, gamma, vega, theta). */
function scalarRow(
  i: i32, spot: usize, strike: usize, tau: usize, rate: usize, div: usize, vol: usize, isCall: usize,
  price: usize, delta: usize, gamma: usize, vega: usize, theta: usize, status: usize,
): void {
  const o = <usize>i << 3;
  bsmBatchScalar(1, spot + o, strike + o, tau + o, rate + o, div + o, vol + o, isCall + <usize>i,
    price + o, delta + o, gamma + o, vega + o, theta + o, 0, 0, 0, 0, status + (<usize>i << 2));
}

/**
 * Prices rows [0, n) of the step: inputs spot, strike, tau (time to expiry), rate, div, vol (f64), isCall (u8) and x
 * = ln(F/K) (f64); outputs price, delta, gamma, vega, theta (f64) and status (i32, bsmBatch's codes). Every buffer
 * 16-byte aligned.
 */
export function hedgeMarks(
  n: i32, spot: usize, strike: usize, tau: usize, rate: usize, div: usize, vol: usize, isCall: usize, xCol: usize,
  price: usize, delta: usize, gamma: usize, vega: usize, theta: usize, status: usize,
): void {
  // e^{-rT} and e^{(r-q)T} of the last pair (NaN: nothing yet).
  let lastT = f64x2.splat(NaN), lastR = lastT, lastQ = lastT;
  let df = lastT, growth = lastT, divDf = lastT;
  for (let i = 0; i < n; i += 2) {
    const j = i + 1 < n ? i + 1 : i;
    const T = pair(tau, i, j);
    const r = pair(rate, i, j);
    const q = pair(div, i, j);
    const v = pair(vol, i, j);
    const S = pair(spot, i, j);
    const K = pair(strike, i, j);
    const x = pair(xCol, i, j);
    if (!(i64x2.all_true(f64x2.eq(T, lastT)) && i64x2.all_true(f64x2.eq(r, lastR)) && i64x2.all_true(f64x2.eq(q, lastQ)))) {
      lastT = T; lastR = r; lastQ = q;
      df = expX2(f64x2.neg(f64x2.mul(r, T)));
      growth = expX2(f64x2.mul(f64x2.sub(r, q), T));
      divDf = f64x2.mul(df, growth); // e^{-qT}
    }
    const sqrtT = f64x2.sqrt(T);
    const s = f64x2.mul(v, sqrtT);
    const t = f64x2.mul(splat(0.5), s);
    const h = f64x2.div(x, s);
    const q2 = f64x2.add(f64x2.mul(h, h), f64x2.mul(t, t));
    // The lanes the fast form covers: T and sigma finite and positive (so s > 0 unless it underflows), h^2 + t^2
    // small enough (false for NaN).
    const fast = v128.and(
      v128.and(f64x2.gt(T, splat(0.0)), f64x2.lt(T, splat(Infinity))),
      v128.and(v128.and(f64x2.gt(v, splat(0.0)), f64x2.lt(v, splat(Infinity))), f64x2.lt(q2, splat(FAST_GAUSSIAN_LIMIT))),
    );
    const lanes = (i64x2.extract_lane(fast, 0) != 0 ? 1 : 0) | (i64x2.extract_lane(fast, 1) != 0 ? 2 : 0);
    let ok = 0;
    if (lanes != 0) {
      const sign = v128.bitselect(splat(1.0), splat(-1.0),
        i64x2(load<u8>(isCall + <usize>i) != 0 ? -1 : 0, load<u8>(isCall + <usize>j) != 0 ? -1 : 0));
      const g = expX2(f64x2.mul(splat(-0.5), q2));
      const F = f64x2.mul(S, growth);
      const ex2 = f64x2.sqrt(f64x2.div(F, K)); // e^{x/2}
      const e1 = f64x2.div(g, ex2); // exp(-d1^2/2)
      const e2 = f64x2.mul(g, ex2); // exp(-d2^2/2)
      const d1 = f64x2.add(h, t);
      const d2 = f64x2.sub(h, t);
      // theta d > 0 <=> d and theta have the same sign (d = 0 either way gives 1/2).
      const up = f64x2.gt(sign, splat(0.0));
      const p1 = cdfX2(d1, e1, v128.bitselect(f64x2.gt(d1, splat(0.0)), f64x2.lt(d1, splat(0.0)), up));
      const p2 = cdfX2(d2, e2, v128.bitselect(f64x2.gt(d2, splat(0.0)), f64x2.lt(d2, splat(0.0)), up));
      const kDf = f64x2.mul(K, df);
      const value = f64x2.mul(sign, f64x2.sub(f64x2.mul(f64x2.mul(df, F), p1), f64x2.mul(kDf, p2)));
      const pdf1 = f64x2.mul(splat(INV_SQRT_2PI), e1);
      const aPdf = f64x2.mul(divDf, pdf1);
      const sAPdf = f64x2.mul(S, aPdf);
      const sA = f64x2.mul(S, divDf);
      const dlt = f64x2.mul(f64x2.mul(sign, divDf), p1);
      const gam = f64x2.div(aPdf, f64x2.mul(S, s));
      const vga = f64x2.mul(sAPdf, sqrtT);
      const tht = f64x2.add(
        f64x2.sub(
          f64x2.neg(f64x2.div(f64x2.mul(sAPdf, v), f64x2.mul(splat(2.0), sqrtT))),
          f64x2.mul(f64x2.mul(f64x2.mul(sign, r), kDf), p2),
        ),
        f64x2.mul(f64x2.mul(f64x2.mul(sign, q), sA), p1),
      );
      // A fast lane is kept when its price is finite and >= 0 and its Greeks finite (NaN fails both tests).
      const good = v128.and(v128.and(fast, v128.and(f64x2.ge(value, splat(0.0)), f64x2.lt(value, splat(Infinity)))),
        v128.and(v128.and(finite(dlt), finite(gam)), v128.and(finite(vga), finite(tht))));
      ok = (i64x2.extract_lane(good, 0) != 0 ? 1 : 0) | (i64x2.extract_lane(good, 1) != 0 ? 2 : 0);
      put(price, i, j, value);
      put(delta, i, j, dlt);
      put(gamma, i, j, gam);
      put(vega, i, j, vga);
      put(theta, i, j, tht);
    }
    if (ok & 1) store<i32>(status + (<usize>i << 2), 0);
    else scalarRow(i, spot, strike, tau, rate, div, vol, isCall, price, delta, gamma, vega, theta, status);
    if (j == i) continue;
    if (ok & 2) store<i32>(status + (<usize>j << 2), 0);
    else scalarRow(j, spot, strike, tau, rate, div, vol, isCall, price, delta, gamma, vega, theta, status);
  }
}
