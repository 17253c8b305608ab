// The MLflow client's pure parts, without a server: batch planning within MLflow's limits, request encoding,
// artifact paths, error mapping and the connection settings.
import { describe, expect, it } from "vitest";
import { ConfigError, DataError, IoError } from "../../src/domain/errors.ts";
import { buildUrl, encodeJson } from "../../src/mlflow/client.ts";
import { mlflowHttpError, parseErrorBody } from "../../src/mlflow/errors.ts";
import {
  artifactProxyRoot, authorizationHeader, LOG_BATCH_LIMITS, mlflowConnectionFromEnv, planLogBatches, requireMlflowConnection,
  searchLiteral, type LogBatch,
} from "../../src/mlflow/index.ts";
import { runSchema } from "../../src/mlflow/schemas.ts";

function within(batches: readonly LogBatch[]): void {
  for (const batch of batches) {
    expect(batch.metrics.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.metrics);
    expect(batch.params.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.params);
    expect(batch.tags.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.tags);
    expect(batch.metrics.length + batch.params.length + batch.tags.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.entities);
  }
}

describe("planLogBatches", () => {
  const metrics = (n: number) => Array.from({ length: n }, (_, step) => ({ key: "loss", value: step, step, timestamp: 1 }));
  const record = (prefix: string, n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, String(i)]));

  it("keeps every entry exactly once, in order, within each per-call limit", () => {
    for (const [m, p, t] of [[0, 0, 0], [1, 0, 0], [1_000, 0, 0], [1_001, 0, 0], [2_500, 150, 120], [0, 250, 0], [999, 1, 1], [10, 0, 301]] as const) {
      const batches = planLogBatches({ metrics: metrics(m), params: record("p", p), tags: record("t", t) }, 7);
      within(batches);
      expect(batches.flatMap((b) => b.metrics.map((x) => x.step))).toEqual(Array.from({ length: m }, (_, i) => i));
      expect(batches.flatMap((b) => b.params.map((x) => x.key))).toEqual(Object.keys(record("p", p)));
      expect(batches.flatMap((b) => b.tags.map((x) => x.key))).toEqual(Object.keys(record("t", t)));
      expect(batches.every((b) => b.metrics.length + b.params.length + b.tags.length > 0)).toBe(true);
    }
  });

  it("uses as few calls as the limits allow", () => {
    expect(planLogBatches({ metrics: metrics(1_000) })).toHaveLength(1);
    expect(planLogBatches({ metrics: metrics(1_001) })).toHaveLength(2);
    expect(planLogBatches({ metrics: metrics(2_500), params: record("p", 150), tags: record("t", 120) })).toHaveLength(3);
    expect(planLogBatches({ params: record("p", 201) })).toHaveLength(3);
    expect(planLogBatches({})).toEqual([]);
  });

  it("stamps missing timestamps and steps, and refuses bad keys, long values and fractional steps before sending", () => {
    const [batch] = planLogBatches({ metrics: [{ key: "ic", value: 0.1 }] }, 1_234);
    expect(batch?.metrics).toEqual([{ key: "ic", value: 0.1, timestamp: 1_234, step: 0 }]);
    for (const key of ["", "a//b", "../x", "x/.", "/abs", "semi;colon", "x".repeat(251)]) {
      expect(() => planLogBatches({ params: { [key]: "v" } }), key).toThrow(DataError);
    }
    expect(() => planLogBatches({ params: { "cpcv.folds": "8", "a/b c-d_e": "x" } })).not.toThrow();
    expect(() => planLogBatches({ params: { p: "x".repeat(6_001) } })).toThrow(/at most 6000/);
    expect(() => planLogBatches({ tags: { t: "x".repeat(8_001) } })).toThrow(/at most 8000/);
    expect(() => planLogBatches({ metrics: [{ key: "m", value: 1, step: 0.5 }] })).toThrow(DataError);
  });
});

describe("request encoding", () => {
  it("spells non-finite doubles as proto3 JSON strings instead of null", () => {
    expect(encodeJson({ value: Number.NaN, a: [Infinity, -Infinity, 1.5] })).toBe('{"value":"NaN","a":["Infinity","-Infinity",1.5]}');
  });

  it("repeats array query parameters and keeps a tracking URI's path prefix", () => {
    expect(buildUrl("http://h:5000/mlflow", "/api/2.0/mlflow/model-versions/search", { filter: "name='a b'", order_by: ["x DESC", "y"], skip: undefined })).toBe(
      "http://h:5000/mlflow/api/2.0/mlflow/model-versions/search?filter=name%3D%27a+b%27&order_by=x+DESC&order_by=y",
    );
  });

  it("quotes search values MLflow can parse, and refuses ones it cannot", () => {
    expect(searchLiteral("abc")).toBe("'abc'");
    expect(searchLiteral("it's")).toBe('"it\'s"');
    expect(() => searchLiteral(`'"`)).toThrow(DataError);
  });
});

describe("artifactProxyRoot", () => {
  it("reads the proxy path from mlflow-artifacts URIs with or without a host, and from proxy URLs", () => {
    expect(artifactProxyRoot("mlflow-artifacts:/1/abc/artifacts")).toEqual(["1", "abc", "artifacts"]);
    expect(artifactProxyRoot("mlflow-artifacts://mlflow.lan:5000/1/abc/artifacts")).toEqual(["1", "abc", "artifacts"]);
    expect(artifactProxyRoot("http://h:5000/api/2.0/mlflow-artifacts/artifacts/7/r%20x/artifacts")).toEqual(["7", "r x", "artifacts"]);
  });

  it("explains that a server handing out its store's own location must proxy artifacts instead", () => {
    for (const uri of ["s3://bucket/mlflow/1/abc/artifacts", "file:///srv/mlruns/1/abc/artifacts", "/srv/mlruns/1/abc/artifacts"]) {
      const error = (() => {
        try {
          artifactProxyRoot(uri);
          return undefined;
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect(String(error)).toMatch(/--serve-artifacts/);
    }
  });
});

describe("error mapping", () => {
  const where = { method: "GET", endpoint: "/api/2.0/mlflow/runs/get" };

  it("reads MLflow's JSON error and keeps only the gist of a long message", () => {
    const body = JSON.stringify({ error_code: "RESOURCE_ALREADY_EXISTS", message: "Experiment(name=x) already exists.\n[SQL: INSERT INTO ...]" });
    expect(parseErrorBody(body)).toEqual({ errorCode: "RESOURCE_ALREADY_EXISTS", message: "Experiment(name=x) already exists." });
    expect(parseErrorBody("<!doctype html><title>405 Method Not Allowed</title>")).toEqual({ errorCode: undefined, message: "405 Method Not Allowed" });
  });

  it("chooses the AppError kind and retryability by status", () => {
    const cases: [number, string, typeof DataError | typeof IoError | typeof ConfigError, string, boolean][] = [
      [404, '{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"Run x not found"}', DataError, "mlflow_not_found", false],
      [400, '{"error_code":"INVALID_PARAMETER_VALUE","message":"bad"}', DataError, "mlflow_bad_request", false],
      [400, '{"error_code":"RESOURCE_ALREADY_EXISTS","message":"dup"}', DataError, "mlflow_already_exists", false],
      [401, "", ConfigError, "mlflow_auth_failed", false],
      [403, "Invalid Host header - possible DNS rebinding attack detected", ConfigError, "mlflow_auth_failed", false],
      [429, "", IoError, "mlflow_unavailable", true],
      [500, '{"error_code":"INTERNAL_ERROR","message":"database is locked"}', IoError, "mlflow_unavailable", true],
      [503, "", IoError, "mlflow_unavailable", true],
    ];
    for (const [status, body, kind, code, retryable] of cases) {
      const mapped = mlflowHttpError(where, status, body);
      expect(mapped.error, `${status}`).toBeInstanceOf(kind);
      expect(mapped.error.code).toBe(code);
      expect(mapped.retryable).toBe(retryable);
      expect(mapped.error.message).toContain("MLflow GET /api/2.0/mlflow/runs/get");
    }
    expect(mlflowHttpError(where, 404, '{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"Run x not found"}').error.message).toBe(
      "MLflow GET /api/2.0/mlflow/runs/get answered 404 RESOURCE_DOES_NOT_EXIST: Run x not found",
    );
  });
});

describe("connection settings", () => {
  it("is absent without MLFLOW_TRACKING_URI, and requiring it says how to start a server", () => {
    expect(mlflowConnectionFromEnv({})).toBeUndefined();
    expect(() => requireMlflowConnection({})).toThrow(/MLFLOW_TRACKING_URI is not set.*mlflow server .*--serve-artifacts/);
  });

  it("prefers basic auth to a token, as MLflow's client does, and refuses half a username/password pair", () => {
    const uri = "http://127.0.0.1:5000/";
    expect(mlflowConnectionFromEnv({ MLFLOW_TRACKING_URI: uri })).toEqual({ trackingUri: "http://127.0.0.1:5000", auth: { kind: "none" } });
    const both = mlflowConnectionFromEnv({ MLFLOW_TRACKING_URI: uri, MLFLOW_TRACKING_USERNAME: "u", MLFLOW_TRACKING_PASSWORD: "p", MLFLOW_TRACKING_TOKEN: "t" });
    expect(both?.auth).toEqual({ kind: "basic", username: "u", password: "p" });
    expect(authorizationHeader(both?.auth ?? { kind: "none" })).toBe(`Basic ${btoa("u:p")}`);
    expect(mlflowConnectionFromEnv({ MLFLOW_TRACKING_URI: uri, MLFLOW_TRACKING_TOKEN: "t" })?.auth).toEqual({ kind: "bearer", token: "t" });
    expect(() => mlflowConnectionFromEnv({ MLFLOW_TRACKING_URI: uri, MLFLOW_TRACKING_USERNAME: "u" })).toThrow(ConfigError);
  });
});

describe("response schemas", () => {
  it("accept int64 as numbers or strings and non-finite metric values as strings", () => {
    const run = runSchema.parse({
      info: { run_id: "r", experiment_id: "1", status: "FINISHED", start_time: "1700000000000", artifact_uri: "mlflow-artifacts:/1/r/artifacts" },
      data: { metrics: [{ key: "m", value: "NaN", timestamp: 5, step: "2" }], params: [{ key: "p", value: "1" }] },
    });
    expect(run.info.startTime).toBe(1_700_000_000_000);
    expect(run.metrics[0]?.step).toBe(2);
    expect(run.metrics[0]?.value).toBeNaN();
    expect(run.params).toEqual({ p: "1" });
    expect(run.tags).toEqual({});
  });
});
