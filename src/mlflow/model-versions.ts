/**
 * Model versions (https://mlflow.org/docs/latest/api_reference/rest-api.html#create-modelversion): a version
 * points at a run's artifact folder (the `source`) and carries tags; versions are numbered by the server.
 */
import { z } from "zod";
import type { CallOptions, MlflowClient } from "./client.ts";
import { modelVersionSchema, tagList, type ModelVersion } from "./schemas.ts";

const API = "/api/2.0/mlflow/model-versions";

export interface CreateModelVersionInput {
  /** The registered model. */
  readonly name: string;
  /** The artifact folder holding the model, inside the run's artifact root (e.g. `<artifact_uri>/model`). */
  readonly source: string;
  /** The run that produced it; MLflow checks that `source` lies inside this run's artifacts. */
  readonly runId?: string;
  readonly description?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Registers a new version. Not retried after a possible success (a repeat would register a second version);
 * callers that must be idempotent look for an existing version of the same run first (see registerVersion).
 */
export async function createModelVersion(client: MlflowClient, input: CreateModelVersionInput, options: CallOptions = {}): Promise<ModelVersion> {
  const answer = await client.json(
    {
      method: "POST",
      path: `${API}/create`,
      json: {
        name: input.name,
        source: input.source,
        run_id: input.runId,
        description: input.description,
        tags: tagList(input.tags),
      },
      idempotent: false,
      signal: options.signal,
    },
    z.object({ model_version: modelVersionSchema }),
  );
  return answer.model_version;
}

/** One version; code mlflow_not_found when the model or the version does not exist. */
export async function getModelVersion(client: MlflowClient, name: string, version: string, options: CallOptions = {}): Promise<ModelVersion> {
  const answer = await client.json(
    { method: "GET", path: `${API}/get`, query: { name, version }, idempotent: true, signal: options.signal },
    z.object({ model_version: modelVersionSchema }),
  );
  return answer.model_version;
}

export interface SearchModelVersionsInput {
  /** MLflow's search syntax, e.g. `name = 'trademl.equities_xs' and run_id = '...'` or `tags.\`k\` = 'v'`. */
  readonly filter?: string;
  /** e.g. ["version_number DESC"]. */
  readonly orderBy?: readonly string[];
  /** Per page; default 1 000. */
  readonly maxResults?: number;
  readonly pageToken?: string;
}

export interface ModelVersionPage {
  readonly modelVersions: readonly ModelVersion[];
  readonly nextPageToken: string | undefined;
}

const pageSchema = z
  .object({ model_versions: z.array(modelVersionSchema).default([]), next_page_token: z.string().optional() })
  .transform((page) => ({
    modelVersions: page.model_versions,
    nextPageToken: page.next_page_token === "" ? undefined : page.next_page_token,
  }));

/** One page of versions matching `input` (the endpoint is GET-only in MLflow 3.x). */
export async function searchModelVersions(client: MlflowClient, input: SearchModelVersionsInput, options: CallOptions = {}): Promise<ModelVersionPage> {
  return client.json(
    {
      method: "GET",
      path: `${API}/search`,
      query: {
        filter: input.filter,
        order_by: input.orderBy,
        max_results: input.maxResults ?? 1_000,
        page_token: input.pageToken,
      },
      idempotent: true,
      signal: options.signal,
    },
    pageSchema,
  );
}

export async function setModelVersionTag(
  client: MlflowClient,
  name: string,
  version: string,
  key: string,
  value: string,
  options: CallOptions = {},
): Promise<void> {
  await client.json(
    { method: "POST", path: `${API}/set-tag`, json: { name, version, key, value }, idempotent: true, signal: options.signal },
    z.object({}),
  );
}

/** Sets several tags on a version, one request each (MLflow has no batch call for version tags). */
export async function setModelVersionTags(
  client: MlflowClient,
  name: string,
  version: string,
  tags: Readonly<Record<string, string>>,
  options: CallOptions = {},
): Promise<void> {
  for (const [key, value] of Object.entries(tags)) await setModelVersionTag(client, name, version, key, value, options);
}
