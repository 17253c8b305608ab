/**
 * Where the MLflow tracking server is and how to authenticate to it, from MLflow's own environment variables
 * (MLFLOW_TRACKING_URI, MLFLOW_TRACKING_USERNAME/PASSWORD, MLFLOW_TRACKING_TOKEN), validated by src/config/env.ts.
 * The precedence follows MLflow's Python client (mlflow/utils/rest_utils.py): basic auth when a username and a
 * password are both set, else a bearer token.
 */
import { Buffer } from "node:buffer";
import type { Environment } from "../config/env.ts";
import { ConfigError } from "../domain/errors.ts";

export type MlflowAuth =
  | { readonly kind: "none" }
  | { readonly kind: "basic"; readonly username: string; readonly password: string }
  | { readonly kind: "bearer"; readonly token: string };

export interface MlflowConnection {
  /** The server's base URL without a trailing slash; API paths are appended to it (a path prefix is kept). */
  readonly trackingUri: string;
  readonly auth: MlflowAuth;
}

export type MlflowEnvironment = Pick<
  Environment,
  "MLFLOW_TRACKING_URI" | "MLFLOW_TRACKING_USERNAME" | "MLFLOW_TRACKING_PASSWORD" | "MLFLOW_TRACKING_TOKEN"
>;

/** What a person needs to read when no server is configured: how to start one, and what to set. */
export const START_MLFLOW_HINT =
  "start a tracking server, e.g. `mlflow server --backend-store-uri sqlite:///mlflow.db --serve-artifacts " +
  "--artifacts-destination ./mlartifacts --host 127.0.0.1 --port 5000`, then set MLFLOW_TRACKING_URI=http://127.0.0.1:5000 " +
  "in the environment or .env (see docs/training.md)";

function authFrom(env: MlflowEnvironment): MlflowAuth {
  const username = env.MLFLOW_TRACKING_USERNAME;
  const password = env.MLFLOW_TRACKING_PASSWORD;
  if ((username === undefined) !== (password === undefined)) {
    // MLflow's own client silently falls back to no auth here; a half-set pair is always a mistake.
    throw new ConfigError(
      "env_invalid",
      `${username === undefined ? "MLFLOW_TRACKING_PASSWORD" : "MLFLOW_TRACKING_USERNAME"} is set without ${username === undefined ? "MLFLOW_TRACKING_USERNAME" : "MLFLOW_TRACKING_PASSWORD"}; set both or neither`,
    );
  }
  if (username !== undefined && password !== undefined) return { kind: "basic", username, password };
  if (env.MLFLOW_TRACKING_TOKEN !== undefined) return { kind: "bearer", token: env.MLFLOW_TRACKING_TOKEN };
  return { kind: "none" };
}

/** The configured server, or undefined when MLFLOW_TRACKING_URI is not set. */
export function mlflowConnectionFromEnv(env: MlflowEnvironment): MlflowConnection | undefined {
  const uri = env.MLFLOW_TRACKING_URI;
  if (uri === undefined) return undefined;
  return { trackingUri: uri.replace(/\/+$/, ""), auth: authFrom(env) };
}

/** The configured server; without one, a ConfigError that says how to start a server (training stops here). */
export function requireMlflowConnection(env: MlflowEnvironment, purpose = "registering models"): MlflowConnection {
  const connection = mlflowConnectionFromEnv(env);
  if (connection === undefined) {
    throw new ConfigError("mlflow_not_configured", `MLFLOW_TRACKING_URI is not set, so nothing can be recorded (${purpose}); ${START_MLFLOW_HINT}`);
  }
  return connection;
}

/** The Authorization header value, or undefined without auth. */
export function authorizationHeader(auth: MlflowAuth): string | undefined {
  switch (auth.kind) {
    case "none":
      return undefined;
    case "basic":
      return `Basic ${Buffer.from(`${auth.username}:${auth.password}`, "utf8").toString("base64")}`;
    case "bearer":
      return `Bearer ${auth.token}`;
  }
}
