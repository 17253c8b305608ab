// One node pass as `trademl node up --once` runs it — configuration from configs/ and the environment, real
// connector code — pointed at the simulator (the test hook `baseUrls`; there is no network here).
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import { runNodePass } from "../../src/ingest/node-pass.ts";
import { readLakeOrigin } from "../../src/ingest/ingest-lake.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { startSimulator } from "../../src/sim/server.ts";
import { closeHttpPool } from "../../src/vendors/http.ts";
import { lakeQuota } from "../../src/vendors/lake-quota.ts";
import { addDays } from "../../src/domain/calendar/dates.ts";
import { committedRows, tempDir } from "./helpers.ts";

const CONFIGS = fileURLToPath(new URL("../../configs", import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  await closeHttpPool();
  for (const c of cleanups) await c();
});

describe("node pass", () => {
  it("collects the edge.yml tasks of the vendors with keys, books the edge budget, and explains the rest", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const sim = await startSimulator({ today, universe: ["AAPL", "SPY"] });
    const t = await tempDir("trademl-node-pass-");
    cleanups.push(t.cleanup);
    try {
      const loaded = await loadConfig({ configDir: CONFIGS, env: { ALPACA_API_KEY_ID: "kid-0000", ALPACA_API_SECRET_KEY: "secret-0000", FRED_API_KEY: "0123456789abcdef0123456789abcdef", NODE_WORKERS: "3" }, envFile: false, cwd: t.dir });
      // The shipped limits are per minute; this test has seconds.
      const fast = { requests_per_minute: 6000 };
      // node.yml says Alpaca's plan serves 10 days; edge.yml wants 365 days of daily bars: 10 it is.
      const config = { ...loaded, node: { ...loaded.node, vendors: { ...loaded.node.vendors, alpaca: { ...loaded.node.vendors.alpaca, ...fast, history_window_days: 10 }, fred: { ...loaded.node.vendors.fred, ...fast } } } };
      expect(config.edge.history_days).toBe(365);
      const store = new LocalStore({ root: `${t.dir}/lake` });
      const pass = await runNodePass({ config, store, universe: ["AAPL", "SPY"], baseUrls: { alpaca: sim.baseUrl("alpaca"), fred: sim.baseUrl("fred") } });
      expect(pass.skippedVendors.map((s) => s.vendor).sort()).toEqual(["finnhub", "polygon"]);
      expect(pass.report?.failed).toBe(0);
      const tables = Object.keys(pass.report?.rows ?? {}).sort();
      // edge.yml: alpaca_bars, alpaca_minute, alpaca_corporate_actions, alpaca_options, fred_treasury (+ polygon and
      // finnhub tasks: no keys).
      expect(tables).toEqual(["raw/alpaca/corporate_actions", "raw/alpaca/equities_bars", "raw/alpaca/equities_minute", "raw/alpaca/options_chains", "raw/fred/treasury_curve"]);
      expect(await readLakeOrigin(store)).toBe("real");
      const bars = await committedRows(`${t.dir}/lake`, "raw/alpaca/equities_bars", "strftime(min(date), '%Y-%m-%d') AS first");
      expect(String(bars[0]?.["first"]) >= addDays(today, -9), String(bars[0]?.["first"])).toBe(true);
      // FRED is not limited by Alpaca's window: edge.yml's year.
      const fred = await committedRows(`${t.dir}/lake`, "raw/fred/treasury_curve", "strftime(min(date), '%Y-%m-%d') AS first");
      expect(String(fred[0]?.["first"]) < addDays(today, -300), String(fred[0]?.["first"])).toBe(true);
      const requests = sim.log.filter((e) => e.vendor === "alpaca").length;
      // One counter for the vendor's day, booked to the edge collector's share.
      const budget = await lakeQuota(store).dailyUsage("alpaca", today);
      expect(budget?.budget).toBe(config.node.vendors.alpaca.daily_budget);
      expect(budget?.consumers).toEqual({ edge: budget?.used });
      expect(budget?.used).toBeGreaterThanOrEqual(requests);
      expect(sim.log.some((e) => e.path.includes("0123456789abcdef"))).toBe(false);
    } finally {
      await sim.close();
    }
  }, 60_000);
});
