/**
 * Probability of backtest overfitting by combinatorially symmetric cross-validation (Bailey, Borwein, López de
 * Prado & Zhu, "The Probability of Backtest Overfitting", Journal of Computational Finance 20(4), 2017, §2):
 * 1. the T × N matrix of trial returns is cut by rows into S blocks (S even);
 * 2. for each of the C(S, S/2) ways to pick S/2 blocks as in-sample (IS), the rest out-of-sample (OOS), the trial
 *    with the best IS Sharpe ratio n* is found, and its OOS Sharpe ratio ranked among all trials' OOS Sharpe ratios;
 * 3. ω = rank / (N + 1) and the logit λ = ln(ω / (1 − ω)); PBO is the share of combinations with λ ≤ 0;
 * 4. the performance degradation is the least-squares line of OOS on IS Sharpe ratio of n* across combinations,
 *    and the probability of loss the share of combinations where n*'s OOS Sharpe ratio is negative.
 * The Sharpe ratio is mean / sample standard deviation per period (its scale does not change ranks or logits).
 * When S does not divide T, the first T mod S blocks get one row more (numpy's array_split); ties in the OOS rank
 * get the average rank; a trial with no dispersion in a sample has no Sharpe ratio and ranks below every other.
 */
import { UsageError } from "../domain/errors.ts";
import { binomial } from "./cpcv.ts";

/** A row-major T × N matrix of per-period returns, one column per trial. */
export interface ReturnsMatrix {
  readonly values: ArrayLike<number>;
  readonly rows: number;
  readonly cols: number;
}

export interface PboOptions {
  /** Number of row blocks S: even, at least 2 (default 16). */
  readonly splits?: number;
}

export interface PboResult {
  /** Share of combinations where the IS winner ranks at or below the OOS median (λ ≤ 0). */
  readonly pbo: number;
  /** λ of each combination, in combination order. */
  readonly logits: readonly number[];
  /** Share of combinations where the IS winner's OOS Sharpe ratio is negative. */
  readonly probOosLoss: number;
  /** OOS = intercept + slope · IS over the IS winners (slope < 0: the better in-sample, the worse out). */
  readonly degradation: { readonly slope: number; readonly intercept: number; readonly r2: number };
  /** The IS winner's IS and OOS Sharpe ratios (per period) per combination. */
  readonly isSharpe: readonly number[];
  readonly oosSharpe: readonly number[];
  readonly combinations: number;
  readonly splits: number;
  readonly trials: number;
  readonly rows: number;
}

/** Per block and trial: count, mean and sum of squared deviations, combined exactly later (Chan et al., 1979). */
interface BlockStats {
  readonly count: Float64Array;
  readonly mean: Float64Array;
  readonly m2: Float64Array;
}

function blockStats(matrix: ReturnsMatrix, splits: number): BlockStats {
  const { values, rows, cols } = matrix;
  const count = new Float64Array(splits * cols);
  const mean = new Float64Array(splits * cols);
  const m2 = new Float64Array(splits * cols);
  const base = Math.floor(rows / splits);
  const extra = rows % splits;
  let row = 0;
  for (let b = 0; b < splits; b++) {
    const size = base + (b < extra ? 1 : 0);
    for (let c = 0; c < cols; c++) {
      let sum = 0;
      for (let r = row; r < row + size; r++) sum += values[r * cols + c] ?? 0;
      const m = sum / size;
      let ss = 0;
      for (let r = row; r < row + size; r++) {
        const d = (values[r * cols + c] ?? 0) - m;
        ss += d * d;
      }
      count[b * cols + c] = size;
      mean[b * cols + c] = m;
      m2[b * cols + c] = ss;
    }
    row += size;
  }
  return { count, mean, m2 };
}

/** Sharpe ratio of each trial over the chosen blocks; -Infinity where it has no dispersion (ranks lowest). */
function sharpeOver(stats: BlockStats, blocks: readonly number[], cols: number, out: Float64Array): void {
  for (let c = 0; c < cols; c++) {
    let n = 0;
    let m = 0;
    let m2 = 0;
    for (const b of blocks) {
      const k = b * cols + c;
      const nb = stats.count[k] ?? 0;
      const mb = stats.mean[k] ?? 0;
      const total = n + nb;
      const delta = mb - m;
      m2 += (stats.m2[k] ?? 0) + (delta * delta * n * nb) / total;
      m += (delta * nb) / total;
      n = total;
    }
    const sd = Math.sqrt(m2 / (n - 1));
    out[c] = sd > 0 ? m / sd : -Infinity;
  }
}

function combinationsOf(n: number, k: number, visit: (chosen: readonly number[], rest: readonly number[]) => void): void {
  const chosen = Array.from({ length: k }, (_, i) => i);
  for (;;) {
    const inChosen = new Set(chosen);
    visit(chosen, Array.from({ length: n }, (_, i) => i).filter((i) => !inChosen.has(i)));
    let i = k - 1;
    while (i >= 0 && chosen[i] === n - k + i) i--;
    if (i < 0) return;
    chosen[i] = (chosen[i] ?? 0) + 1;
    for (let j = i + 1; j < k; j++) chosen[j] = (chosen[j - 1] ?? 0) + 1;
  }
}

function leastSquares(x: readonly number[], y: readonly number[]): PboResult["degradation"] {
  const pairs = x.map((xi, i) => [xi, y[i] ?? NaN] as const).filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
  const n = pairs.length;
  const mx = pairs.reduce((s, [a]) => s + a, 0) / n;
  const my = pairs.reduce((s, [, b]) => s + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const [a, b] of pairs) {
    sxx += (a - mx) * (a - mx);
    sxy += (a - mx) * (b - my);
    syy += (b - my) * (b - my);
  }
  const slope = sxx > 0 ? sxy / sxx : NaN;
  return { slope, intercept: my - slope * mx, r2: sxx > 0 && syy > 0 ? (sxy * sxy) / (sxx * syy) : NaN };
}

export function checkPboInput(matrix: ReturnsMatrix, splits: number): void {
  const { rows, cols, values } = matrix;
  if (!Number.isSafeInteger(splits) || splits < 2 || splits % 2 !== 0) {
    throw new UsageError("pbo_bad_splits", `the number of splits S must be an even integer >= 2, not ${splits}`);
  }
  if (cols < 2) throw new UsageError("pbo_too_few_trials", `PBO needs at least 2 trials (columns), got ${cols}`);
  if (rows < 2 * splits) {
    throw new UsageError("pbo_too_few_rows", `${rows} rows are too few for ${splits} splits: each block needs at least 2 rows (at least ${2 * splits} rows)`);
  }
  if (values.length !== rows * cols) throw new UsageError("pbo_bad_matrix", `${values.length} values for ${rows} × ${cols}`);
  if (binomial(splits, splits / 2) > 1_000_000) {
    throw new UsageError("pbo_too_many_splits", `${splits} splits give ${binomial(splits, splits / 2)} combinations; use at most 22 splits`);
  }
}

/** PBO and its companions for a T × N matrix of trial returns. */
export function probabilityOfBacktestOverfitting(matrix: ReturnsMatrix, options: PboOptions = {}): PboResult {
  const splits = options.splits ?? 16;
  checkPboInput(matrix, splits);
  const { cols } = matrix;
  for (let i = 0; i < matrix.values.length; i++) {
    if (!Number.isFinite(matrix.values[i] ?? NaN)) {
      throw new UsageError("pbo_bad_value", `row ${Math.floor(i / cols)}, trial ${i % cols}: return ${String(matrix.values[i])} is not a finite number`);
    }
  }
  const stats = blockStats(matrix, splits);
  const isSr = new Float64Array(cols);
  const oosSr = new Float64Array(cols);
  const logits: number[] = [];
  const isSharpe: number[] = [];
  const oosSharpe: number[] = [];
  combinationsOf(splits, splits / 2, (inSample, outOfSample) => {
    sharpeOver(stats, inSample, cols, isSr);
    sharpeOver(stats, outOfSample, cols, oosSr);
    let best = 0;
    for (let c = 1; c < cols; c++) if ((isSr[c] ?? -Infinity) > (isSr[best] ?? -Infinity)) best = c;
    const winner = oosSr[best] ?? -Infinity;
    let below = 0;
    let equal = 0;
    for (let c = 0; c < cols; c++) {
      const v = oosSr[c] ?? -Infinity;
      if (v < winner) below++;
      else if (v === winner) equal++;
    }
    const omega = (below + (equal + 1) / 2) / (cols + 1);
    logits.push(Math.log(omega / (1 - omega)));
    isSharpe.push(isSr[best] ?? NaN);
    oosSharpe.push(winner);
  });
  const combinations = logits.length;
  return {
    pbo: logits.filter((l) => l <= 0).length / combinations,
    logits,
    probOosLoss: oosSharpe.filter((v) => v < 0).length / combinations,
    degradation: leastSquares(isSharpe, oosSharpe),
    isSharpe,
    oosSharpe,
    combinations,
    splits,
    trials: cols,
    rows: matrix.rows,
  };
}
