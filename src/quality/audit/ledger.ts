/**
 * The partition_status ledger in the lake: table `qc/partition_status`, one Parquet part per (source, table),
 * replaced by a manifest commit whenever its content changes. The part's min/max statistics carry its source
 * and table so a reader finds it without opening every part.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readManifest } from "../../lake/manifest.ts";
import type { ObjectStore, PartFile } from "../../lake/types.ts";
import { IoError } from "../../domain/errors.ts";
import { sqlString, type DuckSession } from "../../db/session.ts";

export const LEDGER_TABLE = "qc/partition_status";

/** DuckDB DDL of the ledger (also the Parquet schema). */
export const LEDGER_COLUMNS = `
  source VARCHAR, table_name VARCHAR, symbol VARCHAR, session DATE,
  rows INTEGER, raw_rows INTEGER, duplicates INTEGER, expected INTEGER, ratio DOUBLE,
  status VARCHAR, reasons VARCHAR[], partition_fp VARCHAR, audited_at TIMESTAMP`;

/** The part holding the ledger of one (source, table), if any. */
export function ledgerPartOf(parts: readonly PartFile[], source: string, table: string): PartFile | undefined {
  return parts.find((part) => part.min?.["source"] === source && part.min?.["table_name"] === table);
}

export async function ledgerParts(store: ObjectStore, signal?: AbortSignal): Promise<{ parts: readonly PartFile[]; seq: number | undefined }> {
  const manifest = await readManifest(store, LEDGER_TABLE, signal === undefined ? {} : { signal });
  return { parts: manifest?.files ?? [], seq: manifest?.seq };
}

/** A scratch directory for downloaded parts, removed by `dispose`. */
export async function scratchDir(): Promise<{ path: string; dispose: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), "trademl-audit-"));
  return { path, dispose: () => rm(path, { recursive: true, force: true }) };
}

/** A store whose objects are already files on this machine (LocalStore): DuckDB can read them in place. */
interface LocalPaths {
  resolvePath(key: string): Promise<string | undefined>;
}

function hasLocalPaths(store: ObjectStore): store is ObjectStore & LocalPaths {
  return store.kind === "local" && typeof (store as Partial<LocalPaths>).resolvePath === "function";
}

/**
 * Local paths DuckDB can read for `keys`, in the order given: a local lake's files in place (parts are
 * immutable, so the path stays valid), anything else downloaded into `dir`.
 */
export async function downloadParts(store: ObjectStore, keys: readonly string[], dir: string, signal?: AbortSignal): Promise<string[]> {
  const paths: string[] = [];
  for (const [index, key] of keys.entries()) {
    if (hasLocalPaths(store)) {
      const path = await store.resolvePath(key);
      if (path === undefined) throw new IoError("part_missing", `the manifest lists ${key} but the lake does not have it; run \`trademl lake probe\` or restore the part`);
      paths.push(path);
      continue;
    }
    const path = join(dir, `part-${index}.parquet`);
    const head = await store.getToFile(key, path, signal === undefined ? {} : { signal });
    if (head === undefined) {
      throw new IoError("part_missing", `the manifest lists ${key} but the store does not have it; run \`trademl lake probe\` or restore the part`);
    }
    paths.push(path);
  }
  return paths;
}

/** Creates `name` in DuckDB from Parquet files (ledger schema), or empty when there are none. */
export async function loadLedgerTable(db: DuckSession, name: string, paths: readonly string[]): Promise<void> {
  await db.run(`CREATE OR REPLACE TEMP TABLE ${name} (${LEDGER_COLUMNS})`);
  if (paths.length === 0) return;
  const list = paths.map(sqlString).join(", ");
  await db.run(`INSERT INTO ${name} BY NAME SELECT * FROM read_parquet([${list}], hive_partitioning = false)`);
}

/** Downloads every ledger part and exposes them as the DuckDB table `partition_status`. */
export async function loadWholeLedger(store: ObjectStore, db: DuckSession, dir: string, signal?: AbortSignal): Promise<number | undefined> {
  const { parts, seq } = await ledgerParts(store, signal);
  const paths = await downloadParts(store, parts.map((part) => part.key), dir, signal);
  await loadLedgerTable(db, "partition_status", paths);
  return seq;
}
