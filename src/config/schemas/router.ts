/**
 * configs/router.yml: how the signal router blends per-model predictions. After the original system's
 * `configs/router.yml`: fixed weights, or a stacker whose linear weights are either given here or learned
 * out-of-fold over CPCV (Phase 6 "learned meta-blender").
 */
import { z } from "zod";
import { positiveInt, snakeName } from "./common.ts";

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
        enabled: z.boolean().default(false),
        model: z.enum(["linear", "ridge"]).default("linear").describe("meta-model trained on out-of-fold predictions"),
        folds: positiveInt.min(2).max(64).default(8).describe("CPCV folds for the out-of-fold predictions"),
        linear_weights: weights.optional().describe("fixed stacker weights; when set, nothing is learned"),
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
