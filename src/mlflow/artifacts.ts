/**
 * Run artifacts through the tracking server's artifact proxy (`mlflow server --serve-artifacts`, the 3.x
 * default): PUT, GET and list under /api/2.0/mlflow-artifacts/artifacts/<path>
 * (https://mlflow.org/docs/latest/ml/tracking/server — artifact proxying; the handlers are _upload_artifact,
 * _download_artifact and _list_artifacts_mlflow_artifacts in mlflow/server/handlers.py).
 * The client never needs the store's own credentials (S3 keys stay on the server).
 *
 * A run's artifact root is its `artifact_uri`, e.g. `mlflow-artifacts:/1/<run id>/artifacts`; the proxy path is
 * that URI's path. Paths inside it are relative, with no empty, "." or ".." segment.
 */
import { z } from "zod";
import { ConfigError, DataError } from "../domain/errors.ts";
import type { CallOptions, MlflowClient } from "./client.ts";
import { fileInfoSchema, type ArtifactFile } from "./schemas.ts";

const PROXY = "/api/2.0/mlflow-artifacts/artifacts";

/** Checks a relative artifact path ("model/ridge.bin") and returns its segments. */
function segmentsOf(relativePath: string, allowEmpty: boolean): string[] {
  if (relativePath === "" && allowEmpty) return [];
  const segments = relativePath.split("/");
  const bad = segments.some((segment) => segment === "" || segment === "." || segment === ".." || segment.includes("\\"));
  if (bad) {
    throw new DataError(
      "mlflow_bad_artifact_path",
      `artifact path ${JSON.stringify(relativePath)} must be relative, with no empty, ".", ".." or backslash segment`,
    );
  }
  return segments;
}

/**
 * The proxy path of an artifact root: the path of an `mlflow-artifacts:` URI (with or without a host), or of
 * an http(s) URI that already points into the proxy. Any other scheme (s3://, file:, a bare path) means the
 * server hands out its store's location instead of proxying it, which this HTTP-only client cannot use.
 */
export function artifactProxyRoot(artifactUri: string): string[] {
  let url: URL | undefined;
  try {
    url = new URL(artifactUri);
  } catch {
    url = undefined;
  }
  const proxied =
    url?.protocol === "mlflow-artifacts:"
      ? url.pathname
      : (url?.protocol === "http:" || url?.protocol === "https:") && url.pathname.includes(`${PROXY}/`)
        ? url.pathname.slice(url.pathname.indexOf(`${PROXY}/`) + PROXY.length + 1)
        : undefined;
  if (proxied === undefined) {
    throw new ConfigError(
      "mlflow_artifacts_not_proxied",
      `the MLflow run's artifact location ${JSON.stringify(artifactUri)} is not served through the tracking server; ` +
        "start the server with --serve-artifacts (and --artifacts-destination), and use an experiment created after that",
    );
  }
  return proxied
    .split("/")
    .filter((segment) => segment !== "")
    .map((segment) => decodeURIComponent(segment));
}

function proxyPath(artifactUri: string, relativePath: string, allowEmpty: boolean): string {
  const segments = [...artifactProxyRoot(artifactUri), ...segmentsOf(relativePath, allowEmpty)];
  return segments.map((segment) => encodeURIComponent(segment)).join("/");
}

/** Uploads bytes (or UTF-8 text) to `<artifactUri>/<relativePath>`, replacing what was there. */
export async function uploadArtifact(
  client: MlflowClient,
  artifactUri: string,
  relativePath: string,
  data: Uint8Array | string,
  options: CallOptions = {},
): Promise<void> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  await client.json(
    { method: "PUT", path: `${PROXY}/${proxyPath(artifactUri, relativePath, false)}`, bytes, idempotent: true, signal: options.signal },
    z.object({}),
  );
}

/** The bytes of `<artifactUri>/<relativePath>`; code mlflow_not_found when it does not exist. */
export function downloadArtifact(client: MlflowClient, artifactUri: string, relativePath: string, options: CallOptions = {}): Promise<Uint8Array> {
  return client.bytes({ method: "GET", path: `${PROXY}/${proxyPath(artifactUri, relativePath, false)}`, idempotent: true, signal: options.signal });
}

/**
 * The entries directly under `<artifactUri>/<relativeDir>` (the root when empty), each with its path relative
 * to the artifact root, as `mlflow artifacts list` shows them. An absent folder lists as empty.
 */
export async function listArtifacts(
  client: MlflowClient,
  artifactUri: string,
  relativeDir = "",
  options: CallOptions = {},
): Promise<ArtifactFile[]> {
  const dir = segmentsOf(relativeDir, true);
  const answer = await client.json(
    {
      method: "GET",
      path: PROXY,
      query: { path: [...artifactProxyRoot(artifactUri), ...dir].join("/") },
      idempotent: true,
      signal: options.signal,
    },
    z.object({ files: z.array(fileInfoSchema).default([]) }),
  );
  // The proxy answers base names; the run-level listing MLflow's own clients show is relative to the root.
  return answer.files.map((file) => ({ ...file, path: [...dir, file.path].join("/") }));
}
