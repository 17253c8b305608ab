/**
 * A real local lake in a temp folder with raw vendor parts written as Parquet by DuckDB, for curation tests.
 */
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { LocalStore } from "../../src/lake/local-store.ts";
import { commitParts } from "../../src/lake/manifest.ts";
import { lakeAccess, type LakeAccess } from "../../src/lake/lake-access.ts";
import type { ObjectStore } from "../../src/lake/types.ts";

export interface BarRow {
  symbol: string;
  date: string;
  open?: number;
  high?: number;
  low?: number;
  close: number;
  volume?: number;
  /** Minute bars: the bar's timestamp (UTC), e.g. "2024-06-04 13:31:00". */
  ts?: string;
}

export interface ActionRow {
  symbol: string;
  ex_date: string;
  action_type: "split" | "dividend" | string;
  ratio?: number | null;
  amount?: number | null;
}

export interface TestLake {
  root: string;
  store: ObjectStore;
  lake: LakeAccess;
  /** Writes one raw part and returns its key. */
  /** `timeColumn`: the name minute bars' `ts` is written under (the collector's `bar_time` for audited lakes). */
  putBars(vendor: string, rows: readonly BarRow[], dataset?: string, timeColumn?: string): Promise<string>;
  putActions(vendor: string, rows: readonly ActionRow[]): Promise<string>;
  putDelistings(vendor: string, rows: readonly { symbol: string; delist_date: string; reason?: string }[]): Promise<string>;
  /** Runs SQL against an in-memory DuckDB and returns plain rows. */
  query<T>(sql: string): Promise<T[]>;
  /** Local paths of a table's current parts. */
  partPaths(table: string, seq?: number): Promise<string[]>;
  close(): Promise<void>;
}

function lit(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number") return Number.isFinite(value) ? `${value}::DOUBLE` : `'${value}'::DOUBLE`;
  return `'${String(value).replace(/'/g, "''")}'`;
}

let counter = 0;

/** A test lake on a LocalStore in a temp folder, or on `options.store` (e.g. an S3Store on MinIO). */
export async function createTestLake(options: { readonly store?: ObjectStore } = {}): Promise<TestLake> {
  const root = await mkdtemp(join(tmpdir(), "trademl-curate-test-"));
  const scratch = await mkdtemp(join(tmpdir(), "trademl-curate-scratch-"));
  const store = options.store ?? new LocalStore({ root: join(root, "lake") });
  const lake = lakeAccess(store, { cacheDir: join(scratch, "cache") });
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();

  /** Writes a raw part and commits it to its raw table's manifest, as the collector does. */
  async function writeParquet(select: string, key: string): Promise<string> {
    counter += 1;
    const path = join(scratch, `f${counter}.parquet`);
    await connection.run(`COPY (${select}) TO '${path}' (FORMAT parquet)`);
    const result = await store.putFile(key, path, { condition: { ifNoneMatch: "*" } });
    if (!result.ok) throw new Error(`key exists: ${key}`);
    const table = key.split("/").slice(0, 3).join("/");
    const rows = await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${path}')`);
    const n = (rows.getRowObjectsJS()[0] as { n: number }).n;
    await commitParts(store, table, [{ key, rows: n, bytes: (await stat(path)).size, etag: result.etag }]);
    return key;
  }

  return {
    root,
    store,
    lake,
    async putBars(vendor, rows, dataset = "equities_bars", timeColumn = "ts") {
      const minute = rows.some((r) => r.ts !== undefined);
      const values = rows
        .map((r) =>
          `(${lit(r.symbol)}, ${lit(r.date)}::DATE, ${lit(r.open ?? r.close)}, ${lit(r.high ?? Math.max(r.open ?? r.close, r.close))}, ` +
          `${lit(r.low ?? Math.min(r.open ?? r.close, r.close))}, ${lit(r.close)}, ${lit(r.volume ?? 1000)}, TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (${counter}) SECOND` +
          `${minute ? `, ${lit(r.ts)}::TIMESTAMP` : ""})`,
        )
        .join(", ");
      const first = rows[0]?.date ?? "1970-01-01";
      return writeParquet(
        `SELECT * FROM (VALUES ${values}) t(symbol, date, open, high, low, close, volume, ingested_at${minute ? `, ${timeColumn}` : ""})`,
        lake.newPartKey(`raw/${vendor}/${dataset}/date=${first}`),
      );
    },
    async putActions(vendor, rows) {
      const values = rows
        .map((r) => `(${lit(r.symbol)}, ${lit(r.ex_date)}::DATE, ${lit(r.action_type)}, ${lit(r.ratio ?? null)}, ${lit(r.amount ?? null)})`)
        .join(", ");
      return writeParquet(
        `SELECT * FROM (VALUES ${values}) t(symbol, ex_date, action_type, ratio, amount)`,
        lake.newPartKey(`raw/${vendor}/corporate_actions/date=${rows[0]?.ex_date ?? "1970-01-01"}`),
      );
    },
    async putDelistings(vendor, rows) {
      const values = rows.map((r) => `(${lit(r.symbol)}, ${lit(r.delist_date)}::DATE, ${lit(r.reason ?? "acquired")})`).join(", ");
      return writeParquet(
        `SELECT * FROM (VALUES ${values}) t(symbol, delist_date, reason)`,
        lake.newPartKey(`raw/${vendor}/delistings/date=${rows[0]?.delist_date ?? "1970-01-01"}`),
      );
    },
    async query<T>(sql: string) {
      const reader = await connection.runAndReadAll(sql);
      return reader.getRowObjectsJS() as T[];
    },
    async partPaths(table, seq) {
      const manifest = await lake.readManifest(table, seq);
      return lake.localPaths((manifest?.files ?? []).map((file) => file.key));
    },
    async close() {
      connection.closeSync();
      instance.closeSync();
      await rm(root, { recursive: true, force: true });
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
