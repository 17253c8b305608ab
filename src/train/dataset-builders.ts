/**
 * Which dataset builder a model trains on: the one place the trainer and the shadow scorer dispatch on the model.
 * A model key is its configs/training/<key>.yml; a key that names no dataset (a second equities configuration,
 * a test's own key) builds equities_xs, as the trainer always has.
 */
import type { TrainingConfig } from "../config/schemas/training.ts";
import type { LakeAccess } from "../lake/lake-access.ts";
import type { Dataset, DatasetBuildOptions, DatasetModel } from "./dataset.ts";
import { buildEquitiesXs } from "./equities-xs.ts";
import { buildIntradayXs } from "./intraday-xs.ts";

export type DatasetBuilder = (lake: LakeAccess, config: Pick<TrainingConfig, "dataset" | "time_decay">, options?: DatasetBuildOptions) => Promise<Dataset>;

/** The cross-sectional datasets the trainer builds (options_vol trains on surfaces, not on this schema). */
export const CROSS_SECTION_BUILDERS = {
  equities_xs: buildEquitiesXs,
  intraday_xs: buildIntradayXs,
} as const satisfies Partial<Record<DatasetModel, DatasetBuilder>>;

export type CrossSectionDataset = keyof typeof CROSS_SECTION_BUILDERS;

function isCrossSectionDataset(model: string): model is CrossSectionDataset {
  return Object.hasOwn(CROSS_SECTION_BUILDERS, model);
}

export function crossSectionDatasetOf(model: string): CrossSectionDataset {
  return isCrossSectionDataset(model) ? model : "equities_xs";
}
