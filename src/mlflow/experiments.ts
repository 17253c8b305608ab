/**
 * Experiments (https://mlflow.org/docs/latest/api_reference/rest-api.html#create-experiment): found by name and
 * created idempotently, so a retried or concurrent training run lands in the same experiment.
 */
import { z } from "zod";
import { DataError } from "../domain/errors.ts";
import type { CallOptions, MlflowClient } from "./client.ts";
import { hasMlflowErrorCode, MlflowRequestError } from "./errors.ts";
import { experimentSchema, tagList, type Experiment } from "./schemas.ts";

const API = "/api/2.0/mlflow/experiments";

export interface CreateExperimentInput {
  readonly name: string;
  /** Where the experiment's run artifacts go; the server's default (the mlflow-artifacts proxy) when absent. */
  readonly artifactLocation?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/** The experiment named `name`, or undefined when there is none. */
export async function findExperimentByName(client: MlflowClient, name: string, options: CallOptions = {}): Promise<Experiment | undefined> {
  try {
    const answer = await client.json(
      { method: "GET", path: `${API}/get-by-name`, query: { experiment_name: name }, idempotent: true, signal: options.signal },
      z.object({ experiment: experimentSchema }),
    );
    return answer.experiment;
  } catch (error) {
    if (error instanceof MlflowRequestError && error.code === "mlflow_not_found") return undefined;
    throw error;
  }
}

export async function getExperiment(client: MlflowClient, experimentId: string, options: CallOptions = {}): Promise<Experiment> {
  const answer = await client.json(
    { method: "GET", path: `${API}/get`, query: { experiment_id: experimentId }, idempotent: true, signal: options.signal },
    z.object({ experiment: experimentSchema }),
  );
  return answer.experiment;
}

/** Creates an experiment; fails with code mlflow_already_exists when the name is taken. Returns its id. */
export async function createExperiment(client: MlflowClient, input: CreateExperimentInput, options: CallOptions = {}): Promise<string> {
  const answer = await client.json(
    {
      method: "POST",
      path: `${API}/create`,
      json: { name: input.name, artifact_location: input.artifactLocation, tags: tagList(input.tags) },
      // Names are unique, so a repeat cannot make a second experiment; at worst it reports RESOURCE_ALREADY_EXISTS.
      idempotent: true,
      signal: options.signal,
    },
    z.object({ experiment_id: z.string().min(1) }),
  );
  return answer.experiment_id;
}

/** The experiment named `input.name`, created when missing. Safe to call concurrently from several processes. */
export async function ensureExperiment(client: MlflowClient, input: CreateExperimentInput, options: CallOptions = {}): Promise<Experiment> {
  const existing = await findExperimentByName(client, input.name, options);
  if (existing?.lifecycleStage === "deleted") {
    // A deleted experiment keeps its name until it is purged, so MLflow refuses to create a new one under it.
    throw new DataError(
      "mlflow_experiment_deleted",
      `MLflow experiment "${input.name}" (id ${existing.experimentId}) is deleted; restore it (\`mlflow experiments restore --experiment-id ${existing.experimentId}\`) or purge it with \`mlflow gc\``,
    );
  }
  if (existing !== undefined) return existing;
  try {
    const experimentId = await createExperiment(client, input, options);
    return await getExperiment(client, experimentId, options);
  } catch (error) {
    // Another writer created it between our lookup and our create (or our own retried create succeeded).
    if (!hasMlflowErrorCode(error, "RESOURCE_ALREADY_EXISTS")) throw error;
    const raced = await findExperimentByName(client, input.name, options);
    if (raced === undefined) throw error;
    return raced;
  }
}
