// Two collector processes on one lake share the work through table leases: together they produce exactly
// the rows one collector would (no duplicates, no gaps), and each of them did part of it.
import { afterAll, describe, expect, it } from "vitest";
import { startSimulator } from "../../src/sim/server.ts";
import { sessionsBetween } from "../../src/sim/market.ts";
import { committedRows, keyCounts, spawnCollector, tempDir, type ChildArgs } from "./helpers.ts";

const TODAY = "2026-11-20";
const UNIVERSE = ["AAPL", "MSFT", "SPY", "NVDA"];
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe("two collectors on one lake", () => {
  it("split the tables through leases without duplicating a unit", async () => {
    const sim = await startSimulator({ today: TODAY, universe: UNIVERSE });
    const t = await tempDir("trademl-two-");
    cleanups.push(t.cleanup);
    try {
      const datasets = [
        { vendor: "alpaca", dataset: "equities_bars" }, { vendor: "polygon", dataset: "equities_bars" }, { vendor: "finnhub", dataset: "equities_bars" },
        { vendor: "fred", dataset: "treasury_curve" }, { vendor: "alpaca", dataset: "equities_minute" }, { vendor: "polygon", dataset: "corporate_actions" },
      ];
      const args = (holder: string): ChildArgs => ({
        simUrl: sim.url, today: TODAY, lake: t.dir, holder, universe: UNIVERSE, datasets, historyDays: 40, minuteDays: 3, chunkDays: 10,
        batchSize: 2, timeScale: 1 / 60, workers: 2, leaseWaitMs: 8000,
      });
      const [a, b] = await Promise.all([spawnCollector(args("collector-a")).done, spawnCollector(args("collector-b")).done]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      const ra = JSON.parse(a.report || "{}") as { committed: number; failed: number };
      const rb = JSON.parse(b.report || "{}") as { committed: number; failed: number };
      expect(ra.failed + rb.failed, `${a.stderr}\n${b.stderr}`).toBe(0);
      expect(ra.committed).toBeGreaterThan(0);
      expect(rb.committed).toBeGreaterThan(0);

      const sessions = sessionsBetween("2026-10-11", "2026-11-19");
      for (const vendor of ["alpaca", "polygon", "finnhub"]) {
        const rows = await committedRows(t.dir, `raw/${vendor}/equities_bars`, "symbol, strftime(date, '%Y-%m-%d') AS d");
        const counts = keyCounts(rows, (r) => `${String(r["symbol"])}|${String(r["d"])}`);
        expect([...counts.values()].every((n) => n === 1)).toBe(true);
        expect(counts.size).toBe(UNIVERSE.length * sessions.length);
      }
      const minutes = await committedRows(t.dir, "raw/alpaca/equities_minute", "symbol, epoch_ms(bar_time) AS ms");
      expect([...keyCounts(minutes, (r) => `${String(r["symbol"])}|${String(r["ms"])}`).values()].every((n) => n === 1)).toBe(true);
      const fred = await committedRows(t.dir, "raw/fred/treasury_curve", "series_id, date");
      expect([...keyCounts(fred, (r) => `${String(r["series_id"])}|${String(r["date"])}`).values()].every((n) => n === 1)).toBe(true);
      // The simulator saw each unit's request once per collector at most: no unit was fetched twice.
      const barRequests = sim.log.filter((e) => e.vendor === "polygon" && e.path.includes("/v2/aggs/") && e.status === 200).map((e) => e.path.split("?")[0]);
      expect(new Set(barRequests).size).toBe(barRequests.length);
    } finally {
      await sim.close();
    }
  }, 60_000);
});
