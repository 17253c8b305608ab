/**
 * configs/router.yml: how the signal router blends per-model predictions. After the original system's
 * `configs/router.yml`: fixed weights, or a stacker learned on the models' out-of-fold CPCV predictions (Phase 6
 * "learned meta-blender"), with `linear_weights` as its configured fallback (src/router/, docs/training.md).
 */
import { z } from "zod";
import { positiveInt, snakeName } from "./common.ts";
import { gbdtParamsSchema } from "./model.ts";

const weights = z.record(snakeName, z.number().min(0).max(1000));

export const routerSchema = z
  .strictObject({
    fallback: z
      .enum(["best_available", "equal_weight", "none"])
      .default("best_available")
      .describe("what to do when a model has no prediction: reweight over the rest, weigh all equally, or emit none"),
    weights: weights
      .default(() => ({ equities_xs: 0.6, intraday_xs: 0.3, options_vol: 0.1 }))
      .describe("per-model blend weights (normalised at use)"),
    stacker: z
      .strictObject({
        enabled: z
          .boolean()
          .default(false)
          .describe("learn the blend: `trainer run` fits the stacker and the router uses its weights (else linear_weights, else weights)"),
        model: z
          .enum(["nnls", "ridge", "gbdt"])
          .default("nnls")
          .describe("meta-model on the models' out-of-fold CPCV predictions: non-negative least squares, ridge, or a small GBDT"),
        ridge_lambda: z.number().min(0).max(1e12).default(1).describe("ridge: L2 penalty on the standardised weights"),
        gbdt: gbdtParamsSchema
          .prefault({ num_iterations: 50, learning_rate: 0.05, num_leaves: 4, min_data_in_leaf: 200 })
          .describe("gbdt: a deliberately small tree model (a few inputs, many rows)"),
        folds: positiveInt
          .min(2)
          .max(64)
          .default(8)
          .describe("date blocks over which the stacker itself is cross-fitted: its out-of-sample rank IC is reported beside each input's"),
        linear_weights: weights.optional().describe("configured stacker weights: used when no learned stacker is in the lake"),
      })
      .prefault({}),
  })
  .superRefine((router, ctx) => {
    const total = Object.values(router.weights).reduce((sum, w) => sum + w, 0);
    if (!(total > 0)) ctx.addIssue({ code: "custom", path: ["weights"], message: "at least one weight must be positive" });
    for (const model of Object.keys(router.stacker.linear_weights ?? {})) {
      if (!(model in router.weights)) {
        ctx.addIssue({
          code: "custom",
          path: ["stacker", "linear_weights", model],
          message: `model "${model}" has a stacker weight but no entry under weights`,
        });
      }
    }
  });

export type RouterConfig = z.infer<typeof routerSchema>;
