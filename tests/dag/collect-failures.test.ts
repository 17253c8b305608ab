// The DAG's `collect` step tells permanent refusals from transient failures: a vendor that refuses the credentials
// fails the step at once (no retry, `permanent` in the record, `dag step` exit 2), a vendor that is down for a
// while is retried with backoff and the retry collects. Real connector, governor and collector code against a
// loopback proxy in front of the simulator that refuses or fails the first requests.
import { createServer, type Server } from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, type TrademlConfig } from "../../src/config/index.ts";
import { packageConfigDir } from "../../src/config/package-config-dir.ts";
import { NIGHTLY_STEPS, runStep, type DagStep } from "../../src/dag/index.ts";
import { isPermanentError } from "../../src/dag/permanent-errors.ts";
import { openRun } from "../../src/dag/run-state.ts";
import { ConfigError, DataError, IoError } from "../../src/domain/errors.ts";
import { todayUtc } from "../../src/domain/calendar/dates.ts";
import { silentLogger } from "../../src/domain/logger.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { startSimulator, type Simulator } from "../../src/sim/server.ts";
import { closeHttpPool } from "../../src/vendors/http.ts";
import { BudgetExhaustedError, EntitlementError, VendorAuthError, VendorUnavailableError } from "../../src/vendors/errors.ts";

let sim: Simulator;
let config: TrademlConfig;
const dirs: string[] = [];
const servers: Server[] = [];

beforeAll(async () => {
  sim = await startSimulator({ today: todayUtc(), universe: ["AAPL"] });
  const loaded = await loadConfig({ configDir: packageConfigDir(), env: { ALPACA_API_KEY_ID: "kid-0000", ALPACA_API_SECRET_KEY: "secret-0000" }, envFile: false });
  // One small unit (Alpaca daily bars of one symbol over five days), a fast governor, and no cool-down: the
  // failures here are what the step must classify, not what the governor should rest from.
  const alpaca = { ...loaded.node.vendors.alpaca, requests_per_minute: 6000, history_window_days: 5, cooldown: { ...loaded.node.vendors.alpaca.cooldown, min_requests: 1000 } };
  config = {
    ...loaded,
    edge: { ...loaded.edge, tasks: ["alpaca_bars"] },
    node: { ...loaded.node, vendors: { ...loaded.node.vendors, alpaca }, lake: { ...loaded.node.lake, lease_seconds: 4, renew_seconds: 1 } },
  };
});
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
afterAll(async () => {
  await closeHttpPool();
  await sim.close();
});

/** A vendor root that answers the first `failFirst` requests with `status` and forwards the rest to the simulator. */
async function vendorProxy(status: 401 | 503, failFirst: number): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    if (requests <= failFirst) {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(status === 401 ? { code: 40110000, message: "request is not authorized" } : { message: "service unavailable" }));
      return;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string" && name !== "host") headers[name] = value;
    fetch(`${sim.baseUrl("alpaca")}${req.url ?? "/"}`, { headers }).then(async (answer) => {
      res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/json" });
      res.end(Buffer.from(await answer.arrayBuffer()));
    }, (error: unknown) => {
      res.writeHead(502);
      res.end(String(error));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return { url: `http://127.0.0.1:${address.port}`, requests: () => requests };
}

async function lake(): Promise<LocalStore> {
  const dir = await mkdtemp(join(tmpdir(), "trademl-dag-collect-"));
  dirs.push(dir);
  return new LocalStore({ root: dir });
}

function collectStep(): DagStep {
  const declared = NIGHTLY_STEPS.find((s) => s.name === "collect");
  if (declared === undefined) throw new Error("no collect step");
  // Three attempts with millisecond backoff: a retry must be visible without waiting out the real minute.
  return { ...declared, retry: { attempts: 3, baseMs: 5, capMs: 10 } };
}

describe("the collect step's failures", () => {
  it("classifies errors: refusals (credentials, entitlement, bad request) are permanent; outages and a busy lease are not", () => {
    const facts = { vendor: "alpaca", path: "/v2/stocks/bars" };
    expect(isPermanentError(new VendorAuthError(facts, "no key"))).toBe(true);
    expect(isPermanentError(new EntitlementError(facts, "no access"))).toBe(true);
    expect(isPermanentError(new ConfigError("collect_refused", "x"))).toBe(true);
    expect(isPermanentError(new VendorUnavailableError(facts, "503"))).toBe(false);
    expect(isPermanentError(new IoError("collect_failed", "x"))).toBe(false);
    expect(isPermanentError(new DataError("step_busy", "x"))).toBe(false);
    expect(isPermanentError(new BudgetExhaustedError("alpaca", "2026-12-07", { budget: 1 }))).toBe(false);
  });

  it("a vendor refusing the keys fails the step at once: one attempt, recorded permanent", async () => {
    const store = await lake();
    const vendor = await vendorProxy(401, Number.POSITIVE_INFINITY);
    await openRun(store, "refused", ["collect"]);
    const record = await runStep(collectStep(), { store, config, runId: "refused", logger: silentLogger, universe: ["AAPL"], vendorUrls: { alpaca: vendor.url }, random: () => 0.5 });
    expect(record.status).toBe("failed");
    expect(record.permanent).toBe(true);
    expect(record.attempts).toHaveLength(1);
    expect(record.summary).toMatch(/^collect_refused: every vendor with keys refused the collection/);
    expect(record.summary).toContain("rejected the credentials");
    // A 401 is not retried by the governor either: one request, whatever the step's three attempts allow.
    expect(vendor.requests()).toBe(1);
  });

  it("a vendor that is down for a while is retried with backoff, and the retry collects", async () => {
    const store = await lake();
    // The governor's own retries (1 + 5) all fail in the first attempt; the step's second attempt gets through.
    const vendor = await vendorProxy(503, 6);
    await openRun(store, "flaky", ["collect"]);
    const record = await runStep(collectStep(), { store, config, runId: "flaky", logger: silentLogger, universe: ["AAPL"], vendorUrls: { alpaca: vendor.url }, random: () => 0.5 });
    expect(record.status, record.summary).toBe("succeeded");
    expect(record.permanent).toBeUndefined();
    expect(record.attempts).toHaveLength(2);
    expect(record.attempts[0]?.error).toMatch(/^collect_failed: 1 unit\(s\) failed and none was committed/);
    expect(record.attempts[1]?.error).toBeUndefined();
    expect(record.outputs?.["raw/alpaca/equities_bars"]).toBeGreaterThan(0);
    expect(record.summary).toMatch(/^1 of 1 unit\(s\) committed/);
  }, 60_000);
});
