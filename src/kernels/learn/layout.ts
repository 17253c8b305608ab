/**
 * The learn kernels' buffer layout and status codes, mirrored from assembly/learn/layout.ts. `layoutDigest()`
 * folds every constant in the same order as the module's `learnLayoutDigest` export; the family checks the two
 * agree when it is created, so a stale build or a one-sided edit fails loudly instead of misreading buffers.
 */

/** Status codes of every learn export (0 ok), in code order. */
export const LEARN_STATUS_NAMES = [
  "ok", "bad_params", "bad_shape", "non_finite_label", "overlap", "groups_unsorted", "too_few_rows", "singular",
  "non_finite_feature", "zero_weight",
] as const;
export type LearnStatusName = (typeof LEARN_STATUS_NAMES)[number];

/** GBDT parameter block: f64 slots. */
export const PARAM = {
  objective: 0, numIterations: 1, learningRate: 2, numLeaves: 3, maxDepth: 4, minDataInLeaf: 5, minSumHessian: 6,
  lambdaL2: 7, minGainToSplit: 8, featureFraction: 9, baggingFraction: 10, baggingFreq: 11, seed: 12, maxBins: 13,
  earlyStoppingRounds: 14, metric: 15, rankPairsPerRow: 16, sigmoid: 17, binSampleCount: 18,
} as const;
export const PARAM_SLOTS = 19;

export const OBJECTIVE_CODE = { l2: 0, rank_pairwise: 1 } as const;
export const METRIC_CODE = { l2: 0, rank_ic: 1 } as const;

/** Forest pointer table: i32 slots, each the address of a struct-of-arrays column (see the AS file). */
export const FOREST = {
  treeNodeStart: 0, treeLeafStart: 1, nodeFeature: 2, nodeBin: 3, nodeNanLeft: 4, nodeLeft: 5, nodeRight: 6,
  nodeThreshold: 7, nodeGain: 8, leafValue: 9, leafWeight: 10, leafCount: 11,
} as const;
export const FOREST_SLOTS = 12;

/** Binning pointer table: i32 slots. */
export const BINS = { numBins: 0, thresholds: 1 } as const;
export const BIN_SLOTS = 2;

/** Fit info block: f64 slots. */
export const INFO = {
  baseScore: 0, trees: 1, iterations: 2, bestIteration: 3, bestMetric: 4, trainRows: 5, validRows: 6,
  trainGroups: 7, validGroups: 8,
} as const;
export const INFO_SLOTS = 9;

export function layoutDigest(): number {
  const values = [
    ...LEARN_STATUS_NAMES.map((_, code) => code),
    ...Object.values(PARAM), PARAM_SLOTS,
    OBJECTIVE_CODE.l2, OBJECTIVE_CODE.rank_pairwise, METRIC_CODE.l2, METRIC_CODE.rank_ic,
    ...Object.values(FOREST), FOREST_SLOTS,
    ...Object.values(BINS), BIN_SLOTS,
    ...Object.values(INFO), INFO_SLOTS,
  ];
  let h = 17;
  for (const v of values) h = (Math.imul(h, 31) + v) | 0;
  return h;
}

export function learnStatusName(code: number): LearnStatusName | `unknown_${number}` {
  return LEARN_STATUS_NAMES[code] ?? `unknown_${code}`;
}
