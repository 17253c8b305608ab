/**
 * Where a trademl model lives in MLflow, and the alias and tag names the promotion model reads and writes.
 * One place, so the trainer, the shadow scorer and `trademl models ...` agree on them.
 */
import { DataError } from "../../domain/errors.ts";

/** A model key as in configs/training/<model>.yml (equities_xs, intraday_xs, options_vol). */
const MODEL_KEY = /^[a-z][a-z0-9_]{0,63}$/;

export interface RegistryNames {
  readonly model: string;
  /** The registered model holding every trained version and the champion/challenger aliases. */
  readonly registeredModel: string;
  /** The experiment the trainer logs its runs into. */
  readonly trainingExperiment: string;
  /** The experiment holding one run per shadow period (the lake-free record of each challenger's trial). */
  readonly shadowExperiment: string;
}

export function registryNames(model: string): RegistryNames {
  if (!MODEL_KEY.test(model)) {
    throw new DataError("bad_model_name", `model name ${JSON.stringify(model.slice(0, 80))} must be snake_case, as its configs/training/<model>.yml file`);
  }
  return {
    model,
    registeredModel: `trademl.${model}`,
    trainingExperiment: `trademl.${model}`,
    shadowExperiment: `trademl.${model}.shadow`,
  };
}

export const CHAMPION = "champion";
export const CHALLENGER = "challenger";
export type PromotionAlias = typeof CHAMPION | typeof CHALLENGER;

/** Tags on model versions (v) and on shadow runs (r). */
export const TAG = {
  /** v, r: the trademl model key. */
  model: "trademl.model",
  /** v: "true" | "false". */
  gatesPassed: "trademl.gates.passed",
  /** v: the gate checks as JSON (GateCheck[]). */
  gates: "trademl.gates",
  /** v, r: "running" | "passed" | "failed" | "superseded". */
  shadowStatus: "trademl.shadow.status",
  /** v: the shadow run's id. */
  shadowRunId: "trademl.shadow.run_id",
  /** v, r: the date the shadow began; its sessions are the NYSE sessions after it. */
  shadowStartedOn: "trademl.shadow.started_on",
  /** v, r: the date the shadow was closed. */
  shadowClosedOn: "trademl.shadow.closed_on",
  /** v, r: the verdict as JSON (ShadowVerdict). */
  shadowVerdict: "trademl.shadow.verdict",
  /** r: the version under trial. */
  version: "trademl.version",
  /** r: the champion version it shadowed at the start, or "none". */
  against: "trademl.shadow.against",
  /** r: sessions required by the policy when the shadow began. */
  requiredDays: "trademl.shadow.required_days",
  /** v: the date it took the champion alias / lost it. */
  promotedOn: "trademl.promoted_on",
  retiredOn: "trademl.retired_on",
} as const;

/** r: one tag per scored session, `trademl.session.<YYYY-MM-DD>` = {"challenger": x, "champion": y|null}. */
export const SESSION_TAG_PREFIX = "trademl.session.";
