/**
 * Writing curated outputs: staging folders, uploading a local Parquet file as a new immutable part with its
 * manifest facts, content fingerprints (so unchanged tables are not re-committed) and loading a table's parts.
 */
import { mkdtemp, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IoError } from "../domain/errors.ts";
import type { Manifest, PartFile } from "../lake/types.ts";
import { sqlList, sqlString, type DuckSession } from "../db/session.ts";
import type { LakeAccess } from "../lake/lake-access.ts";

/** Content fingerprint of a relation, independent of row order. */
export async function fingerprint(duck: DuckSession, relation: string): Promise<string> {
  const rows = await duck.rows<{ h: string | null }>(
    `SELECT md5(coalesce(string_agg(CAST(t AS VARCHAR), chr(10) ORDER BY CAST(t AS VARCHAR)), '')) AS h FROM ${relation} t`,
  );
  return rows[0]?.h ?? "";
}

export interface Staging {
  readonly dir: string;
  next(name: string): string;
}

export async function makeStaging(): Promise<Staging> {
  const dir = await mkdtemp(join(tmpdir(), "trademl-curate-"));
  let n = 0;
  return {
    dir,
    next(name) {
      n += 1;
      return join(dir, `${String(n).padStart(5, "0")}-${name}`);
    },
  };
}

export interface WrittenPart {
  readonly part: PartFile;
}

/** What a manifest records about a part, when the writer already knows it. */
export interface PartFacts {
  readonly rows: number;
  readonly min_date: string | null;
  readonly max_date: string | null;
  readonly symbols: string[] | null;
}

/**
 * Uploads one local parquet file as a new part of `table`, describing it for the manifest (row count and, for
 * bar tables, the date range and symbols); `facts` skips re-reading the file when the writer knows them.
 */
export async function uploadPart(
  lake: LakeAccess,
  duck: DuckSession,
  table: string,
  prefix: string,
  localPath: string,
  withSymbols: boolean,
  facts?: PartFacts,
): Promise<WrittenPart> {
  const key = lake.newPartKey(prefix);
  const result = await lake.store.putFile(key, localPath, { condition: { ifNoneMatch: "*" } });
  if (!result.ok) throw new IoError("part_exists", `${table}: fresh part key ${key} already exists`);
  const info = await stat(localPath);
  const described =
    facts === undefined
      ? await duck.rows<{ rows: number; min_date: string | null; max_date: string | null; symbols: string[] | null }>(
          `SELECT count(*)::DOUBLE AS rows,
            ${withSymbols ? "min(date)::VARCHAR" : "NULL"} AS min_date,
            ${withSymbols ? "max(date)::VARCHAR" : "NULL"} AS max_date,
            ${withSymbols ? "list(DISTINCT symbol ORDER BY symbol)" : "NULL"} AS symbols
     FROM read_parquet(${sqlString(localPath)}, hive_partitioning = false)`,
        )
      : [facts];
  const d = described[0];
  const part: PartFile = {
    key,
    rows: d?.rows ?? 0,
    bytes: info.size,
    etag: result.etag,
    ...(withSymbols && d?.min_date != null ? { min: { date: d.min_date }, max: { date: d.max_date ?? null } } : {}),
    ...(withSymbols && d?.symbols != null ? { symbols: d.symbols } : {}),
  };
  return { part };
}

export async function writeRelation(duck: DuckSession, relation: string, path: string, order: string): Promise<void> {
  await duck.run(
    `COPY (SELECT * FROM ${relation} ORDER BY ${order}) TO ${sqlString(path)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`,
  );
}

/** Reads a table's current parts into a temp table (an empty one with `columns` when the table is new). */
export async function loadTable(
  duck: DuckSession,
  lake: LakeAccess,
  manifest: Manifest | undefined,
  name: string,
  columns: string,
): Promise<void> {
  const files = manifest?.files ?? [];
  if (files.length === 0) {
    await duck.run(`CREATE OR REPLACE TEMP TABLE ${name} (${columns})`);
    return;
  }
  const paths = await lake.localPaths(files.map((file) => file.key));
  await duck.run(`CREATE OR REPLACE TEMP TABLE ${name} AS SELECT * FROM read_parquet(${sqlList(paths)}, union_by_name = true, hive_partitioning = false)`);
}


/** Runs `work` over `items` with at most `limit` in flight (uploads overlap their fsync waits). */
export async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      if (item !== undefined) await work(item);
    }
  });
  await Promise.all(runners);
}
