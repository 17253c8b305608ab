// `trademl doctor --online` (the Pi node's selfcheck): the vendor reachability check against a real local HTTP
// server standing in for a vendor, a closed port, and the offline default that never calls out.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDoctor } from "../../src/doctor/run.ts";
import { vendorReachCheck } from "../../src/doctor/vendor-reach-check.ts";
import { runTrademl } from "../helpers/cli.ts";
import { copyOfShippedConfigs } from "../config/fixtures.ts";

let server: Server;
let vendorUrl = "";
const seenRequests: { url: string | undefined; authorization: string | undefined }[] = [];

/** A port nothing listens on: bound, then closed. */
async function closedPortUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

beforeAll(async () => {
  server = createServer((request, response) => {
    seenRequests.push({ url: request.url, authorization: request.headers.authorization });
    response.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  vendorUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const base = { cwd: process.cwd(), configDir: "configs", envFile: false as const };

describe("vendor reachability (doctor --online)", () => {
  it("passes when each keyed vendor answers, whatever the HTTP status, and sends no key", async () => {
    seenRequests.length = 0;
    const report = await runDoctor({
      ...base,
      env: { FRED_API_KEY: "fredkey0123456789", POLYGON_API_KEY: "polykey0123456789" },
      online: true,
      checks: [vendorReachCheck],
      vendorBaseUrls: { fred: vendorUrl, polygon: `${vendorUrl}/polygon` },
    });
    expect(report.checks[0]?.status).toBe("ok");
    expect(report.checks[0]?.detail).toMatch(/^polygon 127\.0\.0\.1:\d+: HTTP 404 in \d+ ms\nfred 127\.0\.0\.1:\d+: HTTP 404 in \d+ ms$/);
    expect(report.exitCode).toBe(0);
    expect(seenRequests).toEqual([
      { url: "/polygon", authorization: undefined },
      { url: "/", authorization: undefined },
    ]);
  });

  it("fails with exit code 3 naming the vendor when one cannot be reached", async () => {
    const report = await runDoctor({
      ...base,
      env: { FRED_API_KEY: "fredkey0123456789", FINNHUB_API_KEY: "finnkey0123456789" },
      online: true,
      checks: [vendorReachCheck],
      vendorBaseUrls: { fred: vendorUrl, finnhub: await closedPortUrl() },
    });
    expect(report.checks[0]?.status).toBe("fail");
    expect(report.checks[0]?.detail).toMatch(/finnhub 127\.0\.0\.1:\d+: unreachable \(ECONNREFUSED\)/);
    expect(report.checks[0]?.detail).toMatch(/fred 127\.0\.0\.1:\d+: HTTP 404/);
    expect(report.exitCode).toBe(3);
  });

  it("is skipped when no vendor has keys, and not run at all without --online", async () => {
    const none = await runDoctor({ ...base, env: {}, online: true, checks: [vendorReachCheck] });
    expect(none.checks[0]?.status).toBe("skip");
    const offline = await runDoctor({ ...base, env: { FRED_API_KEY: "fredkey0123456789" }, checks: [vendorReachCheck] });
    expect(offline.checks).toEqual([]);
  });

  it("appears in `trademl doctor --online --json` and not in plain `trademl doctor --json`", async () => {
    const temp = await copyOfShippedConfigs();
    try {
      const names = async (args: string[]) => {
        const run = await runTrademl(["--config-dir", "configs", "doctor", "--json", ...args], { LAKE_ROOT: "lake" }, temp.dir);
        return (JSON.parse(run.stdout) as { checks: { name: string; status: string }[] }).checks;
      };
      expect((await names([])).map((c) => c.name)).not.toContain("vendor-reach");
      expect((await names(["--online"])).find((c) => c.name === "vendor-reach")?.status).toBe("skip");
    } finally {
      await temp.cleanup();
    }
  });
});
