/**
 * Registry aliases (https://mlflow.org/docs/latest/ml/model-registry/ — "Deploy and organize models with aliases
 * and tags"): a named, movable pointer to one version of a registered model. Setting an alias moves it; an alias
 * names at most one version at a time. Names `latest` and `v<digits>` are reserved by MLflow.
 */
import { z } from "zod";
import type { CallOptions, MlflowClient } from "./client.ts";
import { modelVersionSchema, type ModelVersion } from "./schemas.ts";

const API = "/api/2.0/mlflow/registered-models/alias";

/** Points `alias` at `version` of model `name`, moving it from whichever version held it. */
export async function setAlias(client: MlflowClient, name: string, alias: string, version: string, options: CallOptions = {}): Promise<void> {
  await client.json({ method: "POST", path: API, json: { name, alias, version }, idempotent: true, signal: options.signal }, z.object({}));
}

/**
 * The version `alias` points at. An unknown alias is an error (MLflow answers 400 INVALID_PARAMETER_VALUE, an
 * unknown model 404); to ask "does it exist?", read the registered model's alias map instead.
 */
export async function getVersionByAlias(client: MlflowClient, name: string, alias: string, options: CallOptions = {}): Promise<ModelVersion> {
  const answer = await client.json(
    { method: "GET", path: API, query: { name, alias }, idempotent: true, signal: options.signal },
    z.object({ model_version: modelVersionSchema }),
  );
  return answer.model_version;
}

/**
 * Removes `alias` from model `name`; removing an absent alias succeeds. MLflow 3.x reads these parameters from a
 * JSON body only: as query parameters (the REST reference's example) it answers 400 "Missing value for 'name'".
 */
export async function deleteAlias(client: MlflowClient, name: string, alias: string, options: CallOptions = {}): Promise<void> {
  await client.json({ method: "DELETE", path: API, json: { name, alias }, idempotent: true, signal: options.signal }, z.object({}));
}
