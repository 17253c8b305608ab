// GBDT prediction on raw feature values: base score plus each tree's leaf value, trees in order, so the sum is
// the same bits on every platform and in the TypeScript predictor (src/kernels/learn/predict-reference.ts).
import { F_LEAF_VALUE, F_NODE_FEATURE, F_NODE_LEFT, F_NODE_NAN_LEFT, F_NODE_RIGHT, F_NODE_THRESHOLD, F_TREE_LEAF_START, F_TREE_NODE_START, LEARN_BAD_SHAPE, LEARN_OK } from "./layout";
import { ldf, ldi, slotPtr, stf } from "./memory";

/**
 * out[i] = baseScore + sum over trees t < numTrees of the leaf value row rows[i] (rows = 0: row i) reaches.
 * A non-finite feature value follows the node's missing-value direction.
 */
export function gbdtPredict(
  nTotal: i32, p: i32, x: usize, rows: usize, nRows: i32, forest: usize, numTrees: i32, baseScore: f64, out: usize,
): i32 {
  if (nTotal <= 0 || p <= 0 || nRows < 0 || numTrees < 0) return LEARN_BAD_SHAPE;
  const treeNodeStart = slotPtr(forest, F_TREE_NODE_START);
  const treeLeafStart = slotPtr(forest, F_TREE_LEAF_START);
  const nodeFeature = slotPtr(forest, F_NODE_FEATURE);
  const nodeThreshold = slotPtr(forest, F_NODE_THRESHOLD);
  const nodeNanLeft = slotPtr(forest, F_NODE_NAN_LEFT);
  const nodeLeft = slotPtr(forest, F_NODE_LEFT);
  const nodeRight = slotPtr(forest, F_NODE_RIGHT);
  const leafValue = slotPtr(forest, F_LEAF_VALUE);
  for (let i = 0; i < nRows; i++) {
    const r = rows == 0 ? i : ldi(rows, i);
    if (r < 0 || r >= nTotal) return LEARN_BAD_SHAPE;
    let s = baseScore;
    for (let t = 0; t < numTrees; t++) {
      const nodeBase = ldi(treeNodeStart, t);
      const leafBase = ldi(treeLeafStart, t);
      let leaf: i32 = 0;
      if (ldi(treeNodeStart, t + 1) > nodeBase) {
        let node: i32 = 0;
        while (true) {
          const k = nodeBase + node;
          const v = ldf(x, ldi(nodeFeature, k) * nTotal + r);
          const left = isFinite<f64>(v) ? v <= ldf(nodeThreshold, k) : ldi(nodeNanLeft, k) != 0;
          const child = left ? ldi(nodeLeft, k) : ldi(nodeRight, k);
          if (child < 0) {
            leaf = ~child;
            break;
          }
          node = child;
        }
      }
      s += ldf(leafValue, leafBase + leaf);
    }
    stf(out, i, s);
  }
  return LEARN_OK;
}
