// The state of one GBDT fit: sizes, parameters and the addresses of its scratch columns, set by gbdtFit
// (gbdt.ts) before any tree is grown. Module globals because a fit is single-threaded and the kernels never
// allocate; internal only (not exported from the module).

// Sizes.
export let nTrain: i32 = 0;
export let nValid: i32 = 0;
export let nFeat: i32 = 0;
/** Histogram stride per feature: maxBins value bins + the missing bin. */
export let binStride: i32 = 0;
export let maxBins: i32 = 0;

// Parameters.
export let learningRate: f64 = 0;
export let maxLeaves: i32 = 0;
export let maxDepth: i32 = 0;
export let minData: i32 = 0;
export let minHess: f64 = 0;
export let lambdaL2: f64 = 0;
export let minGain: f64 = 0;

// Data (compacted train and valid rows).
export let numBins: usize = 0; // i32[p]
export let thresholds: usize = 0; // f64[p*maxBins]
export let binsTrain: usize = 0; // u8[nTrain*p], row-major
export let binsValid: usize = 0; // u8[nValid*p]
export let yTrain: usize = 0;
export let wTrain: usize = 0;
export let scoreTrain: usize = 0;
export let grad: usize = 0;
export let hess: usize = 0;
export let expScore: usize = 0; // f64[nTrain]: exp(sigma (score - the date's top score)), ranking only
export let yValid: usize = 0;
export let wValid: usize = 0;
export let scoreValid: usize = 0;

// Tree growth.
export let order: usize = 0; // i32[nTrain]: rows of leaf l are order[leafBegin[l] .. +leafCount[l]]
export let tmp: usize = 0; // i32[nTrain]
export let bag: usize = 0; // i32[nTrain]: the rows of the current bag, ascending
export let hist: usize = 0; // f64[maxLeaves * p * binStride * 2]: (sum grad, sum hess) per bin, one v128 each
export let histCount: usize = 0; // i32[maxLeaves * p * binStride]: rows per bin
export let used: usize = 0; // i32[p]: features of the current tree, ascending
export let nUsed: i32 = 0;
export let perm: usize = 0; // i32[p]
export let leafBegin: usize = 0;
export let leafCount: usize = 0;
export let leafDepth: usize = 0;
export let leafParent: usize = 0;
export let leafIsLeft: usize = 0;
export let leafSlot: usize = 0;
export let leafG: usize = 0;
export let leafH: usize = 0;
export let bestFeature: usize = 0;
export let bestBin: usize = 0;
export let bestNanLeft: usize = 0;
export let bestGain: usize = 0;

// Groups (dates) of the ranking objective and the rank-IC metric.
export let groupStartTrain: usize = 0; // i32[nGroupsTrain + 1]
export let nGroupsTrain: i32 = 0;
export let groupStartValid: usize = 0;
export let nGroupsValid: i32 = 0;
export let labelRankValid: usize = 0; // f64[nValid]
export let scoreRankValid: usize = 0; // f64[nValid]
export let rankIdx: usize = 0; // i32[nValid]

// Other scratch.
export let marks: usize = 0; // u8[nTotal]
export let binValues: usize = 0; // f64[min(nTrain, sampleCount)]

export function setSizes(t: i32, v: i32, p: i32, bins: i32): void {
  nTrain = t;
  nValid = v;
  nFeat = p;
  maxBins = bins;
  binStride = bins + 1;
}

export function setParams(lr: f64, leaves: i32, depth: i32, data: i32, hessMin: f64, lambda: f64, gainMin: f64): void {
  learningRate = lr;
  maxLeaves = leaves;
  maxDepth = depth;
  minData = data;
  minHess = hessMin;
  lambdaL2 = lambda;
  minGain = gainMin;
}

let cursor: usize = 0;

/** Reserves `bytes` bytes at the cursor, aligned to 16. */
function take(bytes: usize): usize {
  const at = (cursor + 15) & ~(<usize>15);
  cursor = at + bytes;
  return at;
}

/**
 * Lays the fit's scratch columns out from `base` (sizes and maxLeaves must be set) and returns the first address
 * past them; with base 0 that is the number of bytes gbdtFit needs.
 */
export function layoutScratch(base: usize, nTotal: i32, sampleCount: i32): usize {
  const t = <usize>nTrain;
  const v = <usize>nValid;
  const p = <usize>nFeat;
  const l = <usize>maxLeaves;
  cursor = base;
  numBins = take(p << 2);
  thresholds = take((p * <usize>maxBins) << 3);
  binsTrain = take(t * p);
  binsValid = take(v * p);
  yTrain = take(t << 3);
  wTrain = take(t << 3);
  scoreTrain = take(t << 3);
  grad = take(t << 3);
  hess = take(t << 3);
  expScore = take(t << 3);
  yValid = take(v << 3);
  wValid = take(v << 3);
  scoreValid = take(v << 3);
  order = take(t << 2);
  tmp = take(t << 2);
  bag = take(t << 2);
  hist = take((l * p * <usize>binStride) << 4);
  histCount = take((l * p * <usize>binStride) << 2);
  used = take(p << 2);
  perm = take(p << 2);
  leafBegin = take(l << 2);
  leafCount = take(l << 2);
  leafDepth = take(l << 2);
  leafParent = take(l << 2);
  leafIsLeft = take(l << 2);
  leafSlot = take(l << 2);
  leafG = take(l << 3);
  leafH = take(l << 3);
  bestFeature = take(l << 2);
  bestBin = take(l << 2);
  bestNanLeft = take(l << 2);
  bestGain = take(l << 3);
  groupStartTrain = take((t + 1) << 2);
  groupStartValid = take((v + 1) << 2);
  labelRankValid = take(v << 3);
  scoreRankValid = take(v << 3);
  rankIdx = take(v << 2);
  marks = take(<usize>nTotal);
  binValues = take(<usize>(nTrain < sampleCount ? nTrain : sampleCount) << 3);
  return take(0);
}

export function setUsedCount(n: i32): void {
  nUsed = n;
}

export function setGroups(train: i32, valid: i32): void {
  nGroupsTrain = train;
  nGroupsValid = valid;
}
