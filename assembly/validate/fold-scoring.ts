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
// Every sum runs in a fixed order (names ascending, rows in batch order) with plain f64 adds, multiplies, divides
// and sqrt, so the result is bit-identical on every IEEE-754 machine and equals the TypeScript twin's
// (src/kernels/fold-scoring/reference.ts) bit for bit.
//
// Outcome ranks depend only on the date when a row uses all of that date's finite outcomes (the usual case: a
// prediction for every name with an outcome), so they are computed once per date and reused by every path.

import { averageRanks } from "./rank";

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

/** Bytes of scratch scoreFolds needs for `names` names and `dates` dates (the host allocates it). */
export function foldScoringScratchBytes(names: i32, dates: i32): usize {
  const n = <usize>max(names, 1);
  const d = <usize>max(dates, 1);
  // rank cache (d·n f64) + 5 n-long f64 columns + 2 n-long i32 columns + 2 d-long i32 columns, 16-byte rounded.
  return ((d * n * 8 + n * 8 * 5 + n * 4 * 2 + d * 4 * 2) + 15) & ~<usize>15;
}

/** Pearson correlation of x[0..n) and y[0..n) given their means; NaN without dispersion. */
function correlation(x: usize, y: usize, n: i32, mx: f64, my: f64): f64 {
  let sxy = 0.0;
  let sxx = 0.0;
  let syy = 0.0;
  for (let k = 0; k < n; k++) {
    const dx = f64At(x, k) - mx;
    const dy = f64At(y, k) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (!(sxx > 0.0) || !(syy > 0.0)) return NaN;
  return sxy / Math.sqrt(sxx * syy);
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
  const keys = yr + n * 8; // sort scratch
  const idx = keys + n * 8; // sort scratch (i32)
  const nameOf = idx + n * 4; // name index of each gathered value (i32)
  const outCount = nameOf + n * 4; // finite outcomes per date (i32)
  const cached = outCount + <usize>dates * 4; // 1 once a date's outcome ranks are in the cache (i32)

  for (let d = 0; d < dates; d++) {
    const row = outcomePtr + <usize>d * n * 8;
    let count = 0;
    for (let j = 0; j < names; j++) if (finite(f64At(row, j))) count++;
    setI32(outCount, d, count);
    setI32(cached, d, 0);
  }

  const q = <i64>quantiles;
  for (let r = 0; r < rows; r++) {
    const d = i32At(rowDatePtr, r);
    const predRow = predPtr + <usize>r * n * 8;
    const outRow = outcomePtr + <usize>d * n * 8;
    let m = 0;
    let sumX = 0.0;
    let sumY = 0.0;
    let hits = 0;
    let signed = 0;
    for (let j = 0; j < names; j++) {
      const x = f64At(predRow, j);
      const y = f64At(outRow, j);
      if (!finite(x) || !finite(y)) continue;
      setF64(xs, m, x);
      setF64(ys, m, y);
      setI32(nameOf, m, j);
      sumX += x;
      sumY += y;
      if (x != 0.0 && y != 0.0) {
        signed++;
        if ((x > 0.0) == (y > 0.0)) hits++;
      }
      m++;
    }
    setI32(countPtr, r, m);
    setF64(hitRatePtr, r, signed > 0 ? <f64>hits / <f64>signed : NaN);
    if (m < 2) {
      setF64(icPtr, r, NaN);
      setF64(rankIcPtr, r, NaN);
      setF64(longShortPtr, r, NaN);
      continue;
    }
    const fm = <f64>m;
    setF64(icPtr, r, correlation(xs, ys, m, sumX / fm, sumY / fm));

    averageRanks(xs, xr, m, keys, idx);
    if (m == i32At(outCount, d)) {
      // Every finite outcome of the date is in play: its ranks are the date's, shared by every path.
      const dateRanks = cache + <usize>d * n * 8;
      if (i32At(cached, d) == 0) {
        // Rank in name order over the date's finite outcomes (exactly this row's ys), stored by name.
        averageRanks(ys, yr, m, keys, idx);
        for (let k = 0; k < m; k++) setF64(dateRanks, i32At(nameOf, k), f64At(yr, k));
        setI32(cached, d, 1);
      } else {
        for (let k = 0; k < m; k++) setF64(yr, k, f64At(dateRanks, i32At(nameOf, k)));
      }
    } else {
      averageRanks(ys, yr, m, keys, idx);
    }
    const meanRank = (fm + 1.0) * 0.5;
    setF64(rankIcPtr, r, correlation(xr, yr, m, meanRank, meanRank));

    // Quantile of each name from its prediction rank: floor((rank − 1)·q / m), in integers (2·(rank − 1) is whole).
    let top = 0.0;
    let topN = 0;
    let bottom = 0.0;
    let bottomN = 0;
    const twoM = <i64>m * 2;
    for (let k = 0; k < m; k++) {
      const twiceRankMinusOne = <i64>(f64At(xr, k) * 2.0) - 2;
      const bucket = (twiceRankMinusOne * q) / twoM;
      if (bucket == 0) {
        bottom += f64At(ys, k);
        bottomN++;
      }
      if (bucket >= q - 1) {
        top += f64At(ys, k);
        topN++;
      }
    }
    setF64(longShortPtr, r, topN > 0 && bottomN > 0 ? top / <f64>topN - bottom / <f64>bottomN : NaN);
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
