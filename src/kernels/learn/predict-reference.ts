/**
 * Pure-TypeScript predictors, twins of assembly/learn/ridge.ts `linearPredict` and assembly/learn/predict.ts
 * `gbdtPredict`: the same sums in the same order, so both engines give the same bits. They serve the "ts" engine
 * (a model can be scored without the WebAssembly build) and the tests.
 */
import type { Forest } from "./types.ts";

/** intercept + sum_j coef[j] x[j][r] for each row r of `rows`. */
export function linearPredictReference(
  columns: readonly ArrayLike<number>[], rows: Int32Array, coef: Float64Array, intercept: number,
): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] ?? 0;
    let s = intercept;
    for (let j = 0; j < columns.length; j++) s += (coef[j] ?? 0) * ((columns[j] ?? [])[r] ?? Number.NaN);
    out[i] = s;
  }
  return out;
}

/** baseScore + the leaf value each tree sends row r to, trees in order. */
export function gbdtPredictReference(
  columns: readonly ArrayLike<number>[], rows: Int32Array, forest: Forest, baseScore: number,
): Float64Array {
  const out = new Float64Array(rows.length);
  const get = (a: ArrayLike<number>, i: number): number => a[i] ?? 0;
  for (let i = 0; i < rows.length; i++) {
    const r = get(rows, i);
    let s = baseScore;
    for (let t = 0; t < forest.trees; t++) {
      const nodeBase = get(forest.treeNodeStart, t);
      let leaf = 0;
      if (get(forest.treeNodeStart, t + 1) > nodeBase) {
        let node = 0;
        for (;;) {
          const k = nodeBase + node;
          const v = (columns[get(forest.nodeFeature, k)] ?? [])[r] ?? Number.NaN;
          const left = Number.isFinite(v) ? v <= get(forest.nodeThreshold, k) : get(forest.nodeNanLeft, k) !== 0;
          const child = left ? get(forest.nodeLeft, k) : get(forest.nodeRight, k);
          if (child < 0) {
            leaf = ~child;
            break;
          }
          node = child;
        }
      }
      s += get(forest.leafValue, get(forest.treeLeafStart, t) + leaf);
    }
    out[i] = s;
  }
  return out;
}
