/**
 * P(forward return > 0) from a model's score: a monotone (isotonic) map of the score fitted on out-of-fold
 * predictions by pool-adjacent-violators (Zadrozny & Elkan, KDD 2002; the same PAV as the SSVI θ curve,
 * kernels/svi/ssvi.ts). A map fitted and judged on the same predictions would look calibrated by construction, so
 * the gate's calibration is cross-fitted: the map of the first half of the dates forecasts the second half and
 * vice versa, and those forecasts are scored (validate/calibration.ts). The map stored with the model is fitted on
 * every out-of-fold prediction.
 */
import { isotonic } from "../kernels/svi/ssvi.ts";

export interface ProbabilityMap {
  /** Upper score of each block, ascending. */
  readonly thresholds: readonly number[];
  /** P(forward return > 0) of each block, non-decreasing. */
  readonly levels: readonly number[];
}

export function fitProbabilityMap(scores: ArrayLike<number>, positive: ArrayLike<number>): ProbabilityMap {
  const order: number[] = [];
  for (let i = 0; i < scores.length; i++) if (Number.isFinite(scores[i] ?? Number.NaN)) order.push(i);
  order.sort((a, b) => (scores[a] ?? 0) - (scores[b] ?? 0));
  const fitted = isotonic(order.map((i) => positive[i] ?? 0));
  const thresholds: number[] = [];
  const levels: number[] = [];
  order.forEach((row, k) => {
    const level = fitted[k] ?? 0;
    const score = scores[row] ?? 0;
    const last = levels.length - 1;
    // Tied scores must map to one probability: a tie joins the block it falls in.
    if (last >= 0 && (levels[last] === level || thresholds[last] === score)) {
      thresholds[last] = score;
      if (levels[last] !== level) levels[last] = Math.max(levels[last] ?? 0, level);
    } else {
      thresholds.push(score);
      levels.push(level);
    }
  });
  return { thresholds, levels };
}

export function applyProbabilityMap(map: ProbabilityMap, score: number): number {
  if (!Number.isFinite(score) || map.levels.length === 0) return Number.NaN;
  let lo = 0;
  let hi = map.thresholds.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((map.thresholds[mid] ?? 0) >= score) hi = mid;
    else lo = mid + 1;
  }
  return map.levels[lo] ?? Number.NaN;
}

/** Cross-fitted forecasts: rows of the first half of the dates forecast by the second half's map, and vice versa. */
export function crossFittedProbabilities(scores: ArrayLike<number>, positive: ArrayLike<number>, group: ArrayLike<number>, dates: number): Float64Array {
  const half = Math.floor(dates / 2);
  const pick = (first: boolean): number[] => {
    const rows: number[] = [];
    for (let i = 0; i < scores.length; i++) if (((group[i] ?? 0) < half) === first) rows.push(i);
    return rows;
  };
  const out = new Float64Array(scores.length).fill(Number.NaN);
  for (const first of [true, false]) {
    const fitRows = pick(!first);
    const map = fitProbabilityMap(fitRows.map((i) => scores[i] ?? Number.NaN), fitRows.map((i) => positive[i] ?? 0));
    for (const row of pick(first)) out[row] = applyProbabilityMap(map, scores[row] ?? Number.NaN);
  }
  return out;
}
