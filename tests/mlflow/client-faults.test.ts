// The MLflow client's transport against the real server behind a fault-injecting proxy: bounded retries with
// backoff on 429/5xx and dropped connections, no blind repeat of a create, auth headers, the Host-header refusal,
// and abort signals.
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { ConfigError, IoError } from "../../src/domain/errors.ts";
import {
  createMlflowClient, createRun, ensureExperiment, findExperimentByName, getRun, MlflowAuthError, MlflowUnavailableError,
  searchAllRuns, type MlflowAuth, type MlflowClient,
} from "../../src/mlflow/index.ts";
import { failure } from "./helpers.ts";
import { describeWithMlflow, mlflowService } from "../helpers/services.ts";
import { startFaultProxy, type FaultProxy } from "./fault-proxy.ts";

const fastBackoff = { baseMs: 5, capMs: 20 };


/** A port nothing listens on: bind, read it, close. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describeWithMlflow("MLflow client transport (real server behind a fault proxy)", () => {
  let proxy: FaultProxy;
  const clients: MlflowClient[] = [];
  let experimentId = "";

  function client(auth: MlflowAuth = { kind: "none" }, maxAttempts = 4): MlflowClient {
    const made = createMlflowClient({ trackingUri: proxy.uri, auth }, { backoff: fastBackoff, maxAttempts });
    clients.push(made);
    return made;
  }

  beforeAll(async () => {
    const service = mlflowService();
    if (service === undefined) throw new Error("describeWithMlflow ran without an MLflow service");
    proxy = await startFaultProxy(service.trackingUri);
    experimentId = (await ensureExperiment(client(), { name: `faults-${Date.now()}-${Math.random().toString(36).slice(2)}` })).experimentId;
  });

  beforeEach(() => {
    proxy.faults.length = 0;
    proxy.seen.length = 0;
  });

  afterAll(async () => {
    for (const made of clients) await made.close();
    await proxy.close();
  });

  it("retries a read through 503s and a 429 with Retry-After, then succeeds", async () => {
    const run = await createRun(client(), { experimentId });
    proxy.seen.length = 0;
    proxy.faults.push({ method: "GET", pathIncludes: "/runs/get", remaining: 2, fault: { kind: "status", status: 503 } });
    proxy.faults.push({ method: "GET", pathIncludes: "/runs/get", remaining: 1, fault: { kind: "status", status: 429, headers: { "retry-after": "0" } } });
    const fetched = await getRun(client(), run.info.runId);
    expect(fetched.info.runId).toBe(run.info.runId);
    expect(proxy.count("GET", "/runs/get")).toBe(4);
  });

  it("gives up after its bounded attempts with an IoError naming the endpoint", async () => {
    proxy.faults.push({ method: "GET", pathIncludes: "/experiments/get-by-name", remaining: 99, fault: { kind: "status", status: 502 } });
    const error = await failure(findExperimentByName(client(undefined, 3), "whatever"));
    expect(error).toBeInstanceOf(MlflowUnavailableError);
    expect(error).toBeInstanceOf(IoError);
    expect(error.message).toContain("MLflow GET /api/2.0/mlflow/experiments/get-by-name");
    expect(error.message).toContain("HTTP 502");
    expect(proxy.count("GET", "/experiments/get-by-name")).toBe(3);
  });

  it("does not repeat a run create that may have happened (5xx, dropped answer), but does after a 429", async () => {
    const before = await countRuns();
    proxy.faults.push({ method: "POST", pathIncludes: "/runs/create", remaining: 1, fault: { kind: "drop_response" } });
    expect(await failure(createRun(client(), { experimentId }))).toBeInstanceOf(MlflowUnavailableError);
    expect(proxy.count("POST", "/runs/create")).toBe(1);
    // The server did create it: exactly one run more, not two.
    expect(await countRuns()).toBe(before + 1);

    proxy.faults.push({ method: "POST", pathIncludes: "/runs/create", remaining: 1, fault: { kind: "status", status: 500 } });
    expect(await failure(createRun(client(), { experimentId }))).toBeInstanceOf(IoError);
    expect(proxy.count("POST", "/runs/create")).toBe(2);

    proxy.faults.push({ method: "POST", pathIncludes: "/runs/create", remaining: 1, fault: { kind: "status", status: 429 } });
    await createRun(client(), { experimentId });
    expect(proxy.count("POST", "/runs/create")).toBe(4);
    expect(await countRuns()).toBe(before + 2);
  });

  it("retries an idempotent call whose answer was lost", async () => {
    const run = await createRun(client(), { experimentId });
    proxy.seen.length = 0;
    proxy.faults.push({ method: "GET", pathIncludes: "/runs/get", remaining: 1, fault: { kind: "drop_response" } });
    expect((await getRun(client(), run.info.runId)).info.runId).toBe(run.info.runId);
    expect(proxy.count("GET", "/runs/get")).toBe(2);
  });

  it("sends basic auth when a username and password are set, else a bearer token", async () => {
    await findExperimentByName(client({ kind: "basic", username: "trainer", password: "s3cret:pw" }), "x");
    await findExperimentByName(client({ kind: "bearer", token: "tok-123" }), "x");
    await findExperimentByName(client(), "x");
    expect(proxy.seen.map((s) => s.authorization)).toEqual([
      `Basic ${Buffer.from("trainer:s3cret:pw").toString("base64")}`,
      "Bearer tok-123",
      undefined,
    ]);
  });

  it("maps 401 and MLflow's own Host-header refusal to ConfigErrors that say what to fix, without retrying", async () => {
    proxy.faults.push({
      method: "GET",
      pathIncludes: "/runs/get",
      remaining: 1,
      fault: { kind: "status", status: 401, body: "You are not authenticated. Please see https://mlflow.org/docs/latest/auth/index.html" },
    });
    const unauthenticated = await failure(getRun(client(), "0123456789abcdef0123456789abcdef"));
    expect(unauthenticated).toBeInstanceOf(MlflowAuthError);
    expect(unauthenticated).toBeInstanceOf(ConfigError);
    expect(unauthenticated.message).toContain("MLFLOW_TRACKING_USERNAME");
    expect(proxy.count("GET", "/runs/get")).toBe(1);

    // The real server refuses a Host header outside its allow-list (a LAN name without --allowed-hosts).
    proxy.faults.push({ method: "GET", pathIncludes: "/experiments/get-by-name", remaining: 1, fault: { kind: "host", host: "trainer-pc.lan:5000" } });
    const refused = await failure(findExperimentByName(client(), "x"));
    expect(refused).toBeInstanceOf(ConfigError);
    expect(refused.message).toMatch(/answered 403.*Invalid Host header.*--allowed-hosts/);
  });

  it("retries a refused connection a bounded number of times, for creates too", async () => {
    const port = await closedPort();
    const down = createMlflowClient({ trackingUri: `http://127.0.0.1:${port}`, auth: { kind: "none" } }, { backoff: fastBackoff, maxAttempts: 3 });
    clients.push(down);
    const started = Date.now();
    const error = await failure(createRun(down, { experimentId }));
    expect(error).toBeInstanceOf(MlflowUnavailableError);
    expect(error.message).toMatch(/POST \/api\/2\.0\/mlflow\/runs\/create failed: connection failed \(ECONNREFUSED\)/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("stops at once when the caller aborts, during a request or a backoff pause", async () => {
    const before = new AbortController();
    before.abort();
    const early = await failure(getRun(client(), "0123456789abcdef0123456789abcdef", { signal: before.signal }));
    expect(early.name).toBe("AbortError");
    expect(proxy.count("GET", "/runs/get")).toBe(0);

    const slow = createMlflowClient({ trackingUri: proxy.uri, auth: { kind: "none" } }, { backoff: { baseMs: 10_000, capMs: 10_000 }, maxAttempts: 5 });
    clients.push(slow);
    proxy.faults.push({ method: "GET", pathIncludes: "/runs/get", remaining: 99, fault: { kind: "status", status: 503 } });
    const during = new AbortController();
    const started = Date.now();
    setTimeout(() => during.abort(), 200);
    // Full jitter may draw a short pause, so keep failing until the abort lands.
    const late = await failure(getRun(slow, "0123456789abcdef0123456789abcdef", { signal: during.signal }));
    expect(late.name).toBe("AbortError");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  async function countRuns(): Promise<number> {
    return (await searchAllRuns(client(), { experimentIds: [experimentId] })).length;
  }
});
