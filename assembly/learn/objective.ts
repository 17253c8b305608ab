// Gradients and hessians of the training objectives, per compacted train row.
import { expScore, grad, groupStartTrain, hess, nGroupsTrain, nTrain, scoreTrain, wTrain, yTrain } from "./context";
import { ldf, ldi, stf } from "./memory";
import { nextBelow } from "./rng";

/** Squared error: loss w (s - y)^2 / 2, gradient w (s - y), hessian w. */
export function l2Gradients(): void {
  for (let i = 0; i < nTrain; i++) {
    const w = ldf(wTrain, i);
    stf(grad, i, w * (ldf(scoreTrain, i) - ldf(yTrain, i)));
    stf(hess, i, w);
  }
}

/**
 * Pairwise ranking within each group (date): RankNet's logistic loss on score differences (Burges, "From
 * RankNet to LambdaRank to LambdaMART: an overview", Microsoft Research MSR-TR-2010-82, 2010, section 2), with
 * each pair's lambda scaled as in LambdaRank (section 4) by |delta Z|, here |y_i - y_j| times the pair's mean
 * sample weight in place of the change in NDCG: the goal is the order of the whole cross-section (rank IC), not
 * the top of a list, and continuous labels have no relevance grades. For the pair with y_i > y_j and
 * rho = 1 / (1 + exp(sigma (s_i - s_j))):
 *     lambda = sigma rho |delta Z|,  g_i -= lambda, g_j += lambda,  h_i, h_j += sigma^2 rho (1 - rho) |delta Z|.
 * pairsPerRow = 0 (or >= group size - 1) takes every pair of a group; otherwise each row is paired with
 * pairsPerRow partners drawn uniformly from its group (a fresh draw every iteration, from the seeded stream),
 * which bounds the cost at O(rows x pairsPerRow) for wide cross-sections. rho is computed as
 * e_j / (e_i + e_j) with e = exp(sigma (s - the date's top score)), one exp per row instead of one per pair
 * (the shift keeps every e in (0, 1]); a pair whose two e underflow to 0 falls back to the direct formula.
 */
export function rankGradients(sigma: f64, pairsPerRow: i32): void {
  memory.fill(grad, 0, <usize>nTrain << 3);
  memory.fill(hess, 0, <usize>nTrain << 3);
  for (let gi = 0; gi < nGroupsTrain; gi++) {
    const a = ldi(groupStartTrain, gi);
    const b = ldi(groupStartTrain, gi + 1);
    const m = b - a;
    if (m < 2) continue;
    let top = ldf(scoreTrain, a);
    for (let i = a + 1; i < b; i++) top = Math.max(top, ldf(scoreTrain, i));
    for (let i = a; i < b; i++) stf(expScore, i, Math.exp(sigma * (ldf(scoreTrain, i) - top)));
    if (pairsPerRow <= 0 || pairsPerRow >= m - 1) {
      for (let i = a; i < b; i++) for (let j = i + 1; j < b; j++) addPair(i, j, sigma);
    } else {
      for (let i = a; i < b; i++) {
        for (let s = 0; s < pairsPerRow; s++) {
          let j = a + nextBelow(m - 1);
          if (j >= i) j++;
          addPair(i, j, sigma);
        }
      }
    }
  }
}

@inline function addPair(i: i32, j: i32, sigma: f64): void {
  const yi = ldf(yTrain, i);
  const yj = ldf(yTrain, j);
  if (yi == yj) return;
  const hi = yi > yj ? i : j;
  const lo = yi > yj ? j : i;
  const dz = Math.abs(yi - yj) * (ldf(wTrain, i) + ldf(wTrain, j)) * 0.5;
  if (!(dz > 0)) return;
  const eHi = ldf(expScore, hi);
  const eLo = ldf(expScore, lo);
  const sum = eHi + eLo;
  const rho = sum > 0 ? eLo / sum : 1.0 / (1.0 + Math.exp(sigma * (ldf(scoreTrain, hi) - ldf(scoreTrain, lo))));
  const lambda = sigma * rho * dz;
  const h = sigma * sigma * rho * (1.0 - rho) * dz;
  stf(grad, hi, ldf(grad, hi) - lambda);
  stf(grad, lo, ldf(grad, lo) + lambda);
  stf(hess, hi, ldf(hess, hi) + h);
  stf(hess, lo, ldf(hess, lo) + h);
}
