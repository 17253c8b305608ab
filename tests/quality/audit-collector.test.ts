// The audit over what the real edge collector writes (its Parquet columns, date= keys, manifests, empty parts),
// collected from the simulator: every collected session must come out GREEN, minute bars included.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCollection } from "../../src/ingest/collector.ts";
import { simConnectors } from "../../src/ingest/sim-connectors.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { sessionsBetween } from "../../src/sim/market.ts";
import { startSimulator, type Simulator } from "../../src/sim/server.ts";
import { RateGovernor } from "../../src/vendors/governor.ts";
import { closeHttpPool } from "../../src/vendors/http.ts";
import { policiesFromLimits } from "../../src/vendors/policies.ts";
import { auditTarget } from "../../src/quality/audit/audit.ts";
import { readLedgerRows } from "../../src/quality/audit/coverage.ts";
import { AUDITED_TABLES, rawLakeTable } from "../../src/quality/audited-tables.ts";

const TODAY = "2026-11-20";
const THROUGH = "2026-11-19";
const UNIVERSE = ["AAPL", "MSFT", "SPY"];
let sim: Simulator;
let root: string;
let store: LocalStore;

beforeAll(async () => {
  sim = await startSimulator({ today: TODAY, universe: UNIVERSE });
  root = await mkdtemp(join(tmpdir(), "trademl-audit-collector-"));
  store = new LocalStore({ root });
  const governor = new RateGovernor({ policies: policiesFromLimits(undefined, 1 / 120) });
  await runCollection({
    store, origin: "simulated", connectors: simConnectors(sim, governor, { vendors: ["alpaca"] }), governor, universe: UNIVERSE,
    datasets: [{ vendor: "alpaca", dataset: "equities_bars" }, { vendor: "alpaca", dataset: "equities_minute" }],
    today: TODAY, historyDays: 20, minuteDays: 3, workers: 2, holder: "collector",
  });
});
afterAll(async () => {
  await sim.close();
  await closeHttpPool();
  await store.close();
  await rm(root, { recursive: true, force: true });
});

describe("audit over the edge collector's raw tables", () => {
  for (const table of ["equities_eod", "equities_minute"] as const) {
    it(`finds every collected ${table} session complete`, async () => {
      const target = { source: "alpaca", table, lakeTable: rawLakeTable("alpaca", table), granularity: AUDITED_TABLES[table].granularity };
      const result = await auditTarget(store, target, { through: THROUGH });
      const rows = await readLedgerRows(store, { table });
      expect(rows.length).toBeGreaterThan(0);
      expect(new Set(rows.map((row) => row.symbol))).toEqual(new Set(UNIVERSE));
      expect(rows.filter((row) => row.status !== "GREEN")).toEqual([]);
      // One partition per symbol and session from the first collected session to THROUGH.
      const first = rows.map((row) => row.session).sort()[0] ?? THROUGH;
      expect(rows).toHaveLength(UNIVERSE.length * sessionsBetween(first, THROUGH).length);
      expect(result.counts).toEqual({ GREEN: rows.length, AMBER: 0, RED: 0 });
      if (table === "equities_minute") {
        // 2026-11-19 is a regular Thursday: 390 one-minute bars per symbol.
        expect(rows.filter((row) => row.session === THROUGH).map((row) => row.rows)).toEqual([390, 390, 390]);
      }
    });
  }
});
