// Validation metrics for early stopping, on the compacted valid rows.
import { groupStartValid, labelRankValid, nGroupsValid, nValid, rankIdx, scoreRankValid, scoreValid, wValid, yValid } from "./context";
import { ldf, ldi } from "./memory";
import { averageRanks } from "./sort";

/** Weighted mean squared error (lower is better). */
export function l2Metric(): f64 {
  let s: f64 = 0;
  let sw: f64 = 0;
  for (let i = 0; i < nValid; i++) {
    const w = ldf(wValid, i);
    const d = ldf(scoreValid, i) - ldf(yValid, i);
    s += w * d * d;
    sw += w;
  }
  return sw > 0 ? s / sw : NaN;
}

/** Label ranks per valid group, computed once per fit. */
export function prepareRankMetric(): void {
  for (let g = 0; g < nGroupsValid; g++) {
    const a = ldi(groupStartValid, g);
    averageRanks(yValid, a, ldi(groupStartValid, g + 1) - a, rankIdx, labelRankValid);
  }
}

/**
 * Mean over valid groups (dates) of Spearman's rank correlation between score and label (higher is better);
 * groups with fewer than 2 rows or no spread in either ranking are left out. NaN when no group counts.
 */
export function rankIcMetric(): f64 {
  let sum: f64 = 0;
  let counted: i32 = 0;
  for (let g = 0; g < nGroupsValid; g++) {
    const a = ldi(groupStartValid, g);
    const b = ldi(groupStartValid, g + 1);
    const m = b - a;
    if (m < 2) continue;
    averageRanks(scoreValid, a, m, rankIdx, scoreRankValid);
    const ic = pearson(scoreRankValid, labelRankValid, a, b);
    if (isFinite<f64>(ic)) {
      sum += ic;
      counted++;
    }
  }
  return counted > 0 ? sum / <f64>counted : NaN;
}

function pearson(u: usize, v: usize, a: i32, b: i32): f64 {
  const n = <f64>(b - a);
  let mu: f64 = 0;
  let mv: f64 = 0;
  for (let i = a; i < b; i++) {
    mu += ldf(u, i);
    mv += ldf(v, i);
  }
  mu /= n;
  mv /= n;
  let suv: f64 = 0;
  let suu: f64 = 0;
  let svv: f64 = 0;
  for (let i = a; i < b; i++) {
    const du = ldf(u, i) - mu;
    const dv = ldf(v, i) - mv;
    suv += du * dv;
    suu += du * du;
    svv += dv * dv;
  }
  if (!(suu > 0) || !(svv > 0)) return NaN;
  return suv / Math.sqrt(suu * svv);
}
