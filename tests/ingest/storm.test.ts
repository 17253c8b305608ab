// Rate-limit storm end to end: the simulator answers 30% of requests with 429 + Retry-After for a while.
// No unit may be lost or duplicated, the request rate measured from the simulator's own log may never exceed
// the configured limit, and once the storm passes the collector must run at full speed again.
import { afterAll, describe, expect, it } from "vitest";
import { runCollection } from "../../src/ingest/collector.ts";
import { simConnectors } from "../../src/ingest/sim-connectors.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { sessionsBetween } from "../../src/sim/market.ts";
import { startSimulator } from "../../src/sim/server.ts";
import { RateGovernor } from "../../src/vendors/governor.ts";
import { closeHttpPool } from "../../src/vendors/http.ts";
import { committedRows, keyCounts, tempDir } from "./helpers.ts";

const TODAY = "2026-11-20";
const LIMIT = 25;
const WINDOW_MS = 1000;
const UNIVERSE = ["AAPL", "MSFT", "NVDA", "AMZN", "SPY", "QQQ", "IWM", "TSLA"];

function maxInWindow(stamps: readonly number[], windowMs: number): number {
  let best = 0;
  for (let i = 0, j = 0; i < stamps.length; i++) {
    while ((stamps[i] ?? 0) - (stamps[j] ?? 0) >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  await closeHttpPool();
  for (const c of cleanups) await c();
});

describe("rate-limit storm", () => {
  it("loses and duplicates nothing, never exceeds the limit, and recovers to full speed", async () => {
    const sim = await startSimulator({ today: TODAY, universe: UNIVERSE, limits: { alpaca: [{ limit: LIMIT, windowMs: WINDOW_MS }] } });
    const t = await tempDir("trademl-storm-");
    cleanups.push(t.cleanup);
    try {
      const governor = new RateGovernor({
        // 60 ms of jitter allowance: simulator and collector share this process's event loop.
        policies: { alpaca: { rules: [{ limit: LIMIT, windowMs: WINDOW_MS }], maxInflight: 4, backoffBaseMs: 50, backoffCapMs: 1000, maxRetries: 10, cooldownMs: 500, errorWindowMs: 1000, jitterAllowanceMs: 60 } },
      });
      const stormStart = sim.now();
      const stormEnd = stormStart + 2000;
      sim.setFaults("alpaca", { rate429: 0.3, retryAfterSeconds: 1, fromMs: stormStart, untilMs: stormEnd });
      const report = await runCollection({
        store: new LocalStore({ root: t.dir }), origin: "simulated", connectors: simConnectors(sim, governor, { vendors: ["alpaca"] }), governor,
        universe: UNIVERSE, datasets: [{ vendor: "alpaca", dataset: "equities_minute" }], today: TODAY, minuteDays: 14, batchSize: 1, workers: 4, holder: "storm",
      });

      const sessions = sessionsBetween("2026-11-06", "2026-11-19");
      expect(report.units).toBe(UNIVERSE.length * sessions.length);
      expect(report.committed).toBe(report.units);
      expect(report.failed).toBe(0);

      // Nothing lost, nothing doubled: every (symbol, minute) exactly once, every session complete.
      const rows = await committedRows(t.dir, "raw/alpaca/equities_minute", "symbol, strftime(date, '%Y-%m-%d') AS d, epoch_ms(bar_time) AS ms");
      const perMinute = keyCounts(rows, (r) => `${String(r["symbol"])}|${String(r["ms"])}`);
      expect([...perMinute.values()].every((n) => n === 1)).toBe(true);
      const perDay = keyCounts(rows, (r) => `${String(r["symbol"])}|${String(r["d"])}`);
      for (const s of UNIVERSE) for (const d of sessions) expect(perDay.get(`${s}|${d}`)).toBe(sim.market.minuteBars(s, d).length);

      const alpaca = sim.log.filter((e) => e.vendor === "alpaca");
      const stamps = alpaca.map((e) => e.atMs);
      expect(alpaca.filter((e) => e.fault === "storm").length).toBeGreaterThan(0);
      // Measured by the simulator: no 1-second window ever held more than the limit, and its own limiter never fired.
      expect(maxInWindow(stamps, WINDOW_MS)).toBeLessThanOrEqual(LIMIT);
      expect(alpaca.filter((e) => e.fault === "limit")).toEqual([]);

      // Full speed after the storm (past the last Retry-After): at least 85% of the allowed rate.
      const after = stamps.filter((s) => s > stormEnd + 1100);
      expect(after.length).toBeGreaterThan(30);
      const first = after[0] ?? 0;
      const last = after.at(-1) ?? 0;
      const rate = ((after.length - 1) / (last - first)) * 1000;
      expect(rate).toBeGreaterThan(0.85 * LIMIT);
      expect(rate).toBeLessThanOrEqual(LIMIT * 1.01);
    } finally {
      await sim.close();
    }
  }, 60_000);
});
