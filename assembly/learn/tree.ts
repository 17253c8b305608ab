// Leaf-wise growth of one regression tree on histograms of the gradients (Ke et al. 2017, sections 2.1 and 3;
// the second-order gain and leaf value of Chen & Guestrin, "XGBoost: a scalable tree boosting system", KDD
// 2016, eq. 6-7): start from one leaf holding the bagged rows, and repeatedly split the leaf whose best split
// has the largest gain
//     gain = G_L^2/(H_L + lambda) + G_R^2/(H_R + lambda) - G^2/(H + lambda)
// until maxLeaves leaves, or no split clears minGain, minData rows and minHess hessian on both sides, or
// maxDepth. The missing bin goes to whichever side gives the larger gain (LightGBM's learned default
// direction); a leaf that saw no missing values sends them to its heavier child. The histogram of the larger
// child is the parent's minus the smaller child's, so each split scans only the smaller child's rows.
// Ties keep the first candidate in (leaf, feature, bin) order, so growth is deterministic.
import {
  bestBin, bestFeature, bestGain, bestNanLeft, binStride, binsTrain, grad, hess, hist, histCount, lambdaL2, leafBegin,
  leafCount, leafDepth, leafG, leafH, leafIsLeft, leafParent, leafSlot, learningRate, maxBins, maxDepth,
  maxLeaves, minData, minGain, minHess, nFeat, numBins, nUsed, order, thresholds, tmp, used,
} from "./context";
import { F_LEAF_COUNT, F_LEAF_VALUE, F_LEAF_WEIGHT, F_NODE_BIN, F_NODE_FEATURE, F_NODE_GAIN, F_NODE_LEFT, F_NODE_NAN_LEFT, F_NODE_RIGHT, F_NODE_THRESHOLD } from "./layout";
import { ldb, ldf, ldi, slotPtr, stf, sti } from "./memory";

// A histogram slot holds, per feature and bin, the sums of gradients and hessians as one v128 (f64x2: lanes add
// independently and exactly as two scalar adds would, so SIMD changes no bit) and the row count as an i32.
@inline function histOf(slot: i32): usize {
  return hist + (<usize>slot * <usize>nFeat * <usize>binStride << 4);
}

@inline function countsOf(slot: i32): usize {
  return histCount + (<usize>slot * <usize>nFeat * <usize>binStride << 2);
}

@inline function addToCell(base: usize, counts: usize, cell: i32, gh: v128): void {
  const e = base + (<usize>cell << 4);
  v128.store(e, f64x2.add(v128.load(e), gh));
  const c = counts + (<usize>cell << 2);
  store<i32>(c, load<i32>(c) + 1);
}

/** Sums the rows of a leaf into histogram `slot` (used features only) and sets leafG/leafH. */
function buildHistogram(leaf: i32, slot: i32): void {
  const base = histOf(slot);
  const counts = countsOf(slot);
  for (let u = 0; u < nUsed; u++) {
    const f = ldi(used, u);
    const bins = <usize>(ldi(numBins, f) + 1);
    memory.fill(base + (<usize>(f * binStride) << 4), 0, bins << 4);
    memory.fill(counts + (<usize>(f * binStride) << 2), 0, bins << 2);
  }
  const begin = ldi(leafBegin, leaf);
  const count = ldi(leafCount, leaf);
  let sg: f64 = 0;
  let sh: f64 = 0;
  const p = nFeat;
  const stride = binStride;
  for (let k = 0; k < count; k++) {
    const r = ldi(order, begin + k);
    const g = ldf(grad, r);
    const h = ldf(hess, r);
    sg += g;
    sh += h;
    const gh = f64x2(g, h);
    const row = binsTrain + <usize>(r * p);
    if (nUsed == p) { // every feature: no indirection through `used`
      for (let f = 0; f < p; f++) addToCell(base, counts, f * stride + ldb(row, f), gh);
    } else {
      for (let u = 0; u < nUsed; u++) {
        const f = ldi(used, u);
        addToCell(base, counts, f * stride + ldb(row, f), gh);
      }
    }
  }
  stf(leafG, leaf, sg);
  stf(leafH, leaf, sh);
}

/** hist[into] -= hist[from] over the used features. */
function subtractHistogram(into: i32, from: i32): void {
  const a = histOf(into);
  const b = histOf(from);
  const ca = countsOf(into);
  const cb = countsOf(from);
  for (let u = 0; u < nUsed; u++) {
    const f = ldi(used, u);
    const start = f * binStride;
    const end = start + ldi(numBins, f) + 1;
    for (let i = start; i < end; i++) {
      const e = <usize>i << 4;
      v128.store(a + e, f64x2.sub(v128.load(a + e), v128.load(b + e)));
      sti(ca, i, ldi(ca, i) - ldi(cb, i));
    }
  }
}

/** Finds the best split of `leaf` into bestFeature/bestBin/bestNanLeft/bestGain (bestFeature -1: none). */
function findBestSplit(leaf: i32): void {
  sti(bestFeature, leaf, -1);
  stf(bestGain, leaf, -Infinity);
  const count = ldi(leafCount, leaf);
  const g = ldf(leafG, leaf);
  const h = ldf(leafH, leaf);
  if (maxDepth > 0 && ldi(leafDepth, leaf) >= maxDepth) return;
  if (count < 2 * minData || h < 2 * minHess) return;
  const c = <f64>count;
  const parent = g * g / (h + lambdaL2);
  const slot = ldi(leafSlot, leaf);
  const base = histOf(slot);
  const counts = countsOf(slot);
  let best = -Infinity;
  for (let u = 0; u < nUsed; u++) {
    const f = ldi(used, u);
    const nb = ldi(numBins, f);
    const e = base + (<usize>(f * binStride) << 4);
    const ec = counts + (<usize>(f * binStride) << 2);
    const nanG = ldf(e, nb * 2);
    const nanH = ldf(e, nb * 2 + 1);
    const nanC = <f64>ldi(ec, nb);
    let gl: f64 = 0;
    let hl: f64 = 0;
    let cl: f64 = 0;
    for (let t = 0; t < nb; t++) {
      // An empty bin repeats the previous cut's sums, whose gain already lost or won: skipping it changes nothing.
      const ct = ldi(ec, t);
      if (ct == 0) continue;
      gl += ldf(e, t * 2);
      hl += ldf(e, t * 2 + 1);
      cl += <f64>ct;
      // Missing values to the right.
      let gain = splitGain(gl, hl, cl, g - gl, h - hl, c - cl, parent);
      if (gain > best && gain > minGain) {
        best = gain;
        sti(bestFeature, leaf, f);
        sti(bestBin, leaf, t);
        sti(bestNanLeft, leaf, nanC == 0 ? (hl >= h - hl ? 1 : 0) : 0);
      }
      if (nanC == 0) continue;
      // Missing values to the left.
      gain = splitGain(gl + nanG, hl + nanH, cl + nanC, g - gl - nanG, h - hl - nanH, c - cl - nanC, parent);
      if (gain > best && gain > minGain) {
        best = gain;
        sti(bestFeature, leaf, f);
        sti(bestBin, leaf, t);
        sti(bestNanLeft, leaf, 1);
      }
    }
  }
  stf(bestGain, leaf, best);
}

/** The gain of a split, or -Infinity when a side has too few rows or too little hessian. */
@inline function splitGain(gl: f64, hl: f64, cl: f64, gr: f64, hr: f64, cr: f64, parent: f64): f64 {
  if (cl < <f64>minData || cr < <f64>minData || hl < minHess || hr < minHess) return -Infinity;
  const dl = hl + lambdaL2;
  const dr = hr + lambdaL2;
  if (!(dl > 0) || !(dr > 0)) return -Infinity;
  return gl * gl / dl + gr * gr / dr - parent;
}

/** Does a row with bin b of the split's feature go left? */
@inline function goesLeft(b: i32, nb: i32, splitBin: i32, nanLeft: i32): bool {
  return b == nb ? nanLeft != 0 : b <= splitBin;
}

/** Stable partition of leaf's rows: left rows first; returns their count. */
function partition(leaf: i32, f: i32, splitBin: i32, nanLeft: i32): i32 {
  const begin = ldi(leafBegin, leaf);
  const count = ldi(leafCount, leaf);
  const nb = ldi(numBins, f);
  const p = nFeat;
  let nl: i32 = 0;
  let nr: i32 = 0;
  for (let k = 0; k < count; k++) {
    const r = ldi(order, begin + k);
    if (goesLeft(ldb(binsTrain + <usize>(r * p), f), nb, splitBin, nanLeft)) {
      sti(order, begin + nl, r);
      nl++;
    } else {
      sti(tmp, nr, r);
      nr++;
    }
  }
  memory.copy(order + (<usize>(begin + nl) << 2), tmp, <usize>nr << 2);
  return nl;
}

/**
 * Grows one tree over the rows order[0..nRows-1] and writes it to the forest at nodes nodeBase.. and leaves
 * leafBase..; leaf values are -G/(H + lambda) times the learning rate. Returns the number of leaves.
 */
export function growTree(nRows: i32, forest: usize, nodeBase: i32, leafBase: i32): i32 {
  sti(leafBegin, 0, 0);
  sti(leafCount, 0, nRows);
  sti(leafDepth, 0, 0);
  sti(leafParent, 0, -1);
  sti(leafSlot, 0, 0);
  buildHistogram(0, 0);
  findBestSplit(0);
  const nodeFeature = slotPtr(forest, F_NODE_FEATURE);
  const nodeBin = slotPtr(forest, F_NODE_BIN);
  const nodeNanLeft = slotPtr(forest, F_NODE_NAN_LEFT);
  const nodeLeft = slotPtr(forest, F_NODE_LEFT);
  const nodeRight = slotPtr(forest, F_NODE_RIGHT);
  const nodeThreshold = slotPtr(forest, F_NODE_THRESHOLD);
  const nodeGain = slotPtr(forest, F_NODE_GAIN);
  let leaves: i32 = 1;
  while (leaves < maxLeaves) {
    let leaf: i32 = -1;
    let gain = -Infinity;
    for (let l = 0; l < leaves; l++) {
      if (ldi(bestFeature, l) >= 0 && ldf(bestGain, l) > gain) {
        gain = ldf(bestGain, l);
        leaf = l;
      }
    }
    if (leaf < 0) break;
    const node = leaves - 1;
    const right = leaves;
    const f = ldi(bestFeature, leaf);
    const b = ldi(bestBin, leaf);
    const nanLeft = ldi(bestNanLeft, leaf);
    const nb = ldi(numBins, f);
    sti(nodeFeature, nodeBase + node, f);
    sti(nodeBin, nodeBase + node, b);
    sti(nodeNanLeft, nodeBase + node, nanLeft);
    sti(nodeLeft, nodeBase + node, ~leaf);
    sti(nodeRight, nodeBase + node, ~right);
    stf(nodeThreshold, nodeBase + node, b < nb - 1 ? ldf(thresholds, f * maxBins + b) : Infinity);
    stf(nodeGain, nodeBase + node, gain);
    const parentNode = ldi(leafParent, leaf);
    if (parentNode >= 0) sti(ldi(leafIsLeft, leaf) != 0 ? nodeLeft : nodeRight, nodeBase + parentNode, node);
    sti(leafParent, leaf, node);
    sti(leafIsLeft, leaf, 1);
    sti(leafParent, right, node);
    sti(leafIsLeft, right, 0);
    const total = ldi(leafCount, leaf);
    const nl = partition(leaf, f, b, nanLeft);
    sti(leafBegin, right, ldi(leafBegin, leaf) + nl);
    sti(leafCount, right, total - nl);
    sti(leafCount, leaf, nl);
    const depth = ldi(leafDepth, leaf) + 1;
    sti(leafDepth, leaf, depth);
    sti(leafDepth, right, depth);
    // The smaller child's histogram is built into the free slot; the larger child takes the parent's slot and
    // becomes parent minus smaller, with its sums likewise.
    const parentSlot = ldi(leafSlot, leaf);
    const parentG = ldf(leafG, leaf);
    const parentH = ldf(leafH, leaf);
    const small = nl <= total - nl ? leaf : right;
    const large = small == leaf ? right : leaf;
    sti(leafSlot, small, leaves);
    sti(leafSlot, large, parentSlot);
    buildHistogram(small, leaves);
    subtractHistogram(parentSlot, leaves);
    stf(leafG, large, parentG - ldf(leafG, small));
    stf(leafH, large, parentH - ldf(leafH, small));
    leaves++;
    findBestSplit(leaf);
    findBestSplit(right);
  }
  const leafValue = slotPtr(forest, F_LEAF_VALUE);
  const leafWeight = slotPtr(forest, F_LEAF_WEIGHT);
  const leafCountOut = slotPtr(forest, F_LEAF_COUNT);
  for (let l = 0; l < leaves; l++) {
    const d = ldf(leafH, l) + lambdaL2;
    const value = d > 0 ? -ldf(leafG, l) / d * learningRate : 0.0;
    // + 0.0 turns -0 into +0: the model file's JSON cannot keep the sign of zero.
    stf(leafValue, leafBase + l, value + 0.0);
    stf(leafWeight, leafBase + l, ldf(leafH, l));
    sti(leafCountOut, leafBase + l, ldi(leafCount, l));
  }
  return leaves;
}

/** The leaf (local index) that compacted train/valid row `row` of `bins` falls in. */
export function leafOfBinned(bins: usize, row: i32, forest: usize, nodeBase: i32, leaves: i32): i32 {
  if (leaves <= 1) return 0;
  const nodeFeature = slotPtr(forest, F_NODE_FEATURE);
  const nodeBin = slotPtr(forest, F_NODE_BIN);
  const nodeNanLeft = slotPtr(forest, F_NODE_NAN_LEFT);
  const nodeLeft = slotPtr(forest, F_NODE_LEFT);
  const nodeRight = slotPtr(forest, F_NODE_RIGHT);
  const rowPtr = bins + <usize>(row * nFeat);
  let node: i32 = 0;
  while (true) {
    const f = ldi(nodeFeature, nodeBase + node);
    const left = goesLeft(ldb(rowPtr, f), ldi(numBins, f), ldi(nodeBin, nodeBase + node), ldi(nodeNanLeft, nodeBase + node));
    const child = left ? ldi(nodeLeft, nodeBase + node) : ldi(nodeRight, nodeBase + node);
    if (child < 0) return ~child;
    node = child;
  }
  return 0;
}
