// The rate governor on the real clock: pacing, Retry-After, retries, AIMD, cool-down and shared budgets.
import { describe, expect, it } from "vitest";
import { memoryBudgetStore, RateGovernor, spacingOf, type VendorPolicy } from "../../src/vendors/governor.ts";
import { BudgetExhaustedError, EntitlementError, RateLimitedError, VendorUnavailableError } from "../../src/vendors/errors.ts";

const facts = { vendor: "v", path: "/x" };
const policy = (p: Partial<VendorPolicy> = {}): VendorPolicy => ({ rules: [{ limit: 1000, windowMs: 1000 }], maxInflight: 4, backoffBaseMs: 5, backoffCapMs: 10, ...p });

/** Largest number of stamps inside any half-open window of `windowMs`. */
function maxInWindow(stamps: readonly number[], windowMs: number): number {
  const s = [...stamps].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < s.length; i++) {
    while ((s[i] ?? 0) - (s[j] ?? 0) >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe("rate governor", () => {
  it("spaces concurrent callers so no sliding window exceeds the limit, on every rule", async () => {
    const p = policy({ rules: [{ limit: 20, windowMs: 1000 }, { limit: 5, windowMs: 200 }], maxInflight: 16, jitterAllowanceMs: 20 });
    const gov = new RateGovernor({ policies: { v: p } });
    const stamps: number[] = [];
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 30 }, () => gov.run("v", async () => { stamps.push(performance.now()); })));
    const elapsed = performance.now() - t0;
    expect(maxInWindow(stamps, 1000)).toBeLessThanOrEqual(20);
    expect(maxInWindow(stamps, 200)).toBeLessThanOrEqual(5);
    // Smooth, not starved: 29 gaps of one spacing (about 1.5 s here), not two whole windows.
    expect(spacingOf(p)).toBeCloseTo((1000 * 1.01 + 20) / 20, 6);
    expect(elapsed).toBeGreaterThan(29 * spacingOf(p) - 5);
    expect(elapsed).toBeLessThan(29 * spacingOf(p) * 1.35);
  });

  it("honours Retry-After for the whole vendor and retries with backoff", async () => {
    const gov = new RateGovernor({ policies: { v: policy() } });
    let calls = 0;
    const stamps: number[] = [];
    const t0 = performance.now();
    const first = gov.run("v", async () => {
      calls++;
      if (calls === 1) throw new RateLimitedError(facts, 300);
      return "ok";
    });
    await new Promise((r) => setTimeout(r, 20));
    const other = gov.run("v", async () => { stamps.push(performance.now() - t0); });
    expect(await first).toBe("ok");
    await other;
    expect(calls).toBe(2);
    expect(stamps[0]).toBeGreaterThanOrEqual(295);
    const day = Object.values(gov.usage("v"))[0];
    expect(day?.rate_limited).toBe(1);
    expect(day?.retries).toBe(1);
  });

  it("never retries an entitlement refusal, and gives up on a persistent 5xx after maxRetries", async () => {
    const gov = new RateGovernor({ policies: { v: policy({ maxRetries: 2 }) } });
    let calls = 0;
    await expect(gov.run("v", async () => { calls++; throw new EntitlementError(facts, "no access"); })).rejects.toBeInstanceOf(EntitlementError);
    expect(calls).toBe(1);
    calls = 0;
    await expect(gov.run("v", async () => { calls++; throw new VendorUnavailableError({ ...facts, status: 503 }, "down"); })).rejects.toBeInstanceOf(VendorUnavailableError);
    expect(calls).toBe(3);
    expect(Object.values(gov.usage("v"))[0]?.server_errors).toBe(3);
  });

  it("grows the in-flight window slowly on success and halves it on a 429 (AIMD)", async () => {
    const gov = new RateGovernor({ policies: { v: policy({ maxInflight: 8 }) } });
    const start = gov.status("v").window;
    for (let i = 0; i < 20; i++) await gov.run("v", async () => undefined);
    const grown = gov.status("v").window;
    expect(grown).toBeGreaterThan(start);
    expect(grown).toBeLessThanOrEqual(8);
    await gov.run("v", async () => {
      if (gov.status("v").window === grown) throw new RateLimitedError(facts, 1);
    });
    expect(gov.status("v").window).toBeLessThan(grown);
  });

  it("pauses a vendor whose error rate passes the threshold", async () => {
    const gov = new RateGovernor({ policies: { v: policy({ maxRetries: 0, errorMinSamples: 4, errorRateThreshold: 0.5, cooldownMs: 400 }) } });
    for (let i = 0; i < 4; i++) {
      await gov.run("v", async () => { throw new VendorUnavailableError(facts, "x"); }).catch(() => undefined);
    }
    expect(gov.isCoolingDown("v")).toBe(true);
    const t0 = performance.now();
    await gov.run("v", async () => undefined);
    expect(performance.now() - t0).toBeGreaterThan(300);
    expect(gov.isCoolingDown("v")).toBe(false);
  });

  it("shares one daily budget between governors through the budget store", async () => {
    const store = memoryBudgetStore();
    const p = policy({ dailyBudget: 30 });
    const a = new RateGovernor({ policies: { v: p }, budgets: store });
    const b = new RateGovernor({ policies: { v: p }, budgets: store });
    let ok = 0;
    let denied = 0;
    for (let i = 0; i < 40; i++) {
      for (const gov of [a, b]) {
        try {
          await gov.run("v", async () => undefined);
          ok++;
        } catch (error) {
          expect(error).toBeInstanceOf(BudgetExhaustedError);
          denied++;
        }
      }
    }
    expect(ok).toBeLessThanOrEqual(30);
    expect(ok).toBeGreaterThan(0);
    expect(denied).toBe(80 - ok);
    expect(a.status("v").budgetExhausted || b.status("v").budgetExhausted).toBe(true);
  });
});
