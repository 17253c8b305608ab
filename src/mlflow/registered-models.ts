/**
 * Registered models (https://mlflow.org/docs/latest/api_reference/rest-api.html#create-registeredmodel): one
 * per trademl model, created idempotently; the registered model carries the alias map (alias → version).
 */
import { z } from "zod";
import type { CallOptions, MlflowClient } from "./client.ts";
import { hasMlflowErrorCode, MlflowRequestError } from "./errors.ts";
import { registeredModelSchema, tagList, type RegisteredModel } from "./schemas.ts";

const API = "/api/2.0/mlflow/registered-models";

export interface CreateRegisteredModelInput {
  readonly name: string;
  readonly description?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/** Creates a registered model; code mlflow_already_exists when the name is taken. */
export async function createRegisteredModel(
  client: MlflowClient,
  input: CreateRegisteredModelInput,
  options: CallOptions = {},
): Promise<RegisteredModel> {
  const answer = await client.json(
    {
      method: "POST",
      path: `${API}/create`,
      json: { name: input.name, description: input.description, tags: tagList(input.tags) },
      // Names are unique: a repeat cannot make a second model, at worst it reports RESOURCE_ALREADY_EXISTS.
      idempotent: true,
      signal: options.signal,
    },
    z.object({ registered_model: registeredModelSchema }),
  );
  return answer.registered_model;
}

/** The registered model with its aliases; code mlflow_not_found when there is none. */
export async function getRegisteredModel(client: MlflowClient, name: string, options: CallOptions = {}): Promise<RegisteredModel> {
  const answer = await client.json(
    { method: "GET", path: `${API}/get`, query: { name }, idempotent: true, signal: options.signal },
    z.object({ registered_model: registeredModelSchema }),
  );
  return answer.registered_model;
}

/** The registered model, or undefined when there is none. */
export async function findRegisteredModel(client: MlflowClient, name: string, options: CallOptions = {}): Promise<RegisteredModel | undefined> {
  try {
    return await getRegisteredModel(client, name, options);
  } catch (error) {
    if (error instanceof MlflowRequestError && error.code === "mlflow_not_found") return undefined;
    throw error;
  }
}

/** The registered model named `input.name`, created when missing; safe under concurrent callers. */
export async function ensureRegisteredModel(
  client: MlflowClient,
  input: CreateRegisteredModelInput,
  options: CallOptions = {},
): Promise<RegisteredModel> {
  const existing = await findRegisteredModel(client, input.name, options);
  if (existing !== undefined) return existing;
  try {
    return await createRegisteredModel(client, input, options);
  } catch (error) {
    if (!hasMlflowErrorCode(error, "RESOURCE_ALREADY_EXISTS")) throw error;
    return getRegisteredModel(client, input.name, options);
  }
}
