// The raw write path shared by the edge collector and backfill (src/db/raw-parts.ts): one table written by both
// has one partition layout and one schema, and the same bar has the same key whoever wrote it. And readers go by
// manifest only: a part uploaded but never committed (an orphan) is never read, by the audit or by curation.
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CURATE_TABLES, curateEquities } from "../../src/curate/curate-equities.ts";
import { DuckSession } from "../../src/db/session.ts";
import { runCollection } from "../../src/ingest/collector.ts";
import { simConnectors } from "../../src/ingest/sim-connectors.ts";
import { lakeAccess } from "../../src/lake/lake-access.ts";
import { newPartKey, rawTable } from "../../src/lake/keys.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { readManifest } from "../../src/lake/manifest.ts";
import { auditLake } from "../../src/quality/audit/audit-lake.ts";
import { auditTarget } from "../../src/quality/audit/audit.ts";
import { readLedgerRows } from "../../src/quality/audit/coverage.ts";
import { runBackfill } from "../../src/quality/backfill/backfill.ts";
import { alpacaBarsFetcher } from "../../src/quality/backfill/fetchers.ts";
import { startSimulator, type Simulator } from "../../src/sim/server.ts";
import { createAlpaca } from "../../src/vendors/alpaca.ts";
import { RateGovernor } from "../../src/vendors/governor.ts";
import { closeHttpPool } from "../../src/vendors/http.ts";
import { policiesFromLimits } from "../../src/vendors/policies.ts";

const TODAY = "2026-11-20";
const THROUGH = "2026-11-19";
const UNIVERSE = ["AAPL", "MSFT"];
let sim: Simulator;
const roots: string[] = [];

beforeAll(async () => {
  sim = await startSimulator({ today: TODAY, universe: UNIVERSE });
});
afterAll(async () => {
  await sim.close();
  await closeHttpPool();
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

async function freshLake(): Promise<{ root: string; store: LocalStore }> {
  const root = await mkdtemp(join(tmpdir(), "trademl-raw-write-"));
  roots.push(root);
  return { root, store: new LocalStore({ root }) };
}

async function partsOf(store: LocalStore, table: string): Promise<{ keys: string[]; paths: string[] }> {
  const files = (await readManifest(store, table))?.files ?? [];
  const paths: string[] = [];
  for (const file of files) paths.push((await store.resolvePath(file.key)) ?? "");
  return { keys: files.map((file) => file.key), paths };
}

describe("one raw write path", () => {
  it("a raw table written by the collector and by backfill has one partition layout, one schema and one key per bar", async () => {
    const { store } = await freshLake();
    const governor = new RateGovernor({ policies: policiesFromLimits(undefined, 1 / 120) });
    const collected = await runCollection({
      store, origin: "simulated", connectors: simConnectors(sim, governor, { vendors: ["alpaca"] }), governor, universe: UNIVERSE,
      datasets: [{ vendor: "alpaca", dataset: "equities_bars" }], today: TODAY, historyDays: 20, workers: 2, holder: "collector",
    });
    expect(collected.failed).toBe(0);
    const table = rawTable("alpaca", "equities_bars");
    const target = { source: "alpaca", table: "equities_eod", lakeTable: table, granularity: "daily" as const };
    await auditTarget(store, target, { through: THROUGH });
    const collectorParts = (await partsOf(store, table)).keys.length;

    const alpaca = createAlpaca({ governor, baseUrl: sim.baseUrl("alpaca"), keyId: "kid", secretKey: "sec" });
    const report = await runBackfill(store, {
      targets: [{ ...target, priority: 90, earliest: "2026-09-01", chunkDays: 30, symbols: UNIVERSE, batchSize: 10 }],
      fetcherFor: () => alpacaBarsFetcher(alpaca), holder: "backfill", through: THROUGH,
    });
    expect(report.ran && report.tasks.some((task) => task.partsWritten > 0)).toBe(true);

    const { keys, paths } = await partsOf(store, table);
    expect(keys.length).toBeGreaterThan(collectorParts);
    // Every part, whoever wrote it, sits in a month= folder (the table's layout), never date=.
    for (const key of keys) expect(key).toMatch(/^raw\/alpaca\/equities_bars\/month=\d{4}-\d{2}\/part-[0-9a-f-]{36}\.parquet$/);
    const db = await DuckSession.create({ threads: 1, kernels: false });
    try {
      const schemas = new Set<string>();
      for (const path of paths) {
        const described = await db.rows<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM read_parquet('${path}', hive_partitioning = false)`);
        schemas.add(described.map((c) => `${c.column_name}:${c.column_type}`).join(","));
      }
      expect(schemas.size).toBe(1);
      const list = paths.map((path) => `'${path}'`).join(", ");
      // The same daily bar has the same bar_time from both writers (the session date at 00:00 UTC), so it meets
      // itself downstream; and no session was written twice.
      const bad = await db.rows(`SELECT count(*)::INT AS n FROM read_parquet([${list}], hive_partitioning = false) WHERE bar_time <> CAST(date AS TIMESTAMP)`);
      expect(bad).toEqual([{ n: 0 }]);
      const twice = await db.rows(`SELECT count(*)::INT AS n FROM (SELECT symbol, date FROM read_parquet([${list}], hive_partitioning = false) GROUP BY ALL HAVING count(*) > 1)`);
      expect(twice).toEqual([{ n: 0 }]);
      const first = await db.rows<{ d: string }>(`SELECT min(date)::VARCHAR AS d FROM read_parquet([${list}], hive_partitioning = false)`);
      expect(first[0]?.d.slice(0, 7)).toBe("2026-09");
    } finally {
      db.close();
    }
  });
});

describe("readers never list data folders", () => {
  it("a lake with uncommitted orphan parts is never read: not by the audit, not by curation", async () => {
    const { store } = await freshLake();
    const lake = lakeAccess(store);
    const db = await DuckSession.create({ threads: 1, kernels: false });
    try {
      const scratch = await mkdtemp(join(tmpdir(), "trademl-orphans-"));
      roots.push(scratch);
      const bars = async (symbol: string, table: string, commit: boolean): Promise<void> => {
        const path = join(scratch, `${symbol}.parquet`);
        await db.run(`COPY (SELECT '${symbol}' AS symbol, d::DATE AS date, d::TIMESTAMP AS bar_time, 10.0 AS open, 11.0 AS high, 9.0 AS low, 10.5 AS close, 1000.0 AS volume
          FROM unnest(['2026-11-16', '2026-11-17', '2026-11-18']) t(d)) TO '${path}' (FORMAT parquet)`);
        const key = newPartKey(`${table}/month=2026-11`);
        const put = await store.putFile(key, path, { condition: { ifNoneMatch: "*" } });
        if (!put.ok) throw new Error("exists");
        const bytes = (await stat(path)).size;
        if (commit) await lake.commitChange(table, { kind: "append", add: [{ key, rows: 3, bytes, etag: put.etag, min: { date: "2026-11-16" }, max: { date: "2026-11-18" }, symbols: [symbol] }] });
      };
      await bars("GOOD", rawTable("alpaca", "equities_bars"), true);
      // An orphan next to committed parts, and a table holding nothing but an orphan (no manifest at all).
      await bars("ORPHAN", rawTable("alpaca", "equities_bars"), false);
      await bars("STRAY", rawTable("polygon", "equities_bars"), false);

      const audit = await auditLake(store, { vendors: ["alpaca", "polygon"], holder: "test", through: "2026-11-18", tables: ["equities_eod"] });
      expect(audit.ran).toBe(true);
      const ledger = await readLedgerRows(store);
      expect([...new Set(ledger.map((row) => `${row.source}/${row.symbol}`))]).toEqual(["alpaca/GOOD"]);

      const curated = await curateEquities({ lake, sourcePriority: ["alpaca", "polygon"] });
      expect(curated.rebuiltSymbols).toEqual(["GOOD"]);
      const adjusted = (await lake.readManifest(CURATE_TABLES.adjusted))?.files ?? [];
      expect(adjusted.flatMap((file) => file.symbols ?? [])).toEqual(["GOOD"]);
    } finally {
      db.close();
    }
  });
});
