/**
 * What the models see: every feature rank-normalised within its date (src/train/rank-normalise.ts), a missing
 * value set to 0 (the cross-section's median rank). Cross-sectional models care about a name's place in the day's
 * cross-section, not the level of its momentum; ranks make ridge insensitive to outliers and give it the complete
 * rows it needs. The same transform runs at prediction time (it needs only the day's cross-section).
 */
import type { LearnPanel } from "../kernels/learn/types.ts";
import type { Dataset } from "./dataset.ts";
import { rankNormalise } from "./rank-normalise.ts";

export const FEATURE_TRANSFORM = "rank_per_date_nan_to_0";

export function modelPanel(dataset: Pick<Dataset, "featureNames" | "features" | "label" | "weight" | "group">): LearnPanel & { readonly features: readonly Float64Array[] } {
  const features = dataset.features.map((column) => {
    const ranked = rankNormalise(column, dataset.group);
    for (let i = 0; i < ranked.length; i++) if (!Number.isFinite(ranked[i] ?? Number.NaN)) ranked[i] = 0;
    return ranked;
  });
  return { featureNames: dataset.featureNames, features, label: dataset.label, weight: dataset.weight, group: dataset.group };
}
