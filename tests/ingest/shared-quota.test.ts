// Two collector processes and a backfill on one lake against the simulator: together they never exceed Alpaca's
// limit in the simulator's own request log, and they draw from one daily budget — each consumer inside its
// share, all of them inside the vendor's total. Each process pacing itself (as before) would send up to three
// times the limit here, since the two collectors take different Alpaca tables and the backfill a third.
import { afterAll, describe, expect, it } from "vitest";
import { LocalStore } from "../../src/lake/local-store.ts";
import { runBackfill } from "../../src/quality/backfill/backfill.ts";
import { alpacaBarsFetcher } from "../../src/quality/backfill/fetchers.ts";
import { startSimulator } from "../../src/sim/server.ts";
import { defaultVendorLimits } from "../../src/config/schemas/node.ts";
import { createAlpaca } from "../../src/vendors/alpaca.ts";
import { RateGovernor } from "../../src/vendors/governor.ts";
import { closeHttpPool } from "../../src/vendors/http.ts";
import { lakeQuota } from "../../src/vendors/lake-quota.ts";
import { policyFromLimits } from "../../src/vendors/policies.ts";
import { certainMaxInWindow, worstStallMs } from "../helpers/request-windows.ts";
import { spawnCollector, tempDir, type ChildArgs } from "./helpers.ts";

const TODAY = "2026-11-20";
const UNIVERSE = ["AAPL", "MSFT", "SPY", "NVDA"];
// Alpaca at 60 requests a minute, a minute compressed into 3 s: 60 requests per 3 s window.
const TIME_SCALE = 1 / 20;
const LIMIT = 60;
const WINDOW_MS = 60_000 * TIME_SCALE;
// The day's budget binds before the work is done: 100 requests in all, at most 80 for edge and 50 for backfill.
const BUDGET = { total: 100, edge: 80, backfill: 50 };

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  await closeHttpPool();
  for (const c of cleanups) await c();
});

describe("one budget and one pace per vendor", () => {
  it("two collectors and a backfill on one lake stay inside Alpaca's limit and share its daily budget", async () => {
    const sim = await startSimulator({ today: TODAY, universe: UNIVERSE, limits: { alpaca: [{ limit: LIMIT, windowMs: WINDOW_MS }] } });
    const t = await tempDir("trademl-quota-");
    cleanups.push(t.cleanup);
    try {
      // One Alpaca table each, so both collectors send to Alpaca at once (with both tables, the first to start
      // could lease both and leave the other nothing to do).
      const collector = (holder: string, dataset: string): ChildArgs => ({
        simUrl: sim.url, today: TODAY, lake: t.dir, holder, universe: UNIVERSE, datasets: [{ vendor: "alpaca", dataset }],
        historyDays: 400, minuteDays: 20, chunkDays: 10, batchSize: 1, timeScale: TIME_SCALE, workers: 3, leaseWaitMs: 8000,
        sharedQuota: true, alpaca: { requestsPerMinute: LIMIT, dailyBudget: BUDGET.total, share: BUDGET.edge },
      });
      const children = [spawnCollector(collector("collector-a", "equities_minute")), spawnCollector(collector("collector-b", "corporate_actions"))];
      // The backfill starts once the collectors are sending (they take seconds to start on a loaded machine).
      for (let waited = 0; !sim.log.some((e) => e.vendor === "alpaca"); waited += 20) {
        if (waited > 60_000) throw new Error("no collector reached Alpaca within 60 s");
        await new Promise((r) => setTimeout(r, 20));
      }
      const store = new LocalStore({ root: t.dir });
      const governor = new RateGovernor({
        policies: { alpaca: policyFromLimits({ ...defaultVendorLimits().alpaca, requests_per_minute: LIMIT, daily_budget: BUDGET.total }, { timeScale: TIME_SCALE, consumerBudget: BUDGET.backfill }) },
        quota: lakeQuota(store), consumer: "backfill",
      });
      const fetcher = alpacaBarsFetcher(createAlpaca({ governor, baseUrl: sim.baseUrl("alpaca"), keyId: "kid", secretKey: "sec" }));
      const backfill = await runBackfill(store, {
        targets: [{ source: "alpaca", table: "equities_eod", lakeTable: "raw/alpaca/equities_bars", granularity: "daily", priority: 90, earliest: "2025-01-01", chunkDays: 5, symbols: UNIVERSE, batchSize: 1 }],
        fetcherFor: () => fetcher, holder: "backfill", through: "2026-11-19", concurrency: 3,
      });
      const [a, b] = await Promise.all(children.map((c) => c.done));
      expect(a?.code, a?.stderr).toBe(0);
      expect(b?.code, b?.stderr).toBe(0);

      // The budget ran out for everyone: the backfill stopped on it, and so did at least one collector.
      expect(backfill).toMatchObject({ ran: true, stoppedBy: "budget", budgetVendor: "alpaca" });
      const reports = [a, b].map((r) => JSON.parse(r?.report || "{}") as { skipped: { vendor: string; reason: string }[]; committed: number });
      expect(reports.some((r) => r.skipped.some((s) => s.vendor === "alpaca" && /daily budget/.test(s.reason)))).toBe(true);
      expect(reports.every((r) => r.committed > 0)).toBe(true);

      // One counter for Alpaca's day: every request the simulator saw was booked to it, and no consumer went past
      // its share or all of them past the total.
      const alpaca = sim.log.filter((e) => e.vendor === "alpaca");
      const quota = lakeQuota(store);
      const usage = await quota.dailyUsage("alpaca", quota.day());
      expect(usage?.used).toBe(BUDGET.total);
      expect(alpaca.length).toBeLessThanOrEqual(BUDGET.total);
      expect(alpaca.length).toBeGreaterThan(BUDGET.total * 0.8);
      const edge = usage?.consumers["edge"] ?? 0;
      const backfilled = usage?.consumers["backfill"] ?? 0;
      expect(edge + backfilled).toBe(BUDGET.total);
      expect(edge).toBeGreaterThan(0);
      expect(edge).toBeLessThanOrEqual(BUDGET.edge);
      expect(backfilled).toBeGreaterThan(0);
      expect(backfilled).toBeLessThanOrEqual(BUDGET.backfill);

      // One pace: no window of the simulator's log certainly held more than the limit, and its limiter never fired.
      expect(certainMaxInWindow(alpaca, WINDOW_MS), `simulator stalled up to ${worstStallMs(alpaca).toFixed(0)} ms`).toBeLessThanOrEqual(LIMIT);
      expect(alpaca.filter((e) => e.fault === "limit")).toEqual([]);
    } finally {
      await sim.close();
    }
  }, 180_000);
});
