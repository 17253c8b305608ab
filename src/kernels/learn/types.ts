/**
 * The shapes the learn kernels take and return: a feature/label panel in struct-of-arrays form, explicit row
 * index sets, and the fitted models. A model is plain data (typed arrays and numbers): model-file.ts turns it
 * into a versioned, self-describing file and back.
 */
import type { GbdtParams, RidgeParams } from "../../config/schemas/model.ts";

/** A panel: one row per (date, name), one column per feature. */
export interface LearnPanel {
  /** Feature names, one per column of `features` (unique). */
  readonly featureNames: readonly string[];
  /** One column per feature, each as long as `label`; NaN marks a missing value. */
  readonly features: readonly ArrayLike<number>[];
  readonly label: ArrayLike<number>;
  /** Sample weights (>= 0); unit weights when absent. */
  readonly weight?: ArrayLike<number>;
  /**
   * Group (date) id per row, integers that never decrease along the rows of an index set: required by the
   * rank_pairwise objective and the rank_ic metric, where a group is one date's cross-section.
   */
  readonly group?: ArrayLike<number>;
}

/** The features of rows to predict: the panel without labels. Columns are matched to a model by name. */
export type FeaturePanel = Pick<LearnPanel, "featureNames" | "features">;

/**
 * Which rows train and which validate. `valid` is the inner holdout for early stopping: carved (and purged) from
 * the training folds by the caller, never a CPCV test fold; the two sets must be disjoint.
 */
export interface RowSplit {
  readonly train: ArrayLike<number>;
  readonly valid?: ArrayLike<number>;
}

/** Trees back to back in struct-of-arrays form (assembly/learn/layout.ts, F_*). */
export interface Forest {
  readonly trees: number;
  /** Tree t owns nodes treeNodeStart[t] .. treeNodeStart[t+1]-1. */
  readonly treeNodeStart: Int32Array;
  /** Tree t owns leaves treeLeafStart[t] .. treeLeafStart[t+1]-1. */
  readonly treeLeafStart: Int32Array;
  readonly nodeFeature: Int32Array;
  /** A row goes left when its bin is <= nodeBin (value <= nodeThreshold). */
  readonly nodeBin: Int32Array;
  /** 1 when missing values go left. */
  readonly nodeNanLeft: Int32Array;
  /** Children local to the tree: >= 0 a node, < 0 the leaf ~child. */
  readonly nodeLeft: Int32Array;
  readonly nodeRight: Int32Array;
  /** The split bin's upper bound (Infinity when the split separates values from missing ones). */
  readonly nodeThreshold: Float64Array;
  readonly nodeGain: Float64Array;
  /** Leaf values, learning rate included. */
  readonly leafValue: Float64Array;
  /** Sum of hessians in the leaf at training time. */
  readonly leafWeight: Float64Array;
  readonly leafCount: Int32Array;
}

/** Bin upper bounds per feature: feature f has thresholds[f].length + 1 value bins, and a missing bin. */
export interface Binning {
  readonly maxBins: number;
  readonly thresholds: readonly Float64Array[];
}

export interface RidgeModel {
  readonly kind: "ridge";
  readonly features: readonly string[];
  readonly params: RidgeParams;
  /** Weighted mean and standard deviation of each feature on the train rows (scale 0: constant, coef 0). */
  readonly mean: Float64Array;
  readonly scale: Float64Array;
  /** Coefficients on the raw feature scale: prediction = intercept + sum coef[j] x[j]. */
  readonly coef: Float64Array;
  /** Coefficients on the standardised scale (the penalised ones). */
  readonly stdCoef: Float64Array;
  readonly intercept: number;
  readonly training: { readonly trainRows: number };
}

export interface GbdtTraining {
  readonly trainRows: number;
  readonly validRows: number;
  readonly trainGroups: number;
  readonly validGroups: number;
  /** Trees grown; the model keeps `forest.trees` of them (fewer after early stopping). */
  readonly iterations: number;
  /** The validation metric, or null without validation rows. */
  readonly metric: "l2" | "rank_ic" | null;
  /** 0-based iteration with the best validation metric, or null. */
  readonly bestIteration: number | null;
  readonly bestMetric: number | null;
  /** The validation metric after each iteration (null where it was undefined). */
  readonly validCurve: readonly (number | null)[];
}

export interface GbdtModel {
  readonly kind: "gbdt";
  readonly features: readonly string[];
  readonly params: GbdtParams;
  readonly baseScore: number;
  readonly binning: Binning;
  readonly forest: Forest;
  readonly training: GbdtTraining;
}

export type LearnModel = RidgeModel | GbdtModel;
