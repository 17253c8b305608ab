/**
 * Small numeric building blocks of the validation measures: numpy's pairwise summation (so sums and means agree
 * with numpy and scikit-learn to the last bit, and are more accurate than a running sum), sample moments, and
 * average ranks for ties.
 */

/** numpy's blocking of pairwise summation (numpy/_core/src/umath/loops_utils.h.src, PW_BLOCKSIZE). */
const PW_BLOCKSIZE = 128;

/**
 * Σ values[start .. start+n) exactly as numpy's `np.add.reduce` on a contiguous float64 array: a plain loop below 8
 * values, 8 interleaved accumulators up to 128, then halves (rounded down to a multiple of 8) recursively.
 */
export function pairwiseSum(values: ArrayLike<number>, start = 0, n = values.length - start): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += values[start + i] ?? 0;
    return res;
  }
  if (n <= PW_BLOCKSIZE) {
    let r0 = values[start] ?? 0, r1 = values[start + 1] ?? 0, r2 = values[start + 2] ?? 0, r3 = values[start + 3] ?? 0;
    let r4 = values[start + 4] ?? 0, r5 = values[start + 5] ?? 0, r6 = values[start + 6] ?? 0, r7 = values[start + 7] ?? 0;
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      const a = start + i;
      r0 += values[a] ?? 0;
      r1 += values[a + 1] ?? 0;
      r2 += values[a + 2] ?? 0;
      r3 += values[a + 3] ?? 0;
      r4 += values[a + 4] ?? 0;
      r5 += values[a + 5] ?? 0;
      r6 += values[a + 6] ?? 0;
      r7 += values[a + 7] ?? 0;
    }
    let res = (r0 + r1 + (r2 + r3)) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) res += values[start + i] ?? 0;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(values, start, n2) + pairwiseSum(values, start + n2, n - n2);
}

/** The arithmetic mean as numpy computes it (pairwise sum / n); NaN for no values. */
export function mean(values: ArrayLike<number>): number {
  return values.length === 0 ? NaN : pairwiseSum(values) / values.length;
}

/** Sample standard deviation (ddof = 1) as `np.std(x, ddof=1)`: pairwise sums of squared deviations. */
export function sampleStd(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 2) return NaN;
  const m = mean(values);
  const squares = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = (values[i] ?? 0) - m;
    squares[i] = d * d;
  }
  return Math.sqrt(pairwiseSum(squares) / (n - 1));
}

/** Sharpe ratio per period: mean / sample standard deviation (NaN for fewer than 2 values or no dispersion). */
export function sharpeRatio(values: ArrayLike<number>): number {
  const sd = sampleStd(values);
  return sd > 0 ? mean(values) / sd : NaN;
}

/**
 * 1-based ranks with ties given their average rank (scipy.stats.rankdata's "average"). Values must not be NaN.
 * Writes into `out` when given.
 */
export function averageRanks(values: ArrayLike<number>, out = new Float64Array(values.length)): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (values[a] ?? 0) - (values[b] ?? 0));
  for (let i = 0; i < n; ) {
    let j = i + 1;
    const v = values[order[i] ?? 0];
    while (j < n && values[order[j] ?? 0] === v) j++;
    // Positions i..j-1 (0-based) share the mean of ranks i+1..j.
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) out[order[k] ?? 0] = rank;
    i = j;
  }
  return out;
}

/**
 * Skewness γ₃ and non-excess kurtosis γ₄ of a sample, the moment estimators (scipy.stats.skew and
 * kurtosis(fisher=False) with bias=True) that the deflated Sharpe ratio takes. NaN for fewer than 2 values or no
 * dispersion.
 */
export function moments(values: ArrayLike<number>): { readonly skew: number; readonly kurtosis: number } {
  const n = values.length;
  if (n < 2) return { skew: Number.NaN, kurtosis: Number.NaN };
  const m = mean(values);
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = (values[i] ?? 0) - m;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  if (!(m2 > 0)) return { skew: Number.NaN, kurtosis: Number.NaN };
  return { skew: m3 / m2 ** 1.5, kurtosis: m4 / (m2 * m2) };
}
