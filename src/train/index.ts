/** Training datasets: point-in-time feature/label panels from the curated lake (docs/training.md, "Datasets"). */
export type { Dataset, DatasetBuildOptions, DatasetModel } from "./dataset.ts";
export { buildEquitiesXs } from "./equities-xs.ts";
export { rankNormalise } from "./rank-normalise.ts";
export { timeDecayWeights } from "./time-decay.ts";
