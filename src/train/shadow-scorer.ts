/**
 * The daily shadow score (`trademl models shadow-score --date D`): each version's live prediction for session D
 * is its model applied to D's cross-section (the same point-in-time features and transform as in training),
 * scored by its rank IC (fold scoring's definition, kernels/fold-scoring) against D's forward return once that return is known
 * (equities_xs: after the next session's close; intraday_xs: after D's close).
 * Higher is better, as the promotion model expects.
 */
import type { TrainingConfig } from "../config/schemas/training.ts";
import { DataError } from "../domain/errors.ts";
import { scoreFoldsReference } from "../kernels/fold-scoring/reference.ts";
import { deserialiseModel, type LearnKernels } from "../kernels/learn/index.ts";
import type { LakeAccess } from "../lake/lake-access.ts";
import { downloadArtifact } from "../mlflow/artifacts.ts";
import type { MlflowClient } from "../mlflow/client.ts";
import type { ShadowScores, ShadowTarget } from "../mlflow/promotion/operations.ts";
import type { ModelVersion } from "../mlflow/schemas.ts";
import { CROSS_SECTION_BUILDERS, type CrossSectionDataset } from "./dataset-builders.ts";
import { modelPanel } from "./model-features.ts";

/** The day's rank IC, as fold scoring defines it (average ranks, Pearson on ranks): one row of one path. */
function rankIc(predictions: Float64Array, outcomes: Float64Array): number {
  const scores = scoreFoldsReference({
    names: predictions.length, predictions, outcomes, rowDate: Int32Array.of(0), rowPath: Int32Array.of(0), paths: 1,
  });
  return scores.rankIc[0] ?? Number.NaN;
}

export function shadowScorer(
  lake: LakeAccess,
  client: MlflowClient,
  training: TrainingConfig,
  kernels: LearnKernels,
  datasetKind: CrossSectionDataset = "equities_xs",
): (target: ShadowTarget) => Promise<ShadowScores> {
  return async (target) => {
    const dataset = await CROSS_SECTION_BUILDERS[datasetKind](lake, training, { from: target.session, to: target.session });
    if (dataset.label.length < 2) {
      throw new DataError(
        "shadow_session_not_scorable",
        `session ${target.session} has ${dataset.label.length} labelled names in the lake: its label is known only once its horizon has ended (${datasetKind}: ${datasetKind === "intraday_xs" ? "that session's close" : "the next session's close"}; run curation first)`,
      );
    }
    const panel = modelPanel(dataset);
    const score = async (version: ModelVersion): Promise<number> => {
      const bytes = await downloadArtifact(client, version.source, "model.json");
      const model = deserialiseModel(new TextDecoder().decode(bytes));
      const predictions = kernels.predict(model, panel);
      return rankIc(predictions, Float64Array.from(dataset.target));
    };
    const challenger = await score(target.challenger);
    const champion = target.champion === undefined ? null : await score(target.champion);
    if (!Number.isFinite(challenger)) throw new DataError("shadow_score_undefined", `session ${target.session}: the challenger's rank IC is undefined (no dispersion)`);
    return { challenger, champion: champion !== null && Number.isFinite(champion) ? champion : null };
  };
}
