/**
 * Model parameters of the learn kernels (src/kernels/learn/): ridge regression and the histogram GBDT. The
 * training config embeds one of these (`model:` in configs/training/<model>.yml, wired by the trainer); the
 * façade parses what it is given with the same schemas, so the defaults live here and nowhere else. GBDT names
 * follow LightGBM's parameters (https://lightgbm.readthedocs.io/en/latest/Parameters.html) where one exists, so
 * a setting can be compared with LightGBM's like for like. See docs/learn.md.
 */
import { z } from "zod";
import { nonNegativeInt, positiveInt } from "./common.ts";

// zod 4 numbers are finite (NaN and Infinity fail).
const finite = z.number();
const fraction = z.number().gt(0).max(1);

export const ridgeParamsSchema = z.strictObject({
  lambda: finite
    .min(0)
    .max(1e12)
    .default(1)
    .describe("L2 penalty on the standardised coefficients (weights rescaled to mean 1); the intercept is not penalised"),
});

export const gbdtParamsSchema = z.strictObject({
  objective: z
    .enum(["l2", "rank_pairwise"])
    .default("l2")
    .describe("l2: squared error; rank_pairwise: pairwise ranking within each group (date), LambdaRank-style"),
  num_iterations: positiveInt.max(1_000_000).default(100).describe("boosting rounds (trees) at most"),
  learning_rate: finite.gt(0).max(10).default(0.1).describe("shrinkage applied to every leaf value"),
  num_leaves: z.number().int().min(2).max(65_536).default(31).describe("leaves per tree at most (leaf-wise growth)"),
  max_depth: z.number().int().min(-1).max(1024).default(-1).describe("depth limit of a tree; -1 or 0: none"),
  min_data_in_leaf: positiveInt.default(20).describe("rows a leaf must keep"),
  min_sum_hessian: finite.min(0).default(1e-3).describe("sum of hessians a leaf must keep (LightGBM min_sum_hessian_in_leaf)"),
  lambda_l2: finite.min(0).default(0).describe("L2 penalty on leaf values"),
  min_gain_to_split: finite.min(0).default(0).describe("a split must gain more than this"),
  feature_fraction: fraction.default(1).describe("share of the features each tree may use, drawn per tree from the seed"),
  bagging_fraction: fraction.default(1).describe("share of the train rows each tree sees, drawn from the seed"),
  bagging_freq: nonNegativeInt.default(0).describe("redraw the bag every this many trees; 0: no bagging"),
  seed: nonNegativeInt.max(Number.MAX_SAFE_INTEGER).default(0).describe("seed of every random draw; same seed, same model"),
  max_bins: z.number().int().min(2).max(255).default(255).describe("value bins per feature; missing values get one more"),
  bin_sample_count: positiveInt.default(200_000).describe("train rows sampled to place the bin edges (LightGBM bin_construct_sample_cnt)"),
  early_stopping_rounds: nonNegativeInt
    .default(0)
    .describe("stop when the validation metric has not improved for this many trees (needs validation rows); 0: off"),
  metric: z
    .enum(["auto", "l2", "rank_ic"])
    .default("auto")
    .describe("validation metric for early stopping; auto: l2 for the l2 objective, rank_ic for rank_pairwise"),
  rank_pairs_per_row: nonNegativeInt
    .max(1_000_000)
    .default(32)
    .describe("rank_pairwise: partners drawn per row and iteration within its group; 0: every pair"),
  sigmoid: finite.gt(0).max(100).default(1).describe("rank_pairwise: the logistic's scale sigma (LightGBM sigmoid)"),
});

export type RidgeParams = z.infer<typeof ridgeParamsSchema>;
export type RidgeParamsInput = z.input<typeof ridgeParamsSchema>;
export type GbdtParams = z.infer<typeof gbdtParamsSchema>;
export type GbdtParamsInput = z.input<typeof gbdtParamsSchema>;
