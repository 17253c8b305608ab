/**
 * DuckDB over the lake: views over a table's manifest file list, Parquet parts written through
 * `COPY ... TO` a temp file then uploaded create-only and committed, and compaction as an ordinary commit.
 * Readers pass DuckDB the explicit file list of one manifest (never a glob), which is what gives snapshot
 * isolation: files committed later, orphans and foreign files are invisible to the query.
 */
import { randomUUID } from "node:crypto";
import { mkdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DataError, UsageError } from "../domain/errors.ts";
import { newPartKey } from "../lake/keys.ts";
import { commitChange, readManifest } from "../lake/manifest.ts";
import { S3Store } from "../lake/s3-store.ts";
import type { CommitOptions, Manifest, ObjectStore, PartFile, StatValue } from "../lake/types.ts";
import { ReadCache } from "../lake/read-cache.ts";
import { type DuckSession, sqlIdentifier, sqlList, sqlString } from "./session.ts";

export interface TableViewOptions {
  /** Pin a manifest seq (backtests); default latest. */
  readonly seq?: number;
  /** View name; default the table name with "/" → "__". */
  readonly viewName?: string;
  /** Required for S3 stores; LocalStore parts are read in place. */
  readonly cache?: ReadCache;
  /**
   * S3 only: read parts directly as `s3://` URLs through DuckDB's httpfs extension when it is already
   * installed (it is never downloaded here); otherwise fall back to the read cache. Default false.
   */
  readonly direct?: boolean;
  readonly signal?: AbortSignal;
}

export interface TableView {
  readonly view: string;
  readonly manifest: Manifest;
  /** Local paths, or `s3://` URLs when `direct` is true. */
  readonly paths: readonly string[];
  readonly direct: boolean;
}

/** Loads httpfs (never installs it) and registers the store's credentials as a DuckDB secret. */
async function enableDirectReads(session: DuckSession, store: S3Store): Promise<boolean> {
  try {
    await session.run("LOAD httpfs");
  } catch {
    return false;
  }
  const c = store.directReadConfig();
  const fields = [
    "TYPE s3",
    `REGION ${sqlString(c.region)}`,
    `URL_STYLE ${sqlString(c.pathStyle ? "path" : "vhost")}`,
    `USE_SSL ${c.useSsl ? "true" : "false"}`,
    ...(c.endpoint === undefined ? [] : [`ENDPOINT ${sqlString(c.endpoint)}`]),
    ...(c.accessKeyId === undefined || c.secretAccessKey === undefined ? ["PROVIDER credential_chain"] : [`KEY_ID ${sqlString(c.accessKeyId)}`, `SECRET ${sqlString(c.secretAccessKey)}`]),
    ...(c.sessionToken === undefined ? [] : [`SESSION_TOKEN ${sqlString(c.sessionToken)}`]),
  ];
  // The credentials sit on lines after the first: SQL error messages quote only a statement's first line.
  await session.run(`CREATE OR REPLACE SECRET trademl_lake (\n${fields.join(",\n")}\n)`);
  return true;
}

export function defaultViewName(table: string): string {
  return table.replace(/\//g, "__");
}

/**
 * Creates (or replaces) a view over `table` at its latest or pinned seq. A table with no commit, or with no
 * files, is a DataError; a part listed but missing is a DataError naming the key.
 */
export async function createTableView(session: DuckSession, store: ObjectStore, table: string, options: TableViewOptions = {}): Promise<TableView> {
  const manifest = await readManifest(store, table, {
    ...(options.seq === undefined ? {} : { seq: options.seq }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (manifest === undefined) throw new DataError("table_missing", `table "${table}" has no manifest in ${store.description}`, { details: { table } });
  if (manifest.files.length === 0) throw new DataError("table_empty", `table "${table}" at seq ${manifest.seq} has no files`, { details: { table } });
  const view = options.viewName ?? defaultViewName(table);
  if (options.direct === true && store instanceof S3Store && (await enableDirectReads(session, store))) {
    const urls = manifest.files.map((file) => `s3://${store.bucket}/${file.key}`);
    await session.run(`CREATE OR REPLACE VIEW ${sqlIdentifier(view)} AS SELECT * FROM read_parquet(${sqlList(urls)}, union_by_name = true)`);
    return { view, manifest, paths: urls, direct: true };
  }
  const cache = options.cache ?? (store.kind === "local" ? new ReadCache({ dir: tmpdir() }) : undefined);
  if (cache === undefined) throw new UsageError("read_cache_required", `reading table "${table}" from ${store.description} needs a read cache folder`);
  const paths = await cache.materialize(store, manifest.files, { table, ...(options.signal === undefined ? {} : { signal: options.signal }) });
  await session.run(`CREATE OR REPLACE VIEW ${sqlIdentifier(view)} AS SELECT * FROM read_parquet(${sqlList(paths)}, union_by_name = true)`);
  return { view, manifest, paths, direct: false };
}

export interface WritePartOptions {
  /** Where the part goes: a folder such as `curated/equity_bars/date=2024-01-02`; the name is a fresh uuidv7. */
  readonly prefix: string;
  /** Columns to record min/max of (partition and time columns). */
  readonly statsColumns?: readonly string[];
  /** Column with symbols: recorded when the part has at most `maxSymbols` distinct ones (default 64). */
  readonly symbolColumn?: string;
  readonly maxSymbols?: number;
  /** Scratch folder for the temp Parquet file; default the OS temp folder. */
  readonly scratchDir?: string;
  readonly signal?: AbortSignal;
}

const INTEGER_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/;

function toStat(value: unknown, type: string | undefined): StatValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "string") {
    if (type !== undefined && INTEGER_TYPES.test(type)) {
      const n = Number(value);
      return Number.isSafeInteger(n) ? n : value;
    }
    return value;
  }
  return JSON.stringify(value);
}

/**
 * Writes the result of `select` as one Parquet part: `COPY (select) TO <temp>` (zstd), reads back row count and
 * stats, uploads it create-only under a fresh key, and returns the PartFile to commit. Nothing is committed.
 */
export async function writeParquetPart(session: DuckSession, store: ObjectStore, select: string, options: WritePartOptions): Promise<PartFile> {
  const key = newPartKey(options.prefix);
  const scratch = join(options.scratchDir ?? tmpdir(), `trademl-part-${randomUUID()}`);
  await mkdir(scratch, { recursive: true });
  const temp = join(scratch, "part.parquet");
  try {
    await session.run(`COPY (${select}) TO ${sqlString(temp)} (FORMAT parquet, COMPRESSION zstd)`);
    const source = `read_parquet(${sqlString(temp)})`;
    const described = await session.rows<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${source}`);
    const types = new Map(described.map((row) => [row.column_name, row.column_type]));
    for (const column of [...(options.statsColumns ?? []), ...(options.symbolColumn === undefined ? [] : [options.symbolColumn])]) {
      if (!types.has(column)) throw new UsageError("unknown_column", `stats column "${column}" is not in the part's columns (${[...types.keys()].join(", ")})`);
    }
    const statSql = (options.statsColumns ?? []).flatMap((column, i) => [`min(${sqlIdentifier(column)}) AS "min_${i}"`, `max(${sqlIdentifier(column)}) AS "max_${i}"`]);
    const [row] = await session.rows(`SELECT count(*)::BIGINT AS "rows"${statSql.length > 0 ? `, ${statSql.join(", ")}` : ""} FROM ${source}`);
    const rows = Number(row?.["rows"] ?? 0);
    const min: Record<string, StatValue> = {};
    const max: Record<string, StatValue> = {};
    (options.statsColumns ?? []).forEach((column, i) => {
      min[column] = toStat(row?.[`min_${i}`], types.get(column));
      max[column] = toStat(row?.[`max_${i}`], types.get(column));
    });
    let symbols: string[] | undefined;
    if (options.symbolColumn !== undefined) {
      const limit = options.maxSymbols ?? 64;
      const distinct = await session.rows<{ s: string | null }>(`SELECT DISTINCT ${sqlIdentifier(options.symbolColumn)}::VARCHAR AS s FROM ${source} ORDER BY 1 LIMIT ${limit + 1}`);
      if (distinct.length <= limit) symbols = distinct.flatMap((d) => (d.s === null ? [] : [d.s]));
    }
    const bytes = (await stat(temp)).size;
    const put = await store.putFile(key, temp, { condition: { ifNoneMatch: "*" }, contentType: "application/vnd.apache.parquet", ...(options.signal === undefined ? {} : { signal: options.signal }) });
    if (!put.ok) throw new DataError("part_exists", `part key "${key}" already exists; uuidv7 collision or a reused key`);
    return {
      key,
      rows,
      bytes,
      etag: put.etag,
      ...(options.statsColumns === undefined || options.statsColumns.length === 0 ? {} : { min, max }),
      ...(symbols === undefined ? {} : { symbols }),
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** writeParquetPart + commitParts: the usual "append a batch" path. */
export async function appendQueryResult(
  session: DuckSession,
  store: ObjectStore,
  table: string,
  select: string,
  options: WritePartOptions & { readonly commit?: CommitOptions },
): Promise<Manifest> {
  const part = await writeParquetPart(session, store, select, options);
  return commitChange(store, table, { kind: "append", add: [part] }, options.commit ?? {});
}

export interface CompactOptions {
  /** Files with fewer rows than this are "small" (default 1 000 000). */
  readonly smallRows?: number;
  /** Compact a folder only when it has at least this many small files (default 4). */
  readonly minFiles?: number;
  readonly statsColumns?: readonly string[];
  readonly symbolColumn?: string;
  readonly cache?: ReadCache;
  readonly commit?: CommitOptions;
  readonly scratchDir?: string;
}

export interface CompactResult {
  readonly manifest: Manifest | undefined;
  readonly groups: number;
  readonly filesRemoved: number;
  readonly filesAdded: number;
}

/**
 * Rewrites each folder's small files into one part and commits the swap as a `compact` commit. The old
 * files stay in the lake (older manifests still reference them) until manifest history is trimmed.
 */
export async function compactTable(session: DuckSession, store: ObjectStore, table: string, options: CompactOptions = {}): Promise<CompactResult> {
  const manifest = await readManifest(store, table);
  if (manifest === undefined) throw new DataError("table_missing", `table "${table}" has no manifest`, { details: { table } });
  const smallRows = options.smallRows ?? 1_000_000;
  const minFiles = options.minFiles ?? 4;
  const byFolder = new Map<string, PartFile[]>();
  for (const file of manifest.files) {
    if (file.rows >= smallRows) continue;
    const folder = dirname(file.key);
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), file]);
  }
  const groups = [...byFolder.entries()].filter(([, files]) => files.length >= minFiles);
  if (groups.length === 0) return { manifest: undefined, groups: 0, filesRemoved: 0, filesAdded: 0 };
  const cache = options.cache ?? new ReadCache({ dir: join(tmpdir(), "trademl-compact-cache") });
  const added: PartFile[] = [];
  const removed: string[] = [];
  for (const [folder, files] of groups) {
    const paths = await cache.materialize(store, files, { table });
    const part = await writeParquetPart(session, store, `SELECT * FROM read_parquet(${sqlList(paths)}, union_by_name = true)`, {
      prefix: folder,
      ...(options.statsColumns === undefined ? {} : { statsColumns: options.statsColumns }),
      ...(options.symbolColumn === undefined ? {} : { symbolColumn: options.symbolColumn }),
      ...(options.scratchDir === undefined ? {} : { scratchDir: options.scratchDir }),
    });
    const expected = files.reduce((sum, file) => sum + file.rows, 0);
    if (part.rows !== expected) throw new DataError("compact_mismatch", `compacting ${folder}: wrote ${part.rows} rows from files listing ${expected}`);
    added.push(part);
    removed.push(...files.map((file) => file.key));
  }
  const committed = await commitChange(store, table, { kind: "replace", operation: "compact", add: added, remove: removed }, options.commit ?? {});
  return { manifest: committed, groups: groups.length, filesRemoved: removed.length, filesAdded: added.length };
}
