/** Helpers for the DAG tests that run the real steps: a raw demo lake, a config with short leases, table contents. */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { packageConfigDir } from "../../src/config/package-config-dir.ts";
import { runDemo } from "../../src/demo/index.ts";
import { listTables, readManifest } from "../../src/lake/index.ts";
import { LocalStore } from "../../src/lake/local-store.ts";

export const DEMO_TODAY = "2026-11-20";

/** Collects a small simulated raw lake (no post-collection steps) into a new folder. */
export async function rawDemoLake(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "trademl-dag-raw-"));
  await runDemo({ lakeDir: dir, symbols: ["AAPL", "MSFT", "SPY"], days: 30, minuteDays: 1, today: DEMO_TODAY, steps: [] });
  return dir;
}

export async function copyLake(from: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "trademl-dag-lake-"));
  await cp(from, dir, { recursive: true });
  return dir;
}

/**
 * The shipped configs with leases of 10 s (renewed every 2 s; shorter ones get lost on a busy 2-core machine), so a run resumed after a SIGKILL waits seconds,
 * not the 120 s default, for the dead process's leases to lapse.
 */
export async function shortLeaseConfigDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "trademl-dag-config-"));
  await cp(packageConfigDir(), dir, { recursive: true });
  for (const file of ["node.yml", "curator.yml"]) {
    const text = await readFile(join(dir, file), "utf8");
    await writeFile(join(dir, file), text.replace(/lease_seconds: \d+/, "lease_seconds: 10").replace(/renew_seconds: \d+/, "renew_seconds: 2"));
  }
  await mkdir(join(dir, "training"), { recursive: true });
  return dir;
}

/** Columns that differ between two runs over the same inputs by design (when a row was written). */
const RUN_STAMPS = new Set(["ingested_at", "audited_at"]);

/** Every non-raw table's committed rows, sorted, without the run stamps: what "the same lake" means here. */
export async function derivedTables(lakeDir: string): Promise<Record<string, unknown[]>> {
  const store = new LocalStore({ root: lakeDir });
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  const out: Record<string, unknown[]> = {};
  try {
    for (const table of await listTables(store)) {
      if (table.startsWith("raw/")) continue;
      const files = (await readManifest(store, table))?.files.filter((f) => f.rows > 0) ?? [];
      const paths: string[] = [];
      for (const f of files) {
        const path = await store.resolvePath(f.key);
        if (path === undefined) throw new Error(`committed part ${f.key} of ${table} is missing`);
        paths.push(`'${path.replaceAll("'", "''")}'`);
      }
      if (paths.length === 0) {
        out[table] = [];
        continue;
      }
      const source = `read_parquet([${paths.join(", ")}], union_by_name = true, hive_partitioning = false)`;
      const columns = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`)).getRowObjectsJS().map((r) => String(r["column_name"]));
      const kept = columns.filter((c) => !RUN_STAMPS.has(c)).map((c) => `"${c}"`).join(", ");
      out[table] = (await conn.runAndReadAll(`SELECT ${kept} FROM ${source} ORDER BY ALL`)).getRowObjectsJS();
    }
  } finally {
    conn.closeSync();
    db.closeSync();
  }
  return out;
}

export async function removeAll(dirs: readonly string[]): Promise<void> {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
}
