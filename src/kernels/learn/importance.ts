/** Feature importance of a GBDT: split counts and total gain per feature (LightGBM's "split" and "gain"). */
import type { GbdtModel } from "./types.ts";

export interface FeatureImportance {
  readonly feature: string;
  readonly splits: number;
  readonly gain: number;
}

/** One entry per feature, in the model's feature order. */
export function featureImportance(model: GbdtModel): FeatureImportance[] {
  const splits = new Float64Array(model.features.length);
  const gain = new Float64Array(model.features.length);
  const { nodeFeature, nodeGain } = model.forest;
  for (let k = 0; k < nodeFeature.length; k++) {
    const f = nodeFeature[k] ?? 0;
    splits[f] = (splits[f] ?? 0) + 1;
    gain[f] = (gain[f] ?? 0) + (nodeGain[k] ?? 0);
  }
  return model.features.map((feature, f) => ({ feature, splits: splits[f] ?? 0, gain: gain[f] ?? 0 }));
}
