// Shared layout of the learn kernels' buffers: status codes, the GBDT parameter block, the forest's pointer
// table and the fit's info block. Mirrored by src/kernels/learn/layout.ts (a test checks the two agree through
// learnLayoutDigest below).

// Status codes returned by every learn export (0 ok).
export const LEARN_OK: i32 = 0;
export const LEARN_BAD_PARAMS: i32 = 1;
export const LEARN_BAD_SHAPE: i32 = 2;
export const LEARN_NON_FINITE_LABEL: i32 = 3;
export const LEARN_OVERLAP: i32 = 4;
export const LEARN_GROUPS_UNSORTED: i32 = 5;
export const LEARN_TOO_FEW_ROWS: i32 = 6;
export const LEARN_SINGULAR: i32 = 7;
export const LEARN_NON_FINITE_FEATURE: i32 = 8;
export const LEARN_ZERO_WEIGHT: i32 = 9;

// GBDT parameter block: f64 slots.
export const P_OBJECTIVE: i32 = 0; // 0 = l2, 1 = rank_pairwise
export const P_NUM_ITERATIONS: i32 = 1;
export const P_LEARNING_RATE: i32 = 2;
export const P_NUM_LEAVES: i32 = 3;
export const P_MAX_DEPTH: i32 = 4; // <= 0: no limit
export const P_MIN_DATA_IN_LEAF: i32 = 5;
export const P_MIN_SUM_HESSIAN: i32 = 6;
export const P_LAMBDA_L2: i32 = 7;
export const P_MIN_GAIN_TO_SPLIT: i32 = 8;
export const P_FEATURE_FRACTION: i32 = 9;
export const P_BAGGING_FRACTION: i32 = 10;
export const P_BAGGING_FREQ: i32 = 11;
export const P_SEED: i32 = 12;
export const P_MAX_BINS: i32 = 13;
export const P_EARLY_STOPPING_ROUNDS: i32 = 14; // 0: off
export const P_METRIC: i32 = 15; // 0 = l2, 1 = rank_ic
export const P_RANK_PAIRS_PER_ROW: i32 = 16; // 0: every pair of the group
export const P_SIGMOID: i32 = 17;
export const P_BIN_SAMPLE_COUNT: i32 = 18;
export const PARAM_SLOTS: i32 = 19;

export const OBJECTIVE_L2: i32 = 0;
export const OBJECTIVE_RANK: i32 = 1;
export const METRIC_L2: i32 = 0;
export const METRIC_RANK_IC: i32 = 1;

// Forest pointer table: i32 slots, each the address of one struct-of-arrays column. Trees are stored back to
// back: tree t owns nodes treeNodeStart[t]..treeNodeStart[t+1]-1 and leaves treeLeafStart[t]..[t+1]-1. A child
// >= 0 is a node index local to its tree; a child < 0 is the leaf ~child (local to its tree).
export const F_TREE_NODE_START: i32 = 0; // i32[trees + 1]
export const F_TREE_LEAF_START: i32 = 1; // i32[trees + 1]
export const F_NODE_FEATURE: i32 = 2; // i32[nodes]
export const F_NODE_BIN: i32 = 3; // i32[nodes]: left when bin <= this
export const F_NODE_NAN_LEFT: i32 = 4; // i32[nodes]: 1 when missing values go left
export const F_NODE_LEFT: i32 = 5; // i32[nodes]
export const F_NODE_RIGHT: i32 = 6; // i32[nodes]
export const F_NODE_THRESHOLD: i32 = 7; // f64[nodes]: left when value <= this (the bin's upper bound)
export const F_NODE_GAIN: i32 = 8; // f64[nodes]
export const F_LEAF_VALUE: i32 = 9; // f64[leaves], learning rate included
export const F_LEAF_WEIGHT: i32 = 10; // f64[leaves]: sum of hessians
export const F_LEAF_COUNT: i32 = 11; // i32[leaves]: training rows
export const FOREST_SLOTS: i32 = 12;

// Binning pointer table: i32 slots.
export const B_NUM_BINS: i32 = 0; // i32[features]: value bins (the missing bin is numBins)
export const B_THRESHOLDS: i32 = 1; // f64[features * maxBins]: feature f's numBins-1 upper bounds at f*maxBins
export const BIN_SLOTS: i32 = 2;

// Fit info block: f64 slots.
export const I_BASE_SCORE: i32 = 0;
export const I_TREES: i32 = 1; // trees kept (best iteration + 1 with early stopping)
export const I_ITERATIONS: i32 = 2; // iterations run
export const I_BEST_ITERATION: i32 = 3; // 0-based; -1 without a validation set
export const I_BEST_METRIC: i32 = 4;
export const I_TRAIN_ROWS: i32 = 5;
export const I_VALID_ROWS: i32 = 6;
export const I_TRAIN_GROUPS: i32 = 7;
export const I_VALID_GROUPS: i32 = 8;
export const INFO_SLOTS: i32 = 9;

/**
 * One number over every layout constant above, in declaration order (h = 31 h + value, wrapping), so the host can
 * check that its mirror (src/kernels/learn/layout.ts) was built from the same layout.
 */
export function learnLayoutDigest(): i32 {
  let h: i32 = 17;
  h = h * 31 + LEARN_OK;
  h = h * 31 + LEARN_BAD_PARAMS;
  h = h * 31 + LEARN_BAD_SHAPE;
  h = h * 31 + LEARN_NON_FINITE_LABEL;
  h = h * 31 + LEARN_OVERLAP;
  h = h * 31 + LEARN_GROUPS_UNSORTED;
  h = h * 31 + LEARN_TOO_FEW_ROWS;
  h = h * 31 + LEARN_SINGULAR;
  h = h * 31 + LEARN_NON_FINITE_FEATURE;
  h = h * 31 + LEARN_ZERO_WEIGHT;
  h = h * 31 + P_OBJECTIVE;
  h = h * 31 + P_NUM_ITERATIONS;
  h = h * 31 + P_LEARNING_RATE;
  h = h * 31 + P_NUM_LEAVES;
  h = h * 31 + P_MAX_DEPTH;
  h = h * 31 + P_MIN_DATA_IN_LEAF;
  h = h * 31 + P_MIN_SUM_HESSIAN;
  h = h * 31 + P_LAMBDA_L2;
  h = h * 31 + P_MIN_GAIN_TO_SPLIT;
  h = h * 31 + P_FEATURE_FRACTION;
  h = h * 31 + P_BAGGING_FRACTION;
  h = h * 31 + P_BAGGING_FREQ;
  h = h * 31 + P_SEED;
  h = h * 31 + P_MAX_BINS;
  h = h * 31 + P_EARLY_STOPPING_ROUNDS;
  h = h * 31 + P_METRIC;
  h = h * 31 + P_RANK_PAIRS_PER_ROW;
  h = h * 31 + P_SIGMOID;
  h = h * 31 + P_BIN_SAMPLE_COUNT;
  h = h * 31 + PARAM_SLOTS;
  h = h * 31 + OBJECTIVE_L2;
  h = h * 31 + OBJECTIVE_RANK;
  h = h * 31 + METRIC_L2;
  h = h * 31 + METRIC_RANK_IC;
  h = h * 31 + F_TREE_NODE_START;
  h = h * 31 + F_TREE_LEAF_START;
  h = h * 31 + F_NODE_FEATURE;
  h = h * 31 + F_NODE_BIN;
  h = h * 31 + F_NODE_NAN_LEFT;
  h = h * 31 + F_NODE_LEFT;
  h = h * 31 + F_NODE_RIGHT;
  h = h * 31 + F_NODE_THRESHOLD;
  h = h * 31 + F_NODE_GAIN;
  h = h * 31 + F_LEAF_VALUE;
  h = h * 31 + F_LEAF_WEIGHT;
  h = h * 31 + F_LEAF_COUNT;
  h = h * 31 + FOREST_SLOTS;
  h = h * 31 + B_NUM_BINS;
  h = h * 31 + B_THRESHOLDS;
  h = h * 31 + BIN_SLOTS;
  h = h * 31 + I_BASE_SCORE;
  h = h * 31 + I_TREES;
  h = h * 31 + I_ITERATIONS;
  h = h * 31 + I_BEST_ITERATION;
  h = h * 31 + I_BEST_METRIC;
  h = h * 31 + I_TRAIN_ROWS;
  h = h * 31 + I_VALID_ROWS;
  h = h * 31 + I_TRAIN_GROUPS;
  h = h * 31 + I_VALID_GROUPS;
  h = h * 31 + INFO_SLOTS;
  return h;
}
