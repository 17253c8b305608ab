// Fold scoring for cross-validation: one call scores a batch of out-of-fold prediction rows against the outcomes
// of their dates, then the Sharpe ratio of each backtest path. Host side: src/kernels/fold-scoring/.
//
// A row is one date's cross-section of predictions from one split's model (a CPCV split tests each date of its
// test folds once; a date is scored once per path). Per row, over the names whose prediction and outcome are both
// finite (n of them):
//   IC        Pearson correlation of prediction and outcome (two-pass: means first, then centred sums);
//   rank IC   Pearson correlation of their average ranks (ties share the mean rank, as scipy's rankdata);
//   long-short mean outcome of the top prediction quantile minus the bottom one; a name's quantile is
//             floor((rank − 1)·q / n) with its average prediction rank, so tied names share a quantile;
//   hit rate  share of names whose prediction and outcome have the same sign, among those where neither is 0.
// A statistic that is undefined (fewer than 2 names, no dispersion, an empty quantile) is NaN. Per path, over its
// rows' finite long-short returns: mean, sample standard deviation (n − 1) and Sharpe = mean / sd · √periodsPerYear.
//
// Every sum runs in a fixed order (names ascending, or two interleaved sums over even and odd names added at the
// end where two names share an f64x2; rows in batch order) with plain f64 adds, multiplies, divides and sqrt, and
// no relaxed SIMD, so the result is bit-identical on every IEEE-754 machine and equals the TypeScript twin's
// (src/kernels/fold-scoring/reference.ts) bit for bit.
//
// Outcome ranks depend only on the date when a row uses all of that date's finite outcomes (the usual case: a
// prediction for every name with an outcome), so they are computed once per date and reused by every path.

import { averageRanks, rankScratchBytes } from "./rank";

// Status codes (the host maps them to messages).
const OK: i32 = 0;
const BAD_SHAPE: i32 = 1;
const BAD_ROW_DATE: i32 = 2;
const BAD_ROW_PATH: i32 = 3;

// @ts-ignore: decorator
@inline
function f64At(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline
function setF64(base: usize, i: i32, v: f64): void {
  store<f64>(base + (<usize>i << 3), v);
}

// @ts-ignore: decorator
@inline
function i32At(base: usize, i: i32): i32 {
  return load<i32>(base + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline
function setI32(base: usize, i: i32, v: i32): void {
  store<i32>(base + (<usize>i << 2), v);
}

// @ts-ignore: decorator
@inline
function finite(x: f64): bool {
  return x - x == 0.0;
}

/** Lane 0 + lane 1. */
// @ts-ignore: decorator
@inline
function lanes(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** Bytes of scratch scoreFolds needs for `names` names and `dates` dates (the host allocates it). */
export function foldScoringScratchBytes(names: i32, dates: i32): usize {
  const n = <usize>max(names, 1);
  const d = <usize>max(dates, 1);
  // rank cache (d·n f64) + 4 n-long f64 columns + the rank scratch + 2 d-long i32 columns.
  return ((d * n * 8 + n * 8 * 4 + rankScratchBytes(<i32>n) + d * 4 * 2) + 15) & ~<usize>15;
}

/**
 * Scores `rows` prediction rows. pred is rows × names (row-major), outcome is dates × names, rowDate and rowPath
 * give each row's date (0..dates) and path (0..paths). Per-row outputs have `rows` entries, per-path outputs
 * `paths`. Returns OK or a status code (nothing is written then).
 */
export function scoreFolds(
  rows: i32, names: i32, dates: i32, paths: i32, quantiles: i32, periodsPerYear: f64,
  predPtr: usize, outcomePtr: usize, rowDatePtr: usize, rowPathPtr: usize, scratchPtr: usize,
  icPtr: usize, rankIcPtr: usize, longShortPtr: usize, hitRatePtr: usize, countPtr: usize,
  pathSharpePtr: usize, pathMeanPtr: usize, pathStdPtr: usize, pathCountPtr: usize,
): i32 {
  if (rows < 0 || names < 1 || dates < 1 || paths < 1 || quantiles < 2 || !(periodsPerYear > 0.0)) return BAD_SHAPE;
  for (let r = 0; r < rows; r++) {
    const d = i32At(rowDatePtr, r);
    if (d < 0 || d >= dates) return BAD_ROW_DATE;
    const p = i32At(rowPathPtr, r);
    if (p < 0 || p >= paths) return BAD_ROW_PATH;
  }
  const n = <usize>names;
  const cache = scratchPtr;
  const xs = cache + <usize>dates * n * 8; // finite predictions of the row
  const ys = xs + n * 8; // their outcomes
  const xr = ys + n * 8; // prediction ranks
  const yr = xr + n * 8; // outcome ranks
  const rankScratch = yr + n * 8; // averageRanks' scratch
  const outCount = rankScratch + rankScratchBytes(names); // finite outcomes per date (i32)
  const cached = outCount + <usize>dates * 4; // 1 once a date's outcome ranks are in the cache (i32)

  for (let d = 0; d < dates; d++) {
    const row = outcomePtr + <usize>d * n * 8;
    let count = 0;
    for (let j = 0; j < names; j++) if (finite(f64At(row, j))) count++;
    setI32(outCount, d, count);
    setI32(cached, d, 0);
  }

  const fq = <f64>quantiles;
  for (let r = 0; r < rows; r++) {
    const d = i32At(rowDatePtr, r);
    const predRow = predPtr + <usize>r * n * 8;
    const outRow = outcomePtr + <usize>d * n * 8;
    // Gather the names with a finite prediction and outcome, two at a time while both are (the usual case).
    // Signs are counted branch-free: whether a prediction's sign is right is a coin flip no predictor learns.
    let m = 0;
    let hits = 0;
    let signed = 0;
    let signedPairs = i64x2.splat(0);
    let hitPairs = i64x2.splat(0);
    let j = 0;
    while (j < names) {
      if (j + 1 < names) {
        const x2 = v128.load(predRow + (<usize>j << 3));
        const y2 = v128.load(outRow + (<usize>j << 3));
        // x − x is 0 for a finite x and NaN for ±Inf and NaN.
        const ok = v128.and(f64x2.eq(f64x2.sub(x2, x2), f64x2.splat(0.0)), f64x2.eq(f64x2.sub(y2, y2), f64x2.splat(0.0)));
        if (i64x2.all_true(ok)) {
          v128.store(xs + (<usize>m << 3), x2);
          v128.store(ys + (<usize>m << 3), y2);
          const isSigned = v128.and(f64x2.ne(x2, f64x2.splat(0.0)), f64x2.ne(y2, f64x2.splat(0.0)));
          const same = v128.not(v128.xor(f64x2.gt(x2, f64x2.splat(0.0)), f64x2.gt(y2, f64x2.splat(0.0))));
          signedPairs = i64x2.sub(signedPairs, isSigned);
          hitPairs = i64x2.sub(hitPairs, v128.and(isSigned, same));
          m += 2;
          j += 2;
          continue;
        }
      }
      // One name at a time: the last of an odd count, or a pair with an absent name.
      const x = f64At(predRow, j);
      const y = f64At(outRow, j);
      j++;
      if (!finite(x) || !finite(y)) continue;
      setF64(xs, m, x);
      setF64(ys, m, y);
      const isSigned = <i32>(x != 0.0) & <i32>(y != 0.0);
      signed += isSigned;
      hits += isSigned & <i32>((x > 0.0) == (y > 0.0));
      m++;
    }
    signed += <i32>(i64x2.extract_lane(signedPairs, 0) + i64x2.extract_lane(signedPairs, 1));
    hits += <i32>(i64x2.extract_lane(hitPairs, 0) + i64x2.extract_lane(hitPairs, 1));
    setI32(countPtr, r, m);
    setF64(hitRatePtr, r, signed > 0 ? <f64>hits / <f64>signed : NaN);
    if (m < 2) {
      setF64(icPtr, r, NaN);
      setF64(rankIcPtr, r, NaN);
      setF64(longShortPtr, r, NaN);
      continue;
    }
    const fm = <f64>m;
    averageRanks(xs, xr, m, rankScratch);
    // Outcome ranks: the date's own, shared by every path, when the row uses every finite outcome of the date.
    // Its ys are then exactly those outcomes in name order, the same gathered list for every such row, so the
    // cache keeps the ranks in that order and a row reads them as they are. Else ranked over the row's names.
    let rankYs = yr;
    if (m != i32At(outCount, d)) {
      averageRanks(ys, yr, m, rankScratch);
    } else {
      rankYs = cache + <usize>d * n * 8;
      if (i32At(cached, d) == 0) {
        averageRanks(ys, rankYs, m, rankScratch);
        setI32(cached, d, 1);
      }
    }

    // One pass for the rest: centred sums of the IC and of the rank IC, and the quantile sums of the long-short,
    // two names at a time on the lanes of f64x2 (no fused multiply-add: the same roundings as scalar code). Lane 0
    // sums the names at even k, lane 1 those at odd k, each in ascending order; the two lanes are added at the end
    // (the twin does exactly this). A name's quantile is floor((rank − 1)·q / m): the bottom one when
    // (rank − 1)·q < m, the top one when (rank − 1)·q >= (q − 1)·m; ranks are halves, so both sides are exact
    // doubles (no division, no branch). Masked adds put +0 where a name is outside the quantile.
    // Means: the same even/odd lanes (an odd last name on lane 0).
    let sx = f64x2.splat(0.0);
    let sy = f64x2.splat(0.0);
    for (let k = 0; k + 1 < m; k += 2) {
      sx = f64x2.add(sx, v128.load(xs + (<usize>k << 3)));
      sy = f64x2.add(sy, v128.load(ys + (<usize>k << 3)));
    }
    if (m & 1) {
      sx = f64x2.replace_lane(sx, 0, f64x2.extract_lane(sx, 0) + f64At(xs, m - 1));
      sy = f64x2.replace_lane(sy, 0, f64x2.extract_lane(sy, 0) + f64At(ys, m - 1));
    }
    const mx = f64x2.splat(lanes(sx) / fm);
    const my = f64x2.splat(lanes(sy) / fm);
    const meanRank = f64x2.splat((fm + 1.0) * 0.5);
    const one = f64x2.splat(1.0);
    const vq = f64x2.splat(fq);
    const vm = f64x2.splat(fm);
    const topFrom = f64x2.splat((fq - 1.0) * fm);
    let sxy = f64x2.splat(0.0), sxx = f64x2.splat(0.0), syy = f64x2.splat(0.0);
    let rxy = f64x2.splat(0.0), rxx = f64x2.splat(0.0), ryy = f64x2.splat(0.0);
    let top = f64x2.splat(0.0), bottom = f64x2.splat(0.0);
    let topN = i64x2.splat(0), bottomN = i64x2.splat(0);
    // An odd last name runs through lane 0 alone: lane 1 gets zeros that add nothing and a mask that is cleared.
    for (let k = 0; k < m; k += 2) {
      const pair = k + 1 < m;
      const at = <usize>k << 3;
      const x = pair ? v128.load(xs + at) : f64x2(f64At(xs, k), 0.0);
      const y = pair ? v128.load(ys + at) : f64x2(f64At(ys, k), 0.0);
      const rankX = pair ? v128.load(xr + at) : f64x2(f64At(xr, k), 0.0);
      const rankY = pair ? v128.load(rankYs + at) : f64x2(f64At(rankYs, k), 0.0);
      const live = pair ? i64x2.splat(-1) : i64x2(-1, 0);
      const dx = v128.and(f64x2.sub(x, mx), live);
      const dy = v128.and(f64x2.sub(y, my), live);
      sxy = f64x2.add(sxy, f64x2.mul(dx, dy));
      sxx = f64x2.add(sxx, f64x2.mul(dx, dx));
      syy = f64x2.add(syy, f64x2.mul(dy, dy));
      const ex = v128.and(f64x2.sub(rankX, meanRank), live);
      const ey = v128.and(f64x2.sub(rankY, meanRank), live);
      rxy = f64x2.add(rxy, f64x2.mul(ex, ey));
      rxx = f64x2.add(rxx, f64x2.mul(ex, ex));
      ryy = f64x2.add(ryy, f64x2.mul(ey, ey));
      const scaled = f64x2.mul(f64x2.sub(rankX, one), vq);
      const isBottom = v128.and(f64x2.lt(scaled, vm), live);
      const isTop = v128.and(f64x2.ge(scaled, topFrom), live);
      bottom = f64x2.add(bottom, v128.and(y, isBottom));
      top = f64x2.add(top, v128.and(y, isTop));
      bottomN = i64x2.sub(bottomN, isBottom);
      topN = i64x2.sub(topN, isTop);
    }
    const icXY = lanes(sxy), icXX = lanes(sxx), icYY = lanes(syy);
    const rkXY = lanes(rxy), rkXX = lanes(rxx), rkYY = lanes(ryy);
    const nTop = i64x2.extract_lane(topN, 0) + i64x2.extract_lane(topN, 1);
    const nBottom = i64x2.extract_lane(bottomN, 0) + i64x2.extract_lane(bottomN, 1);
    setF64(icPtr, r, icXX > 0.0 && icYY > 0.0 ? icXY / Math.sqrt(icXX * icYY) : NaN);
    setF64(rankIcPtr, r, rkXX > 0.0 && rkYY > 0.0 ? rkXY / Math.sqrt(rkXX * rkYY) : NaN);
    setF64(longShortPtr, r, nTop > 0 && nBottom > 0 ? lanes(top) / <f64>nTop - lanes(bottom) / <f64>nBottom : NaN);
  }

  // Per path: mean, sample sd and Sharpe of its rows' finite long-short returns, rows in batch order.
  for (let p = 0; p < paths; p++) {
    setF64(pathMeanPtr, p, 0.0);
    setF64(pathStdPtr, p, 0.0);
    setI32(pathCountPtr, p, 0);
  }
  for (let r = 0; r < rows; r++) {
    const ls = f64At(longShortPtr, r);
    if (!finite(ls)) continue;
    const p = i32At(rowPathPtr, r);
    setF64(pathMeanPtr, p, f64At(pathMeanPtr, p) + ls);
    setI32(pathCountPtr, p, i32At(pathCountPtr, p) + 1);
  }
  for (let p = 0; p < paths; p++) {
    const count = i32At(pathCountPtr, p);
    setF64(pathMeanPtr, p, count > 0 ? f64At(pathMeanPtr, p) / <f64>count : NaN);
  }
  for (let r = 0; r < rows; r++) {
    const ls = f64At(longShortPtr, r);
    if (!finite(ls)) continue;
    const p = i32At(rowPathPtr, r);
    const dev = ls - f64At(pathMeanPtr, p);
    setF64(pathStdPtr, p, f64At(pathStdPtr, p) + dev * dev);
  }
  const annualise = Math.sqrt(periodsPerYear);
  for (let p = 0; p < paths; p++) {
    const count = i32At(pathCountPtr, p);
    const sd = count > 1 ? Math.sqrt(f64At(pathStdPtr, p) / <f64>(count - 1)) : NaN;
    setF64(pathStdPtr, p, sd);
    setF64(pathSharpePtr, p, sd > 0.0 ? (f64At(pathMeanPtr, p) / sd) * annualise : NaN);
  }
  return OK;
}
