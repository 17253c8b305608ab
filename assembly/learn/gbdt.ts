// Histogram gradient-boosted trees (Friedman, "Greedy function approximation: a gradient boosting machine",
// Annals of Statistics 29(5), 2001; the histogram and leaf-wise growth of Ke et al., "LightGBM", NeurIPS 2017).
// One fit: bin the features on the train rows (binning.ts), then for each iteration compute the objective's
// gradients (objective.ts), draw the bag and the tree's features from the seeded stream (rng.ts), grow one tree
// (tree.ts), add it to the train and valid scores, and score the valid rows (metric.ts) for early stopping.
// The caller chooses the rows: trainRows and validRows are explicit, disjoint index sets into the panel (the
// valid rows are an inner, purged holdout carved from the training folds, never a CPCV test fold).
import { binFeatures, binRows } from "./binning";
import {
  bag, binsTrain, binsValid, binValues, groupStartTrain, groupStartValid, layoutScratch, marks, maxBins, nFeat,
  numBins, nTrain, nValid, order, perm, scoreTrain, scoreValid, setGroups, setParams, setSizes, setUsedCount,
  thresholds, used, wTrain, wValid, yTrain, yValid, leafBegin, leafCount, nGroupsTrain, nGroupsValid,
} from "./context";
import {
  B_NUM_BINS, B_THRESHOLDS, F_LEAF_VALUE, F_TREE_LEAF_START, F_TREE_NODE_START, I_BASE_SCORE, I_BEST_ITERATION,
  I_BEST_METRIC, I_ITERATIONS, I_TRAIN_GROUPS, I_TRAIN_ROWS, I_TREES, I_VALID_GROUPS, I_VALID_ROWS, LEARN_BAD_PARAMS,
  LEARN_BAD_SHAPE, LEARN_GROUPS_UNSORTED, LEARN_NON_FINITE_LABEL, LEARN_OK, LEARN_OVERLAP, LEARN_TOO_FEW_ROWS,
  LEARN_ZERO_WEIGHT, METRIC_L2, METRIC_RANK_IC, OBJECTIVE_L2, OBJECTIVE_RANK, P_BAGGING_FRACTION, P_BAGGING_FREQ,
  P_BIN_SAMPLE_COUNT, P_EARLY_STOPPING_ROUNDS, P_FEATURE_FRACTION, P_LAMBDA_L2, P_LEARNING_RATE, P_MAX_BINS,
  P_MAX_DEPTH, P_METRIC, P_MIN_DATA_IN_LEAF, P_MIN_GAIN_TO_SPLIT, P_MIN_SUM_HESSIAN, P_NUM_ITERATIONS,
  P_NUM_LEAVES, P_OBJECTIVE, P_RANK_PAIRS_PER_ROW, P_SEED, P_SIGMOID,
} from "./layout";
import { ldb, ldf, ldi, slotPtr, stb, stf, sti } from "./memory";
import { l2Metric, prepareRankMetric, rankIcMetric } from "./metric";
import { l2Gradients, rankGradients } from "./objective";
import { nextBelow, nextUnit, seedRng } from "./rng";
import { growTree, leafOfBinned } from "./tree";

/** Largest accepted sizes: they keep every index and byte offset of a fit within 32 bits. */
const MAX_LEAVES: i32 = 65536;
const MAX_ITERATIONS: i32 = 1000000;

@inline function isInt(v: f64, lo: f64, hi: f64): bool {
  return v >= lo && v <= hi && Math.floor(v) == v;
}

/** LEARN_OK when the parameter block is complete and in range (the host's schema checks it first). */
function checkParams(params: usize, hasGroups: bool): i32 {
  const objective = ldf(params, P_OBJECTIVE);
  const metric = ldf(params, P_METRIC);
  if (!isInt(objective, 0, 1) || !isInt(metric, 0, 1)) return LEARN_BAD_PARAMS;
  if (!hasGroups && (objective == <f64>OBJECTIVE_RANK || metric == <f64>METRIC_RANK_IC)) return LEARN_BAD_PARAMS;
  if (!isInt(ldf(params, P_NUM_ITERATIONS), 1, <f64>MAX_ITERATIONS)) return LEARN_BAD_PARAMS;
  const lr = ldf(params, P_LEARNING_RATE);
  if (!(lr > 0) || !isFinite<f64>(lr)) return LEARN_BAD_PARAMS;
  if (!isInt(ldf(params, P_NUM_LEAVES), 2, <f64>MAX_LEAVES)) return LEARN_BAD_PARAMS;
  if (!isInt(ldf(params, P_MAX_DEPTH), -1, 1024)) return LEARN_BAD_PARAMS;
  if (!isInt(ldf(params, P_MIN_DATA_IN_LEAF), 1, 2147483647)) return LEARN_BAD_PARAMS;
  const minHess = ldf(params, P_MIN_SUM_HESSIAN);
  const lambda = ldf(params, P_LAMBDA_L2);
  const minGain = ldf(params, P_MIN_GAIN_TO_SPLIT);
  if (!(minHess >= 0) || !(lambda >= 0) || !(minGain >= 0)) return LEARN_BAD_PARAMS;
  if (!isFinite<f64>(minHess) || !isFinite<f64>(lambda) || !isFinite<f64>(minGain)) return LEARN_BAD_PARAMS;
  const ff = ldf(params, P_FEATURE_FRACTION);
  const bf = ldf(params, P_BAGGING_FRACTION);
  if (!(ff > 0 && ff <= 1) || !(bf > 0 && bf <= 1)) return LEARN_BAD_PARAMS;
  if (!isInt(ldf(params, P_BAGGING_FREQ), 0, 1e9) || !isInt(ldf(params, P_SEED), 0, 9007199254740991)) return LEARN_BAD_PARAMS;
  if (!isInt(ldf(params, P_MAX_BINS), 2, 255)) return LEARN_BAD_PARAMS;
  if (!isInt(ldf(params, P_EARLY_STOPPING_ROUNDS), 0, <f64>MAX_ITERATIONS)) return LEARN_BAD_PARAMS;
  if (!isInt(ldf(params, P_RANK_PAIRS_PER_ROW), 0, 1e6)) return LEARN_BAD_PARAMS;
  const sigma = ldf(params, P_SIGMOID);
  if (!(sigma > 0) || !isFinite<f64>(sigma)) return LEARN_BAD_PARAMS;
  if (!isInt(ldf(params, P_BIN_SAMPLE_COUNT), 1, 2147483647)) return LEARN_BAD_PARAMS;
  return LEARN_OK;
}

function configure(nTotal: i32, p: i32, nT: i32, nV: i32, params: usize): void {
  setSizes(nT, nV, p, <i32>ldf(params, P_MAX_BINS));
  setParams(
    ldf(params, P_LEARNING_RATE), <i32>ldf(params, P_NUM_LEAVES), <i32>ldf(params, P_MAX_DEPTH),
    <i32>ldf(params, P_MIN_DATA_IN_LEAF), ldf(params, P_MIN_SUM_HESSIAN), ldf(params, P_LAMBDA_L2),
    ldf(params, P_MIN_GAIN_TO_SPLIT),
  );
}

/**
 * Bytes of scratch gbdtFit needs for these sizes (numLeaves, maxBins and binSampleCount as in the parameter
 * block), or -1 for an impossible size. Above 2^32 the number is an estimate (more than the module can address).
 */
export function gbdtScratchBytes(nTotal: i32, p: i32, nT: i32, nV: i32, numLeaves: i32, bins: i32, sampleCount: i32): f64 {
  if (nTotal <= 0 || p <= 0 || nT <= 0 || nV < 0 || numLeaves < 2 || numLeaves > MAX_LEAVES) return -1;
  if (bins < 2 || bins > 255 || sampleCount < 1) return -1;
  const estimate = <f64>(nT + nV) * (<f64>p + 64) + <f64>numLeaves * <f64>p * <f64>(bins + 1) * 24 + <f64>nTotal + 4096;
  if (estimate > 4.0e9) return estimate;
  setSizes(nT, nV, p, bins);
  setParams(0, numLeaves, 0, 0, 0, 0, 0);
  return <f64>layoutScratch(0, nTotal, sampleCount);
}

// The state of the fit in progress between gbdtFitBegin and the last gbdtFitStep.
let fitForest: usize = 0;
let fitInfo: usize = 0;
let fitCurve: usize = 0;
let fitObjective: i32 = 0;
let fitMetric: i32 = 0;
let fitIterations: i32 = 0;
let fitStopRounds: i32 = 0;
let fitFeatureFraction: f64 = 1;
let fitBaggingFraction: f64 = 1;
let fitBaggingFreq: i32 = 0;
let fitSigma: f64 = 1;
let fitPairsPerRow: i32 = 0;
let fitBase: f64 = 0;
let fitIter: i32 = 0;
let fitBestIter: i32 = -1;
let fitBestMetric: f64 = NaN;
let fitBag: i32 = 0;
let fitDone: bool = true;

/**
 * Starts a GBDT fit. Inputs: the column-major panel x (p columns of nTotal f64; NaN = missing), label y, weights
 * w (0: unit), group ids (0: none; required by the ranking objective and the rank-IC metric; non-decreasing over
 * each index set), trainRows[nTrain] and validRows[nValid] (nValid may be 0: no early stopping), the parameter
 * block (layout.ts, P_*). Outputs, filled as the fit goes: the binning table (B_*: numBins i32[p], thresholds
 * f64[p*maxBins]), the forest table (F_*, room for numIterations trees of numLeaves leaves), info
 * f64[INFO_SLOTS] and validCurve f64[numIterations] (the valid metric after each iteration, NaN past the last).
 * scratch: gbdtScratchBytes. Every buffer must stay untouched until the last gbdtFitStep.
 *
 * The trees are then grown by calling gbdtFitStep until it returns 1. One export call per tree (rather than one
 * call for the whole fit) lets the host report progress, and lets the engine optimise the loop after the first
 * calls: V8 and other engines tier a WebAssembly function up between calls, never inside a running one.
 */
export function gbdtFitBegin(
  nTotal: i32, p: i32, x: usize, y: usize, w: usize, group: usize,
  trainRows: usize, nT: i32, validRows: usize, nV: i32, params: usize,
  binTable: usize, forest: usize, info: usize, validCurve: usize, scratch: usize,
): i32 {
  fitDone = true;
  const bad = checkParams(params, group != 0);
  if (bad != LEARN_OK) return bad;
  if (nTotal <= 0 || p <= 0 || nT <= 0 || nV < 0) return LEARN_BAD_SHAPE;
  configure(nTotal, p, nT, nV, params);
  const sampleCount = <i32>ldf(params, P_BIN_SAMPLE_COUNT);
  layoutScratch(scratch, nTotal, sampleCount);
  fitObjective = <i32>ldf(params, P_OBJECTIVE);
  fitMetric = <i32>ldf(params, P_METRIC);
  fitIterations = <i32>ldf(params, P_NUM_ITERATIONS);
  const status = gatherRows(nTotal, y, w, trainRows, validRows);
  if (status != LEARN_OK) return status;
  if (group != 0 && (fitObjective == OBJECTIVE_RANK || fitMetric == METRIC_RANK_IC)) {
    if (!buildGroups(group, trainRows, nT, groupStartTrain, true) || !buildGroups(group, validRows, nV, groupStartValid, false)) {
      return LEARN_GROUPS_UNSORTED;
    }
  } else {
    setGroups(0, 0);
  }
  if (nT < 2 * <i32>ldf(params, P_MIN_DATA_IN_LEAF)) return LEARN_TOO_FEW_ROWS;

  binFeatures(nTotal, p, x, trainRows, nT, maxBins, sampleCount, numBins, thresholds, binValues);
  binRows(nTotal, p, x, trainRows, nT, maxBins, numBins, thresholds, binsTrain);
  binRows(nTotal, p, x, validRows, nV, maxBins, numBins, thresholds, binsValid);
  memory.copy(slotPtr(binTable, B_NUM_BINS), numBins, <usize>p << 2);
  memory.copy(slotPtr(binTable, B_THRESHOLDS), thresholds, <usize>(p * maxBins) << 3);

  let base: f64 = 0;
  if (fitObjective == OBJECTIVE_L2) {
    let sy: f64 = 0;
    let sw: f64 = 0;
    for (let i = 0; i < nT; i++) {
      sy += ldf(wTrain, i) * ldf(yTrain, i);
      sw += ldf(wTrain, i);
    }
    base = sy / sw;
  }
  for (let i = 0; i < nT; i++) stf(scoreTrain, i, base);
  for (let i = 0; i < nV; i++) stf(scoreValid, i, base);
  for (let i = 0; i < fitIterations; i++) stf(validCurve, i, NaN);
  if (nV > 0 && fitMetric == METRIC_RANK_IC) prepareRankMetric();

  seedRng(<u64>ldf(params, P_SEED));
  fitFeatureFraction = ldf(params, P_FEATURE_FRACTION);
  fitBaggingFraction = ldf(params, P_BAGGING_FRACTION);
  fitBaggingFreq = <i32>ldf(params, P_BAGGING_FREQ);
  fitStopRounds = <i32>ldf(params, P_EARLY_STOPPING_ROUNDS);
  fitSigma = ldf(params, P_SIGMOID);
  fitPairsPerRow = <i32>ldf(params, P_RANK_PAIRS_PER_ROW);
  fitForest = forest;
  fitInfo = info;
  fitCurve = validCurve;
  fitBase = base;
  sti(slotPtr(forest, F_TREE_NODE_START), 0, 0);
  sti(slotPtr(forest, F_TREE_LEAF_START), 0, 0);
  fitBag = nT;
  for (let i = 0; i < nT; i++) sti(bag, i, i);
  fitIter = 0;
  fitBestIter = -1;
  fitBestMetric = NaN;
  fitDone = false;
  writeInfo();
  return LEARN_OK;
}

/**
 * Grows the next tree of the fit gbdtFitBegin started. Returns 0 while more trees are due, 1 when the fit is
 * complete (all iterations, or early stopping), and -1 when no fit is in progress. The info block is current
 * after every call.
 */
export function gbdtFitStep(): i32 {
  if (fitDone) return -1;
  const forest = fitForest;
  const nT = nTrain;
  const nV = nValid;
  if (fitObjective == OBJECTIVE_L2) l2Gradients();
  else rankGradients(fitSigma, fitPairsPerRow);
  if (fitBaggingFraction < 1 && fitBaggingFreq > 0 && fitIter % fitBaggingFreq == 0) fitBag = drawBag(fitBaggingFraction);
  memory.copy(order, bag, <usize>fitBag << 2);
  drawFeatures(fitFeatureFraction);
  const treeNodeStart = slotPtr(forest, F_TREE_NODE_START);
  const treeLeafStart = slotPtr(forest, F_TREE_LEAF_START);
  const leafValue = slotPtr(forest, F_LEAF_VALUE);
  const nodeBase = ldi(treeNodeStart, fitIter);
  const leafBase = ldi(treeLeafStart, fitIter);
  const nLeaves = growTree(fitBag, forest, nodeBase, leafBase);
  sti(treeNodeStart, fitIter + 1, nodeBase + nLeaves - 1);
  sti(treeLeafStart, fitIter + 1, leafBase + nLeaves);
  if (fitBag == nT) {
    for (let l = 0; l < nLeaves; l++) {
      const value = ldf(leafValue, leafBase + l);
      const begin = ldi(leafBegin, l);
      const end = begin + ldi(leafCount, l);
      for (let k = begin; k < end; k++) {
        const r = ldi(order, k);
        stf(scoreTrain, r, ldf(scoreTrain, r) + value);
      }
    }
  } else {
    for (let r = 0; r < nT; r++) {
      const l = leafOfBinned(binsTrain, r, forest, nodeBase, nLeaves);
      stf(scoreTrain, r, ldf(scoreTrain, r) + ldf(leafValue, leafBase + l));
    }
  }
  for (let r = 0; r < nV; r++) {
    const l = leafOfBinned(binsValid, r, forest, nodeBase, nLeaves);
    stf(scoreValid, r, ldf(scoreValid, r) + ldf(leafValue, leafBase + l));
  }
  fitIter++;
  if (nV > 0) {
    const m = fitMetric == METRIC_L2 ? l2Metric() : rankIcMetric();
    stf(fitCurve, fitIter - 1, m);
    const better = fitMetric == METRIC_L2 ? m < fitBestMetric : m > fitBestMetric;
    if (isFinite<f64>(m) && (fitBestIter < 0 || better)) {
      fitBestIter = fitIter - 1;
      fitBestMetric = m;
    }
    if (fitStopRounds > 0 && fitBestIter >= 0 && fitIter - 1 - fitBestIter >= fitStopRounds) fitDone = true;
  }
  if (fitIter >= fitIterations) fitDone = true;
  writeInfo();
  return fitDone ? 1 : 0;
}

/** Trees kept: up to the best iteration with early stopping, else every tree grown. */
function writeInfo(): void {
  const kept = fitStopRounds > 0 && fitBestIter >= 0 ? fitBestIter + 1 : fitIter;
  stf(fitInfo, I_BASE_SCORE, fitBase);
  stf(fitInfo, I_TREES, <f64>kept);
  stf(fitInfo, I_ITERATIONS, <f64>fitIter);
  stf(fitInfo, I_BEST_ITERATION, <f64>fitBestIter);
  stf(fitInfo, I_BEST_METRIC, fitBestMetric);
  stf(fitInfo, I_TRAIN_ROWS, <f64>nTrain);
  stf(fitInfo, I_VALID_ROWS, <f64>nValid);
  stf(fitInfo, I_TRAIN_GROUPS, <f64>nGroupsTrain);
  stf(fitInfo, I_VALID_GROUPS, <f64>nGroupsValid);
}

/** Copies labels and weights of the train and valid rows in, checking indices, values and disjointness. */
function gatherRows(nTotal: i32, y: usize, w: usize, trainRows: usize, validRows: usize): i32 {
  memory.fill(marks, 0, <usize>nTotal);
  let sw: f64 = 0;
  for (let i = 0; i < nTrain; i++) {
    const r = ldi(trainRows, i);
    if (r < 0 || r >= nTotal) return LEARN_BAD_SHAPE;
    stb(marks, r, 1);
    const yi = ldf(y, r);
    const wi = w == 0 ? 1.0 : ldf(w, r);
    if (!isFinite<f64>(yi) || !isFinite<f64>(wi) || wi < 0) return LEARN_NON_FINITE_LABEL;
    stf(yTrain, i, yi);
    stf(wTrain, i, wi);
    sw += wi;
  }
  if (!(sw > 0)) return LEARN_ZERO_WEIGHT;
  for (let i = 0; i < nValid; i++) {
    const r = ldi(validRows, i);
    if (r < 0 || r >= nTotal) return LEARN_BAD_SHAPE;
    if (ldb(marks, r) != 0) return LEARN_OVERLAP;
    const yi = ldf(y, r);
    const wi = w == 0 ? 1.0 : ldf(w, r);
    if (!isFinite<f64>(yi) || !isFinite<f64>(wi) || wi < 0) return LEARN_NON_FINITE_LABEL;
    stf(yValid, i, yi);
    stf(wValid, i, wi);
  }
  return LEARN_OK;
}

/** Group boundaries of an index set whose group ids never decrease; false when they do. */
function buildGroups(group: usize, rows: usize, n: i32, starts: usize, train: bool): bool {
  let count: i32 = 0;
  for (let i = 0; i < n; i++) {
    const g = ldi(group, ldi(rows, i));
    if (i > 0) {
      const prev = ldi(group, ldi(rows, i - 1));
      if (g < prev) return false;
      if (g == prev) continue;
    }
    sti(starts, count, i);
    count++;
  }
  sti(starts, count, n);
  if (train) setGroups(count, nGroupsValid);
  else setGroups(nGroupsTrain, count);
  return true;
}

/** Draws round(fraction * nTrain) rows without replacement, ascending (Knuth TAOCP vol. 2, 3.4.2, Algorithm S). */
function drawBag(fraction: f64): i32 {
  let want = <i32>Math.floor(fraction * <f64>nTrain + 0.5);
  if (want < 1) want = 1;
  let taken: i32 = 0;
  for (let i = 0; i < nTrain && taken < want; i++) {
    if (<f64>(nTrain - i) * nextUnit() < <f64>(want - taken)) {
      sti(bag, taken, i);
      taken++;
    }
  }
  return taken;
}

/** Picks round(fraction * p) features (at least 1) for the next tree, ascending, into `used`. */
function drawFeatures(fraction: f64): void {
  const p = nFeat;
  let k = <i32>Math.floor(fraction * <f64>p + 0.5);
  if (k < 1) k = 1;
  if (k > p) k = p;
  for (let f = 0; f < p; f++) sti(perm, f, f);
  if (k < p) {
    for (let i = 0; i < k; i++) {
      const j = i + nextBelow(p - i);
      const t = ldi(perm, i);
      sti(perm, i, ldi(perm, j));
      sti(perm, j, t);
    }
    for (let i = 1; i < k; i++) { // insertion sort of the k picks
      const v = ldi(perm, i);
      let j = i - 1;
      while (j >= 0 && ldi(perm, j) > v) {
        sti(perm, j + 1, ldi(perm, j));
        j--;
      }
      sti(perm, j + 1, v);
    }
  }
  memory.copy(used, perm, <usize>k << 2);
  setUsedCount(k);
}
