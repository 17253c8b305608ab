// Rate-limit storm end to end: the simulator answers 30% of requests with 429 + Retry-After for a while.
// No unit may be lost or duplicated, the request rate measured from the simulator's own log may never exceed
// the configured limit, and once the storm passes the collector must run at full speed again. The storm is
// defined by request numbers and the limit is judged on what the log proves (tests/helpers/request-windows.ts),
// so a loaded machine can neither dodge the storm nor make the simulator's own stalls look like a burst.
import { afterAll, describe, expect, it } from "vitest";
import { runCollection } from "../../src/ingest/collector.ts";
import { simConnectors } from "../../src/ingest/sim-connectors.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { sessionsBetween } from "../../src/sim/market.ts";
import { startSimulator } from "../../src/sim/server.ts";
import { RateGovernor, spacingOf } from "../../src/vendors/governor.ts";
import { closeHttpPool } from "../../src/vendors/http.ts";
import { certainMaxInWindow, worstStallMs } from "../helpers/request-windows.ts";
import { committedRows, keyCounts, tempDir } from "./helpers.ts";

const TODAY = "2026-11-20";
const LIMIT = 25;
const WINDOW_MS = 1000;
const UNIVERSE = ["AAPL", "MSFT", "NVDA", "AMZN", "SPY", "QQQ", "IWM", "TSLA"];

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
      // 60 ms of jitter allowance: simulator and collector share this process's event loop.
      const policy = { rules: [{ limit: LIMIT, windowMs: WINDOW_MS }], maxInflight: 4, backoffBaseMs: 50, backoffCapMs: 1000, maxRetries: 10, cooldownMs: 500, errorWindowMs: 1000, jitterAllowanceMs: 60 };
      const governor = new RateGovernor({ policies: { alpaca: policy } });
      // Requests 20 to 49 (of about 170) meet the storm; each 429 holds the vendor for its one-second Retry-After.
      sim.setFaults("alpaca", { rate429: 0.3, retryAfterSeconds: 1, fromRequest: 20, untilRequest: 50 });
      const report = await runCollection({
        store: new LocalStore({ root: t.dir }), origin: "simulated", connectors: simConnectors(sim, governor, { vendors: ["alpaca"] }), governor,
        universe: UNIVERSE, datasets: [{ vendor: "alpaca", dataset: "equities_minute" }], today: TODAY, minuteDays: 28, batchSize: 1, workers: 4, holder: "storm",
      });

      const sessions = sessionsBetween("2026-10-23", "2026-11-19");
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
      const storm = alpaca.filter((e) => e.fault === "storm");
      expect(storm.length).toBeGreaterThan(3);
      // Measured by the simulator: no 1-second window certainly held more than the limit, and its own limiter
      // never fired. (The worst stall of the simulator's own loop is in the message: it says how loaded the run was.)
      expect(certainMaxInWindow(alpaca, WINDOW_MS), `simulator stalled up to ${worstStallMs(alpaca).toFixed(0)} ms`).toBeLessThanOrEqual(LIMIT);
      expect(alpaca.filter((e) => e.fault === "limit")).toEqual([]);

      // Full speed once the storm has passed (after the last Retry-After ran out): requests follow each other at
      // the governor's spacing again — no lingering hold, backoff or slower pace. A starved process (a loaded
      // machine) sends late and irregularly, but whenever it catches up its queued requests go at consecutive
      // slots, one spacing apart; a governor still slowed by the storm would stretch every gap. So at least a
      // quarter of the gaps must be at the pace.
      const calm = (storm.at(-1)?.atMs ?? 0) + 1000 + 100;
      const after = alpaca.filter((e) => e.earliestMs > calm).map((e) => e.atMs);
      expect(after.length).toBeGreaterThan(15);
      const gaps = after.slice(1).map((t, i) => t - (after[i] ?? t)).sort((a, b) => a - b);
      const lowerQuartile = gaps[Math.floor(gaps.length / 4)] ?? Infinity;
      expect(lowerQuartile, `gaps after the storm: ${gaps.map((g) => g.toFixed(0)).join(" ")}`).toBeLessThan(1.2 * spacingOf(policy));
    } finally {
      await sim.close();
    }
  }, 60_000);
});
