// The vendor quota shared through a real local lake: one daily counter per vendor with consumer shares, one pace
// for every governor (each with its own quota object, as separate processes have), on the store's clock.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { todayUtc } from "../../src/domain/calendar/dates.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { BudgetExhaustedError } from "../../src/vendors/errors.ts";
import { RateGovernor, type VendorPolicy } from "../../src/vendors/governor.ts";
import { lakeQuota } from "../../src/vendors/lake-quota.ts";
import { maxInWindow } from "../helpers/request-windows.ts";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "trademl-quota-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A lake whose store clock is `skewMs` away from this machine's (a Pi that booted without network time sees this). */
class SkewedStore extends LocalStore {
  private readonly skewMs: number;
  constructor(dir: string, skewMs: number) {
    super({ root: dir });
    this.skewMs = skewMs;
  }
  override async serverTime(): Promise<Date> {
    return new Date(Date.now() + this.skewMs);
  }
}

describe("lake quota", () => {
  it("three governors with their own quota objects on one lake send inside one pace", async () => {
    const dir = join(root, "pace");
    const policy: VendorPolicy = { rules: [{ limit: 8, windowMs: 400 }], maxInflight: 4, jitterAllowanceMs: 30 };
    const governors = ["edge", "backfill", "options"].map((consumer) => new RateGovernor({ policies: { v: policy }, quota: lakeQuota(new LocalStore({ root: dir })), consumer }));
    const stamps: number[] = [];
    await Promise.all(governors.flatMap((gov) => Array.from({ length: 12 }, () => gov.run("v", async () => { stamps.push(performance.now()); }))));
    expect(stamps).toHaveLength(36);
    // Three governors pacing alone would put up to 24 requests in a window.
    expect(maxInWindow(stamps, 400)).toBeLessThanOrEqual(8);
  });

  it("books one counter per vendor and day, with each consumer's share as a sub-limit, on the store's clock", async () => {
    // The store's clock is 36 hours ahead of this machine's: budgets are booked to the store's day.
    const store = new SkewedStore(join(root, "budget"), 36 * 3_600_000);
    const storeDay = todayUtc(new Date(Date.now() + 36 * 3_600_000));
    const policy: VendorPolicy = { rules: [{ limit: 1000, windowMs: 1000 }], maxInflight: 2, dailyBudget: 12, consumerBudget: 8 };
    const edge = new RateGovernor({ policies: { v: policy }, quota: lakeQuota(store), consumer: "edge" });
    const backfill = new RateGovernor({ policies: { v: policy }, quota: lakeQuota(store), consumer: "backfill" });
    let ok = 0;
    const denied: BudgetExhaustedError[] = [];
    await Promise.all([edge, backfill].flatMap((gov) => Array.from({ length: 10 }, () =>
      gov.run("v", async () => { ok++; }).catch((error: unknown) => {
        if (!(error instanceof BudgetExhaustedError)) throw error;
        denied.push(error);
      }))));
    expect(ok).toBe(12);
    expect(denied).toHaveLength(8);
    expect(denied.every((error) => error.day === storeDay)).toBe(true);
    const usage = await lakeQuota(store).dailyUsage("v", storeDay);
    expect(usage?.used).toBe(12);
    expect((usage?.consumers["edge"] ?? 0) + (usage?.consumers["backfill"] ?? 0)).toBe(12);
    expect(Math.max(usage?.consumers["edge"] ?? 0, usage?.consumers["backfill"] ?? 0)).toBeLessThanOrEqual(8);
    expect(await lakeQuota(store).dailyUsage("v", todayUtc())).toBeUndefined();
  });

  it("maps the store's slots onto this process's clock whatever the wall clock says", async () => {
    // Two processes whose store clock reads an hour off still share one pace: only the offset matters.
    const dir = join(root, "skew");
    const policy: VendorPolicy = { rules: [{ limit: 5, windowMs: 300 }], maxInflight: 2, jitterAllowanceMs: 30 };
    const governors = [0, 1].map(() => new RateGovernor({ policies: { v: policy }, quota: lakeQuota(new SkewedStore(dir, -3_600_000)) }));
    const stamps: number[] = [];
    const t0 = performance.now();
    await Promise.all(governors.flatMap((gov) => Array.from({ length: 10 }, () => gov.run("v", async () => { stamps.push(performance.now()); }))));
    expect(maxInWindow(stamps, 300)).toBeLessThanOrEqual(5);
    // And not stalled for an hour by the skew: 20 requests at about 66 ms each.
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});
