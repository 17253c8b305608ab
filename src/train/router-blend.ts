/**
 * The signal router's blend (configs/router.yml): which weights turn the models' predictions into one signal,
 * and the blend itself. With `stacker.enabled: true` a learned stacker in the lake wins (src/train/stacker/);
 * without one the configured `stacker.linear_weights`, then the plain `weights`, are used. Which one was used is
 * logged, because a router that silently fell back would look like a learned one in every report.
 */
import type { RouterConfig } from "../config/schemas/router.ts";
import type { Logger } from "../domain/logger.ts";
import type { LearnKernels } from "../kernels/learn/index.ts";
import type { ObjectStore } from "../lake/types.ts";
import { applyStacker, stackerFeatures, type StackerFit } from "./stacker/fit-stacker.ts";
import { readCurrentStacker, stackerFitOf } from "./stacker/stacker-file.ts";

export type RouterBlend =
  | { readonly source: "learned"; readonly inputs: readonly string[]; readonly fit: StackerFit; readonly stackerHash: string }
  | { readonly source: "stacker_linear_weights" | "router_weights"; readonly weights: Readonly<Record<string, number>>; readonly reason: string };

/** Picks the blend (learned stacker > stacker.linear_weights > weights) and logs which one and why. */
export async function resolveRouterBlend(store: ObjectStore, router: RouterConfig, logger: Logger, signal?: AbortSignal): Promise<RouterBlend> {
  const configured = (reason: string): RouterBlend => {
    const linear = router.stacker.linear_weights;
    return router.stacker.enabled && linear !== undefined
      ? { source: "stacker_linear_weights", weights: linear, reason }
      : { source: "router_weights", weights: router.weights, reason };
  };
  let blend: RouterBlend;
  if (!router.stacker.enabled) {
    blend = configured("stacker.enabled is false");
  } else {
    const stacker = await readCurrentStacker(store, signal);
    blend = stacker === undefined
      ? configured(`stacker.enabled is true but ${store.description} holds no learned stacker (train one with \`trademl trainer run\`)`)
      : { source: "learned", inputs: stacker.inputs, fit: stackerFitOf(stacker), stackerHash: stacker.hash };
  }
  if (blend.source === "learned") {
    logger.info(`router: using the learned ${blend.fit.model} stacker ${blend.stackerHash}`, {
      router_blend: blend.source, stacker: blend.stackerHash, ...(blend.fit.model === "gbdt" ? {} : { weights: blend.fit.weights }),
    });
  } else {
    logger.info(`router: using the configured ${blend.source === "stacker_linear_weights" ? "stacker.linear_weights" : "weights"} (${blend.reason})`, {
      router_blend: blend.source, weights: blend.weights,
    });
  }
  return blend;
}

export interface RouterPredictions {
  /** Model name → prediction per row (NaN: the model has none for that row). */
  readonly byModel: Readonly<Record<string, ArrayLike<number>>>;
  /** Date index per row, non-decreasing: inputs are ranked within their date. */
  readonly group: ArrayLike<number>;
}

/**
 * One signal per row. A learned stacker sees its inputs as it was trained (rank per date, a missing one at the
 * median rank). Configured weights follow `fallback`: best_available renormalises over the models with a
 * prediction, equal_weight averages them, none gives NaN when any weighted model is missing.
 */
export function blendPredictions(blend: RouterBlend, predictions: RouterPredictions, fallback: RouterConfig["fallback"], kernels?: LearnKernels): Float64Array {
  const n = predictions.group.length;
  const missing = new Float64Array(n).fill(Number.NaN);
  if (blend.source === "learned") {
    const features = stackerFeatures(blend.inputs.map((m) => predictions.byModel[m] ?? missing), predictions.group);
    return applyStacker(blend.fit, blend.inputs, features, kernels);
  }
  const models = Object.keys(blend.weights).filter((m) => (blend.weights[m] ?? 0) > 0);
  const ranked = stackerFeatures(models.map((m) => predictions.byModel[m] ?? missing), predictions.group);
  const present = models.map((m) => predictions.byModel[m] ?? missing);
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let sum = 0;
    let weight = 0;
    let count = 0;
    let absent = false;
    models.forEach((m, j) => {
      if (!Number.isFinite(present[j]?.[r] ?? Number.NaN)) {
        absent = true;
        return;
      }
      const w = fallback === "equal_weight" ? 1 : (blend.weights[m] ?? 0);
      sum += w * (ranked[j]?.[r] ?? 0);
      weight += w;
      count++;
    });
    out[r] = count === 0 || (absent && fallback === "none") || !(weight > 0) ? Number.NaN : sum / weight;
  }
  return out;
}
