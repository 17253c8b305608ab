/**
 * configs/training/<model>.yml: one file per model the Windows trainer fits and gates. After the original
 * system's `configs/training/*.yml`. CPCV is combinatorial purged cross-validation (López de Prado,
 * "Advances in Financial Machine Learning", 2018, ch. 12); DSR is the deflated Sharpe ratio (Bailey &
 * López de Prado, 2014) and PBO the probability of backtest overfitting (Bailey et al., 2017).
 */
import { z } from "zod";
import { binomial, MAX_COMBINATIONS } from "../../validate/cpcv.ts";
import { isoDate, positiveInt, ratio, snakeName } from "./common.ts";
import { crossSectionDatasetSchema, optionsVolDatasetSchema } from "./dataset.ts";
import { equitiesBacktestSchema } from "./equities-backtest.ts";
import { gbdtParamsSchema, ridgeParamsSchema } from "./model.ts";

/** A lake table by its manifest name: `curated/<t>`, `reference/<t>` or `qc/<t>` (what a model may read). */
const lakeTable = z
  .string()
  .regex(/^(curated|reference|qc)\/[a-z][a-z0-9_]*$/, "expected a lake table such as curated/equities_ohlcv_adj (curated/, reference/ or qc/ and a snake_case name)");

const regimeMask = z
  .strictObject({
    name: z.string().min(1).max(64),
    from: isoDate.optional().describe("first day of the regime (open-ended when absent)"),
    to: isoDate.optional().describe("last day of the regime (open-ended when absent)"),
    use_for: z
      .enum(["fit_and_validate", "stress_only", "monitor_only"])
      .describe("fit_and_validate: train and CPCV; stress_only: stress tests only; monitor_only: live monitoring only"),
  })
  .refine((mask) => mask.from === undefined || mask.to === undefined || mask.from <= mask.to, {
    message: "from must not be after to",
    path: ["to"],
  });

type RegimeMask = z.infer<typeof regimeMask>;

/** Regimes must not overlap, or one day would be both fitted on and held out. ISO dates compare as strings. */
function overlappingPair(masks: readonly RegimeMask[]): [number, number] | undefined {
  for (let i = 0; i < masks.length; i++) {
    for (let j = i + 1; j < masks.length; j++) {
      const a = masks[i];
      const b = masks[j];
      if (a === undefined || b === undefined) continue;
      const aStart = a.from ?? "0000-01-01";
      const aEnd = a.to ?? "9999-12-31";
      const bStart = b.from ?? "0000-01-01";
      const bEnd = b.to ?? "9999-12-31";
      if (aStart <= bEnd && bStart <= aEnd) return [i, j];
    }
  }
  return undefined;
}

/**
 * A model configuration the trainer evaluates by CPCV. Every candidate of every run is a trial for the deflated
 * Sharpe ratio and a column of the PBO matrix; the best by out-of-fold net Sharpe becomes the run's model.
 */
const candidate = z.discriminatedUnion("kind", [
  z.strictObject({
    name: snakeName.describe("the candidate's name in logs and MLflow"),
    kind: z.literal("ridge"),
    params: ridgeParamsSchema.prefault({}),
  }),
  z.strictObject({
    name: snakeName.describe("the candidate's name in logs and MLflow"),
    kind: z.literal("gbdt"),
    params: gbdtParamsSchema.prefault({}),
    valid_share: z
      .number()
      .gt(0)
      .max(0.5)
      .default(0.15)
      .describe("share of each split's training dates (its latest) held out for early stopping, purged from the rest; never a CPCV test fold"),
  }),
]);

const trainingShape = {
  dependencies: z
    .array(lakeTable)
    .min(1)
    .describe(
      "lake tables the model reads (e.g. curated/equities_ohlcv_adj): each must exist, and one fed by an audited raw dataset must pass the audit's GREEN window (backfill.yml qc.green_min_ratio over horizons.<dataset>.train_window_years)",
    ),
  dataset: crossSectionDatasetSchema,
  cpcv: z
    .strictObject({
      folds: positiveInt.min(3).max(64).default(8).describe("groups the timeline is split into (skfolio n_folds, at least 3)"),
      test_folds: positiveInt
        .min(2)
        .default(2)
        .describe("groups held out per split (skfolio n_test_folds): at least 2, as combinatorial CV requires; fewer than folds"),
      purge_days: z
        .number()
        .int()
        .min(0)
        .max(365)
        .default(5)
        .describe("trading days dropped from the training set before and after each test group (skfolio purged_size)"),
      purge_label_horizon: z
        .boolean()
        .default(true)
        .describe("also purge a training day whose label's horizon overlaps a test group's (AFML 7.4.1); either rule purges"),
      embargo_days: z
        .number()
        .int()
        .min(0)
        .max(365)
        .default(10)
        .describe("further trading days dropped after each test group (skfolio embargo_size)"),
    })
    .refine((cpcv) => cpcv.test_folds < cpcv.folds, { message: "test_folds must be smaller than folds", path: ["test_folds"] })
    .refine((cpcv) => binomial(cpcv.folds, cpcv.test_folds) <= MAX_COMBINATIONS, {
      message: `folds choose test_folds must not exceed ${MAX_COMBINATIONS} splits (skfolio's limit)`,
      path: ["test_folds"],
    })
    .prefault({}),
  scoring: z
    .strictObject({
      quantiles: positiveInt
        .min(2)
        .max(100)
        .default(5)
        .describe("quantiles of the fold-scoring long-short return: the top one minus the bottom one (5: quintiles)"),
      periods_per_year: z
        .number()
        .positive()
        .max(100_000)
        .default(252)
        .describe("periods per year that annualise the path Sharpe ratios of fold scoring (252 trading days)"),
    })
    .prefault({}),
  time_decay: z
    .strictObject({
      half_life_months: z.number().positive().max(600).default(18).describe("sample weight halves every this many months"),
    })
    .prefault({}),
  regime_masks: z
    .array(regimeMask)
    .default(() => [
      { name: "pre-2012", to: "2011-12-31", use_for: "stress_only" as const },
      { name: "2012-2016", from: "2012-01-01", to: "2015-12-31", use_for: "fit_and_validate" as const },
      { name: "2016-2024", from: "2016-01-01", to: "2024-12-31", use_for: "fit_and_validate" as const },
      { name: "2025+", from: "2025-01-01", use_for: "monitor_only" as const },
    ])
    .superRefine((masks, ctx) => {
      const pair = overlappingPair(masks);
      if (pair) ctx.addIssue({ code: "custom", path: [pair[1]], message: `regime overlaps regime #${pair[0] + 1}` });
      if (new Set(masks.map((mask) => mask.name)).size !== masks.length) {
        ctx.addIssue({ code: "custom", message: "regime names must be unique" });
      }
    }),
  candidates: z
    .array(candidate)
    .min(1)
    .max(32)
    .prefault(() => [
      { name: "ridge", kind: "ridge" as const, params: { lambda: 10 } },
      {
        name: "gbdt",
        kind: "gbdt" as const,
        params: { num_iterations: 200, learning_rate: 0.05, num_leaves: 15, min_data_in_leaf: 50, feature_fraction: 0.8, early_stopping_rounds: 20 },
        valid_share: 0.15,
      },
    ])
    .superRefine((list, ctx) => {
      if (new Set(list.map((c) => c.name)).size !== list.length) ctx.addIssue({ code: "custom", message: "candidate names must be unique" });
    })
    .describe("model configurations evaluated by CPCV (ridge and gbdt parameters as docs/learn.md); at least two make PBO meaningful"),
  backtest: equitiesBacktestSchema,
  promotion_bars: z
    .strictObject({
      dsr_min: ratio
        .default(0.95)
        .describe(
          "lowest deflated Sharpe ratio a candidate may have: a probability in [0, 1] (the probability that the true Sharpe ratio exceeds the expected maximum of the trials under no skill)",
        ),
      pbo_max: ratio.default(0.05).describe("highest probability of backtest overfitting"),
      net_sharpe_min: z.number().min(-10).max(10).default(1).describe("lowest annualised Sharpe after costs"),
      calibration_ece_max: ratio
        .default(0.05)
        .describe("highest expected calibration error of P(forward return > 0), a monotone map of the score fitted out of fold"),
    })
    .prefault({}),
  promotion_policy: z
    .strictObject({
      require_shadow_days: z
        .number()
        .int()
        .min(0)
        .max(365)
        .default(20)
        .describe("trading days a candidate must run in shadow before promotion (0 = promote at once)"),
    })
    .prefault({}),
};

export const trainingSchema = z.strictObject(trainingShape);

/** The options volatility model adds a surface-quality bar: the share of SVI fits that passed QC. */
export const optionsVolTrainingSchema = z.strictObject({
  ...trainingShape,
  dataset: optionsVolDatasetSchema,
  min_surface_qc_rate: ratio
    .default(0.95)
    .describe("data gate: share of SVI surfaces that passed QC over the panel's dates; an underlier-day below it is left out of the panel"),
});

export type TrainingConfig = z.infer<typeof trainingSchema>;
export type OptionsVolTrainingConfig = z.infer<typeof optionsVolTrainingSchema>;

/** A cross-sectional model's config (equities_xs, intraday_xs) rather than options_vol's. */
export function isCrossSectionTraining(config: TrainingConfig | OptionsVolTrainingConfig): config is TrainingConfig {
  return "universe" in config.dataset;
}
