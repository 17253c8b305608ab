/**
 * Target weights of one day's long-short portfolio from its cross-section of scores. Dollar neutral: the long
 * side sums to +gross/2 and the short side to −gross/2.
 *  - quantile: a name's quantile is floor((rank − 1)·q / n) with its average rank, exactly as fold scoring cuts
 *    quantiles (assembly/validate/fold-scoring.ts), so tied names share one; the top quantile is held long in
 *    equal weights and the bottom one short.
 *  - rank: weight proportional to the average rank minus its mean (a rank-weighted portfolio).
 * Fewer than 2 names, or no dispersion, give no positions (all zero).
 */
import type { EquitiesBacktestConfig } from "../../config/schemas/equities-backtest.ts";
import { averageRanks } from "../../validate/numeric.ts";

export function portfolioWeights(scores: ArrayLike<number>, config: Pick<EquitiesBacktestConfig, "weighting" | "quantiles" | "gross_leverage">): Float64Array {
  const n = scores.length;
  const weights = new Float64Array(n);
  if (n < 2) return weights;
  const ranks = averageRanks(scores);
  const half = config.gross_leverage / 2;
  if (config.weighting === "rank") {
    const centre = (n + 1) / 2;
    let positive = 0;
    for (let i = 0; i < n; i++) positive += Math.max(0, (ranks[i] ?? centre) - centre);
    if (!(positive > 0)) return weights;
    // Centred ranks sum to zero, so the positive and negative sides have equal mass.
    for (let i = 0; i < n; i++) weights[i] = (((ranks[i] ?? centre) - centre) / positive) * half;
    return weights;
  }
  const q = config.quantiles;
  let top = 0;
  let bottom = 0;
  const bucket = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const b = Math.floor((((ranks[i] ?? 1) - 1) * q) / n);
    bucket[i] = b;
    if (b === q - 1) top++;
    if (b === 0) bottom++;
  }
  if (top === 0 || bottom === 0) return weights;
  for (let i = 0; i < n; i++) {
    if (bucket[i] === q - 1) weights[i] = half / top;
    else if (bucket[i] === 0) weights[i] = -half / bottom;
  }
  return weights;
}
