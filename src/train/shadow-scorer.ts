/**
 * The daily shadow score (`trademl models shadow-score --date D`): each version's live prediction for session D
 * is its model applied to D's cross-section (the same point-in-time features and transform as in training),
 * scored by its rank IC against D's forward return once that return is known (after the next session's close).
 * Higher is better, as the promotion model expects.
 */
import type { TrainingConfig } from "../config/schemas/training.ts";
import { DataError } from "../domain/errors.ts";
import { deserialiseModel, type LearnKernels } from "../kernels/learn/index.ts";
import type { LakeAccess } from "../lake/lake-access.ts";
import { downloadArtifact } from "../mlflow/artifacts.ts";
import type { MlflowClient } from "../mlflow/client.ts";
import type { ShadowScores, ShadowTarget } from "../mlflow/promotion/operations.ts";
import type { ModelVersion } from "../mlflow/schemas.ts";
import { buildEquitiesXs } from "./equities-xs.ts";
import { modelPanel } from "./model-features.ts";
import { rankNormalise } from "./rank-normalise.ts";

/** Pearson correlation of two equal-length arrays; NaN without dispersion. */
function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] ?? 0;
    mb += b[i] ?? 0;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = (a[i] ?? 0) - ma;
    const db = (b[i] ?? 0) - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : Number.NaN;
}

export function shadowScorer(
  lake: LakeAccess,
  client: MlflowClient,
  training: TrainingConfig,
  kernels: LearnKernels,
): (target: ShadowTarget) => Promise<ShadowScores> {
  return async (target) => {
    const dataset = await buildEquitiesXs(lake, training, { from: target.session, to: target.session });
    if (dataset.label.length < 2) {
      throw new DataError(
        "shadow_session_not_scorable",
        `session ${target.session} has ${dataset.label.length} labelled names in the lake: its forward return is known only after the next session's close (run curation first)`,
      );
    }
    const panel = modelPanel(dataset);
    const score = async (version: ModelVersion): Promise<number> => {
      const bytes = await downloadArtifact(client, version.source, "model.json");
      const model = deserialiseModel(new TextDecoder().decode(bytes));
      const predictions = kernels.predict(model, panel);
      return correlation(rankNormalise(predictions, dataset.group), dataset.label);
    };
    const challenger = await score(target.challenger);
    const champion = target.champion === undefined ? null : await score(target.champion);
    if (!Number.isFinite(challenger)) throw new DataError("shadow_score_undefined", `session ${target.session}: the challenger's rank IC is undefined (no dispersion)`);
    return { challenger, champion: champion !== null && Number.isFinite(champion) ? champion : null };
  };
}
