// The rate governor on the real clock: pacing, Retry-After, retries, AIMD, cool-down and shared budgets.
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/domain/logger.ts";
import { RateGovernor, spacingOf, type VendorPolicy } from "../../src/vendors/governor.ts";
import { memoryQuota } from "../../src/vendors/quota.ts";
import { BudgetExhaustedError, EntitlementError, RateLimitedError, VendorUnavailableError } from "../../src/vendors/errors.ts";
import { maxInWindow } from "../helpers/request-windows.ts";

const facts = { vendor: "v", path: "/x" };
const policy = (p: Partial<VendorPolicy> = {}): VendorPolicy => ({ rules: [{ limit: 1000, windowMs: 1000 }], maxInflight: 4, backoffBaseMs: 5, backoffCapMs: 10, ...p });

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

  it("pauses a vendor whose error rate passes the threshold, and logs the rate that triggered it", async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: "warn", sink: { write: (line) => lines.push(line) } });
    const gov = new RateGovernor({ policies: { v: policy({ maxRetries: 0, errorMinSamples: 4, errorRateThreshold: 0.5, cooldownMs: 400 }) }, logger });
    // 2 successes and 2 failures: 50 %, the threshold exactly; the log line must say 0.5, not 1.
    await gov.run("v", async () => undefined);
    await gov.run("v", async () => undefined);
    for (let i = 0; i < 2; i++) {
      await gov.run("v", async () => { throw new VendorUnavailableError(facts, "x"); }).catch(() => undefined);
    }
    expect(gov.isCoolingDown("v")).toBe(true);
    const logged = lines.map((line) => JSON.parse(line) as { msg: string; error_rate?: number; requests?: number }).find((entry) => entry.msg === "vendor cooling down");
    expect(logged).toMatchObject({ error_rate: 0.5, requests: 4 });
    const t0 = performance.now();
    await gov.run("v", async () => undefined);
    expect(performance.now() - t0).toBeGreaterThan(300);
    expect(gov.isCoolingDown("v")).toBe(false);
  });

  it("shares one daily budget between governors through the quota", async () => {
    const quota = memoryQuota();
    const p = policy({ dailyBudget: 30 });
    const a = new RateGovernor({ policies: { v: p }, quota });
    const b = new RateGovernor({ policies: { v: p }, quota, consumer: "backfill" });
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

  it("keeps each consumer inside its share and every consumer together inside the vendor's total", async () => {
    const quota = memoryQuota();
    const edge = new RateGovernor({ policies: { v: policy({ dailyBudget: 10, consumerBudget: 6 }) }, quota, consumer: "edge" });
    const backfill = new RateGovernor({ policies: { v: policy({ dailyBudget: 10, consumerBudget: 6 }) }, quota, consumer: "backfill" });
    const spend = async (gov: RateGovernor, n: number): Promise<number> => {
      let ok = 0;
      for (let i = 0; i < n; i++) {
        try {
          await gov.run("v", async () => undefined);
          ok++;
        } catch (error) {
          expect(error).toBeInstanceOf(BudgetExhaustedError);
        }
      }
      return ok;
    };
    expect(await spend(edge, 9)).toBe(6);
    await expect(edge.run("v", async () => undefined)).rejects.toThrow(/edge share of v's daily budget is spent: 6 of 10/);
    // The edge share is spent, not the vendor's budget: backfill may still use what is left of the total.
    expect(await spend(backfill, 9)).toBe(4);
    await expect(backfill.run("v", async () => undefined)).rejects.toThrow(/v has used its daily budget of 10/);
    expect(quota.used("v", quota.day())).toEqual({ total: 10, consumers: { edge: 6, backfill: 4 } });
  });

  it("two governors on one quota send inside one pace: together no faster than one alone", async () => {
    const quota = memoryQuota();
    const p = policy({ rules: [{ limit: 10, windowMs: 500 }], maxInflight: 4, jitterAllowanceMs: 20 });
    const a = new RateGovernor({ policies: { v: p }, quota });
    const b = new RateGovernor({ policies: { v: p }, quota, consumer: "backfill" });
    const stamps: number[] = [];
    const calls = (gov: RateGovernor) => Array.from({ length: 15 }, () => gov.run("v", async () => { stamps.push(performance.now()); }));
    await Promise.all([...calls(a), ...calls(b)]);
    expect(stamps).toHaveLength(30);
    expect(maxInWindow(stamps, 500)).toBeLessThanOrEqual(10);
  });

  it("a Retry-After seen by one governor holds the others on the same quota", async () => {
    const quota = memoryQuota();
    const a = new RateGovernor({ policies: { v: policy() }, quota });
    const b = new RateGovernor({ policies: { v: policy() }, quota });
    let first = true;
    const t0 = performance.now();
    await a.run("v", async () => {
      if (first) {
        first = false;
        throw new RateLimitedError(facts, 300);
      }
    });
    // b never saw the 429, but its next slot lies after the pause a shared.
    const sent: number[] = [];
    await b.run("v", async () => { sent.push(performance.now() - t0); });
    expect(sent[0]).toBeGreaterThanOrEqual(290);
  });

  it("a slot a stalled loop missed costs the stall, not a whole spacing, and is counted", async () => {
    // A clock whose first sleep overshoots by 200 ms, as a blocked event loop does.
    let t = 0;
    let overshoot = 200;
    const clock = { now: () => t, day: () => "2026-11-20", sleep: async (ms: number) => { t += ms + overshoot; overshoot = 0; } };
    const p = policy({ rules: [{ limit: 1, windowMs: 1000 }], maxInflight: 1, jitterAllowanceMs: 100 });
    const gov = new RateGovernor({ policies: { v: p }, clock });
    const sent: number[] = [];
    await gov.run("v", async () => { sent.push(t); });
    await gov.run("v", async () => { sent.push(t); });
    // The second slot was at one spacing (1110 ms); the sleep woke at 1310, past its 55 ms tolerance. Nothing was
    // sent in it, so the pace resumes now instead of a spacing later (2220).
    expect(spacingOf(p)).toBeCloseTo(1110, 6);
    expect(sent).toEqual([0, 1310]);
    expect(Object.values(gov.usage("v"))[0]?.missed_slots).toBe(1);
  });
});
