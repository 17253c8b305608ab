// Smoke test against the real MLflow tracking server the global setup started, over its REST API
// (https://mlflow.org/docs/latest/api_reference/rest-api.html): the calls the training gate will make.
import { beforeAll, expect, it } from "vitest";
import { describeWithMlflow, mlflowService } from "../helpers/services.ts";

async function call(baseUri: string, method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> {
  const init: RequestInit = { method, headers: { "content-type": "application/json" } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(`${baseUri}/api/2.0/mlflow/${path}`, init);
  const text = await response.text();
  if (!response.ok) throw new Error(`MLflow ${method} ${path} → ${response.status}: ${text}`);
  return JSON.parse(text) as unknown;
}

function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

describeWithMlflow("MLflow test service", () => {
  let uri = "";

  beforeAll(async () => {
    const mlflow = mlflowService();
    if (mlflow === undefined) throw new Error("describeWithMlflow ran without an MLflow service");
    uri = mlflow.trackingUri;
    console.log(`MLflow ${mlflow.version} at ${uri}`);
    // The server's own /version must agree with what the setup reported, so the log line is the truth.
    const served = await (await fetch(`${uri}/version`)).text();
    expect(served.trim()).toBe(mlflow.version);
  });

  it("creates an experiment and a run, logs a metric history and reads it back", async () => {
    const name = `smoke-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    const created = await call(uri, "POST", "experiments/create", { name });
    const experimentId = field(created, "experiment_id");
    expect(typeof experimentId).toBe("string");

    const started = Date.now();
    const run = await call(uri, "POST", "runs/create", { experiment_id: experimentId, start_time: started });
    const runId = field(run, "run", "info", "run_id");
    expect(typeof runId).toBe("string");

    const logged = [0.61, 0.66, 0.64];
    for (const [step, value] of logged.entries()) {
      await call(uri, "POST", "runs/log-metric", { run_id: runId, key: "dsr", value, timestamp: started + step, step });
    }

    const history = await call(
      uri,
      "GET",
      `metrics/get-history?run_id=${encodeURIComponent(String(runId))}&metric_key=dsr`,
    );
    const metrics = field(history, "metrics");
    expect(Array.isArray(metrics)).toBe(true);
    const points = (metrics as unknown[]).map((m) => [field(m, "step"), field(m, "value")]);
    points.sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(points).toEqual(logged.map((value, step) => [step, value]));

    // The run's latest metric is the last logged value, as the gate reads it.
    const fetched = await call(uri, "GET", `runs/get?run_id=${encodeURIComponent(String(runId))}`);
    const latest = field(fetched, "run", "data", "metrics");
    expect(latest).toEqual([expect.objectContaining({ key: "dsr", value: 0.64, step: 2 })]);
    expect(field(fetched, "run", "info", "experiment_id")).toBe(experimentId);
  });

  it("answers a missing run with a RESOURCE_DOES_NOT_EXIST error", async () => {
    const response = await fetch(`${uri}/api/2.0/mlflow/runs/get?run_id=0123456789abcdef0123456789abcdef`);
    expect(response.status).toBe(404);
    expect(field(await response.json(), "error_code")).toBe("RESOURCE_DOES_NOT_EXIST");
  });
});
