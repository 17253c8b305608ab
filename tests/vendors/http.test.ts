// The HTTP edge: how a vendor's "slow down" is read, and that a 429 from the simulator is waited out, not failed.
import { afterAll, describe, expect, it } from "vitest";
import { startSimulator } from "../../src/sim/server.ts";
import { RateGovernor } from "../../src/vendors/governor.ts";
import { retryAfterMs } from "../../src/domain/backoff.ts";
import { closeHttpPool, getJson } from "../../src/vendors/http.ts";

afterAll(async () => {
  await closeHttpPool();
});

describe("vendor HTTP", () => {
  it("reads Retry-After as seconds or an HTTP date, else X-RateLimit-Reset as an epoch or a delta", () => {
    const now = Date.parse("2026-11-20T12:00:00Z");
    expect(retryAfterMs({ "retry-after": "3" }, now)).toBe(3000);
    expect(retryAfterMs({ "retry-after": "Fri, 20 Nov 2026 12:00:05 GMT" }, now)).toBe(5000);
    expect(retryAfterMs({ "x-ratelimit-reset": String(now / 1000 + 7) }, now)).toBe(7000);
    expect(retryAfterMs({ "x-ratelimit-reset": "2" }, now)).toBe(2000);
    expect(retryAfterMs({}, now)).toBeUndefined();
  });

  it("waits out a vendor's 429 (Retry-After) and then succeeds, counting it", async () => {
    const sim = await startSimulator({ today: "2026-11-20", limits: { fred: [{ limit: 1, windowMs: 800 }] } });
    try {
      const governor = new RateGovernor({ policies: { fred: { rules: [{ limit: 100, windowMs: 1000 }], maxInflight: 1, backoffBaseMs: 10, backoffCapMs: 20 } } });
      const url = `${sim.baseUrl("fred")}/fred/series/observations?series_id=DGS10&api_key=k&file_type=json&observation_start=2026-11-02`;
      await getJson({ governor, vendor: "fred" }, url);
      const t0 = performance.now();
      const second = await getJson({ governor, vendor: "fred" }, url);
      expect(second.status).toBe(200);
      // The simulator asked for ≥ 1 s (Retry-After is whole seconds); the governor waited it out.
      expect(performance.now() - t0).toBeGreaterThanOrEqual(950);
      const day = Object.values(governor.usage("fred"))[0];
      expect(day?.rate_limited).toBe(1);
      expect(day?.ok).toBe(2);
      expect(sim.log.filter((e) => e.status === 429)).toHaveLength(1);
    } finally {
      await sim.close();
    }
  });
});
