// Quantile binning of the features (Ke et al., "LightGBM: a highly efficient gradient boosting decision tree",
// NeurIPS 2017, section 2.1, histogram-based algorithm): each feature's finite values are cut into at most
// maxBins bins of about equal count, computed on (a regular sample of) the training rows; a feature with at
// most maxBins distinct values gets one bin per value. Non-finite values (NaN, +-Inf) go to a bin of their own,
// index numBins[f], so a split can send them either way. Bin b of feature f holds the values in
// (thresholds[b-1], thresholds[b]]; the last value bin is unbounded above.
import { ldf, ldi, sti, stf, stb } from "./memory";
import { sortValues } from "./sort";

/**
 * Computes numBins[f] and thresholds[f*maxBins ..] for every feature from the train rows (sampled every
 * nTrain/sampleCount rows when there are more). values is scratch of min(nTrain, sampleCount) f64.
 */
export function binFeatures(
  nTotal: i32, p: i32, x: usize, trainRows: usize, nTrain: i32, maxBins: i32, sampleCount: i32,
  numBins: usize, thresholds: usize, values: usize,
): void {
  const nSample = nTrain < sampleCount ? nTrain : sampleCount;
  for (let f = 0; f < p; f++) {
    const col = x + (<usize>(f * nTotal) << 3);
    let n: i32 = 0;
    for (let k = 0; k < nSample; k++) {
      const i = <i32>((<i64>k * <i64>nTrain) / <i64>nSample);
      const v = ldf(col, ldi(trainRows, i));
      if (isFinite<f64>(v)) {
        stf(values, n, v);
        n++;
      }
    }
    sortValues(values, n);
    sti(numBins, f, cutBins(values, n, maxBins, thresholds + (<usize>(f * maxBins) << 3)));
  }
}

/** Upper bounds of the bins over the sorted values v[0..n-1]; returns the number of bins (>= 1). */
function cutBins(v: usize, n: i32, maxBins: i32, out: usize): i32 {
  if (n == 0) return 1;
  let distinct: i32 = 1;
  for (let i = 1; i < n; i++) if (ldf(v, i) != ldf(v, i - 1)) distinct++;
  let bins: i32 = 1;
  if (distinct <= maxBins) {
    for (let i = 1; i < n; i++) {
      const a = ldf(v, i - 1);
      const b = ldf(v, i);
      if (b != a) {
        stf(out, bins - 1, midpoint(a, b));
        bins++;
      }
    }
    return bins;
  }
  // Greedy equal-count cuts between distinct values; after each cut the target is the remaining count over the
  // remaining bins, so one heavy value does not leave a run of tiny bins behind it.
  let rest = <f64>n;
  let binsLeft = maxBins;
  let target = rest / <f64>binsLeft;
  let acc: f64 = 0;
  let i = 0;
  while (i < n && binsLeft > 1) {
    const a = ldf(v, i);
    let j = i + 1;
    while (j < n && ldf(v, j) == a) j++;
    acc += <f64>(j - i);
    if (j < n && acc >= target) {
      stf(out, bins - 1, midpoint(a, ldf(v, j)));
      bins++;
      binsLeft--;
      rest -= acc;
      acc = 0;
      target = rest / <f64>binsLeft;
    }
    i = j;
  }
  return bins;
}

/** A cut between a < b that keeps a below (a <= cut) and b above (b > cut). */
function midpoint(a: f64, b: f64): f64 {
  const m = a * 0.5 + b * 0.5;
  return m < b ? m : a;
}

/** The bin of value v for a feature with nb value bins and upper bounds thr[0..nb-2]. */
export function binOf(v: f64, nb: i32, thr: usize): i32 {
  if (!isFinite<f64>(v)) return nb;
  let lo: i32 = 0;
  let hi: i32 = nb - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v <= ldf(thr, mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Bins rows[0..n-1] of the panel into out (row-major, p bytes per row). */
export function binRows(
  nTotal: i32, p: i32, x: usize, rows: usize, n: i32, maxBins: i32, numBins: usize, thresholds: usize, out: usize,
): void {
  for (let f = 0; f < p; f++) {
    const col = x + (<usize>(f * nTotal) << 3);
    const nb = ldi(numBins, f);
    const thr = thresholds + (<usize>(f * maxBins) << 3);
    for (let i = 0; i < n; i++) stb(out, i * p + f, binOf(ldf(col, ldi(rows, i)), nb, thr));
  }
}
