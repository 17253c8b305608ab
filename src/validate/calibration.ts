/**
 * Calibration of binary probability forecasts, exactly as scikit-learn 1.9.1 defines it (the pinned test peer):
 * - Brier score: `brier_score_loss`, which scores the two-column form [1 − p, p] against the one-hot labels and
 *   halves the sum: ½·mean(((1 − y) − (1 − p))² + (y − p)²);
 * - log-loss: `log_loss` with labels [0, 1]: both columns clipped to [ε, 1 − ε] (ε = 2⁻⁵², float64 machine
 *   epsilon), then −mean(log of the true class's clipped probability);
 * - reliability bins: `calibration_curve(strategy="uniform")`: edges linspace(0, 1, bins + 1), a forecast on an
 *   inner edge belongs to the lower bin (np.searchsorted, side="left"), empty bins dropped;
 * - expected calibration error, which scikit-learn does not have: Σ_b (n_b / N)·|mean p_b − mean y_b| over those
 *   bins (Naeini, Cooper & Hauskrecht, 2015; Guo et al., 2017).
 * Means use numpy's pairwise summation (src/validate/numeric.ts), bin sums np.bincount's running sums.
 */
import { UsageError } from "../domain/errors.ts";
import { pairwiseSum } from "./numeric.ts";

/** float64 machine epsilon (np.finfo(np.float64).eps). */
const EPS = 2 ** -52;

export interface ReliabilityBin {
  /** Bin edges: [lower, upper], the lower edge exclusive except for the first bin. */
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** Mean forecast in the bin (scikit-learn's `prob_pred`). */
  readonly meanPredicted: number;
  /** Share of positives in the bin (scikit-learn's `prob_true`). */
  readonly fractionPositive: number;
}

export interface CalibrationReport {
  readonly n: number;
  readonly brier: number;
  readonly logLoss: number;
  readonly ece: number;
  /** The non-empty uniform bins, ascending. */
  readonly bins: readonly ReliabilityBin[];
}

/**
 * Checks a forecast set: same length, labels 0 or 1, probabilities finite and within [0, 1]. `where(i)` names
 * sample i in the error (the CLI passes "file:line").
 */
export function checkForecasts(y: ArrayLike<number>, p: ArrayLike<number>, where: (i: number) => string = (i) => `sample ${i}`): void {
  if (y.length !== p.length) throw new UsageError("calibration_length", `${y.length} labels but ${p.length} probabilities`);
  if (y.length === 0) throw new UsageError("calibration_empty", "no forecasts to score");
  for (let i = 0; i < y.length; i++) {
    const label = y[i];
    if (label !== 0 && label !== 1) throw new UsageError("calibration_bad_label", `${where(i)}: y must be 0 or 1, not ${String(label)}`);
    const prob = p[i] ?? NaN;
    if (!(prob >= 0 && prob <= 1)) {
      throw new UsageError("calibration_bad_probability", `${where(i)}: p must be a probability in [0, 1], not ${String(prob)}`);
    }
  }
}

/** scikit-learn's `brier_score_loss(y, p)` for binary labels. */
export function brierScore(y: ArrayLike<number>, p: ArrayLike<number>): number {
  checkForecasts(y, p);
  const terms = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const label = y[i] ?? 0;
    const prob = p[i] ?? 0;
    const miss0 = 1 - label - (1 - prob);
    const miss1 = label - prob;
    terms[i] = miss0 * miss0 + miss1 * miss1;
  }
  return (pairwiseSum(terms) / y.length) * 0.5;
}

/** scikit-learn's `log_loss(y, p, labels=[0, 1])`: natural log, probabilities clipped to [ε, 1 − ε]. */
export function logLoss(y: ArrayLike<number>, p: ArrayLike<number>): number {
  checkForecasts(y, p);
  const clip = (v: number): number => Math.min(Math.max(v, EPS), 1 - EPS);
  const terms = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const prob = p[i] ?? 0;
    terms[i] = -Math.log(y[i] === 1 ? clip(prob) : clip(1 - prob));
  }
  return pairwiseSum(terms) / y.length;
}

/** The bin of each forecast: the number of inner edges strictly below it (np.searchsorted(edges[1:-1], p)). */
function binOf(prob: number, innerEdges: readonly number[]): number {
  let bin = 0;
  while (bin < innerEdges.length && (innerEdges[bin] ?? 1) < prob) bin++;
  return bin;
}

/** scikit-learn's `calibration_curve(y, p, n_bins, strategy="uniform")`, with each bin's edges and count. */
export function reliabilityBins(y: ArrayLike<number>, p: ArrayLike<number>, nBins: number): ReliabilityBin[] {
  if (!Number.isSafeInteger(nBins) || nBins < 1) throw new UsageError("calibration_bad_bins", `the number of bins must be a positive integer, not ${nBins}`);
  checkForecasts(y, p);
  // np.linspace(0, 1, n + 1): i * (1 / n), the last edge exactly 1.
  const step = 1 / nBins;
  const edges = Array.from({ length: nBins + 1 }, (_, i) => (i === nBins ? 1 : i * step));
  const inner = edges.slice(1, -1);
  const sums = new Float64Array(nBins);
  const positives = new Float64Array(nBins);
  const counts = new Float64Array(nBins);
  for (let i = 0; i < y.length; i++) {
    const prob = p[i] ?? 0;
    const bin = binOf(prob, inner);
    sums[bin] = (sums[bin] ?? 0) + prob;
    positives[bin] = (positives[bin] ?? 0) + (y[i] ?? 0);
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  const bins: ReliabilityBin[] = [];
  for (let b = 0; b < nBins; b++) {
    const count = counts[b] ?? 0;
    if (count === 0) continue;
    bins.push({
      lower: edges[b] ?? 0,
      upper: edges[b + 1] ?? 1,
      count,
      meanPredicted: (sums[b] ?? 0) / count,
      fractionPositive: (positives[b] ?? 0) / count,
    });
  }
  return bins;
}

/** Expected calibration error over the uniform bins: Σ_b (n_b / N)·|mean p_b − mean y_b|. */
export function expectedCalibrationError(bins: readonly ReliabilityBin[]): number {
  const n = bins.reduce((total, bin) => total + bin.count, 0);
  const terms = bins.map((bin) => (bin.count / n) * Math.abs(bin.meanPredicted - bin.fractionPositive));
  return pairwiseSum(terms);
}

/** Brier score, log-loss, ECE and the reliability bins of one forecast set. */
export function calibrationReport(y: ArrayLike<number>, p: ArrayLike<number>, nBins = 10): CalibrationReport {
  const bins = reliabilityBins(y, p, nBins);
  return { n: y.length, brier: brierScore(y, p), logLoss: logLoss(y, p), ece: expectedCalibrationError(bins), bins };
}
