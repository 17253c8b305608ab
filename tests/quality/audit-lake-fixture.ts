/**
 * A real local lake in a temp folder with raw bars written as Parquet by DuckDB, for the audit and backfill
 * tests. Minute bars are generated from New York wall-clock times converted with an explicit UTC offset, so the
 * fixture does not share the calendar's time-zone code.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { LocalStore } from "../../src/lake/local-store.ts";
import { newPartKey } from "../../src/lake/keys.ts";
import type { PartFile } from "../../src/lake/types.ts";
import { commitChange } from "../../src/lake/manifest.ts";

export interface MinuteSpec {
  symbol: string;
  date: string;
  /** Hours New York is behind UTC on that date (4 in summer). */
  utcOffsetHours: number;
  /** First bar, "HH:MM" New York time. */
  from: string;
  /** Number of consecutive one-minute bars. */
  count: number;
  /** Extra copies of the first N bars (duplicate deliveries). */
  duplicates?: number;
}

export interface FixtureLake {
  readonly root: string;
  readonly store: LocalStore;
  /** Writes a minute part under raw/<vendor>/<dataset>/date=<date>/ (no manifest: found by listing). */
  putMinuteBars(vendor: string, dataset: string, date: string, specs: readonly MinuteSpec[]): Promise<string>;
  /** Writes a daily part without a date= segment and commits it to the table's manifest with min/max stats. */
  putDailyBars(lakeTable: string, rows: readonly { symbol: string; date: string }[]): Promise<string>;
  dispose(): Promise<void>;
}

function minuteTimes(spec: MinuteSpec): number[] {
  const [h, m] = spec.from.split(":").map(Number);
  const start = Date.parse(`${spec.date}T00:00:00Z`) + (((h ?? 0) + spec.utcOffsetHours) * 60 + (m ?? 0)) * 60_000;
  const times = Array.from({ length: spec.count }, (_, i) => start + i * 60_000);
  return [...times, ...times.slice(0, spec.duplicates ?? 0)];
}

export async function createFixtureLake(): Promise<FixtureLake> {
  const root = await mkdtemp(join(tmpdir(), "trademl-audit-lake-"));
  const scratch = await mkdtemp(join(tmpdir(), "trademl-audit-parts-"));
  const store = new LocalStore({ root: join(root, "lake") });
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  let counter = 0;

  const writeParquet = async (selectSql: string): Promise<string> => {
    counter += 1;
    const path = join(scratch, `p${counter}.parquet`);
    await connection.run(`COPY (${selectSql}) TO '${path}' (FORMAT parquet)`);
    return path;
  };

  return {
    root,
    store,
    async putMinuteBars(vendor, dataset, date, specs) {
      const values = specs.flatMap((spec) => minuteTimes(spec).map((t) => `('${spec.symbol}', ${t})`));
      const select =
        values.length === 0
          ? "SELECT 'X'::VARCHAR AS symbol, TIMESTAMPTZ '2000-01-01 00:00:00+00' AS bar_time, 1.0 AS close WHERE false"
          : `SELECT symbol, make_timestamptz(ms * 1000) AS bar_time, 100.0 AS close FROM (VALUES ${values.join(",")}) v(symbol, ms)`;
      const path = await writeParquet(select);
      const key = newPartKey(`raw/${vendor}/${dataset}/date=${date}`);
      const put = await store.putFile(key, path, { condition: { ifNoneMatch: "*" } });
      if (!put.ok) throw new Error(`fixture part ${key} exists`);
      return key;
    },
    async putDailyBars(lakeTable, rows) {
      const values = rows.map((row) => `('${row.symbol}', DATE '${row.date}')`).join(",");
      const path = await writeParquet(`SELECT symbol, date, 100.0 AS close FROM (VALUES ${values}) v(symbol, date)`);
      const key = newPartKey(lakeTable);
      const put = await store.putFile(key, path, { condition: { ifNoneMatch: "*" } });
      if (!put.ok) throw new Error(`fixture part ${key} exists`);
      const dates = rows.map((row) => row.date).sort();
      const part: PartFile = {
        key,
        rows: rows.length,
        bytes: 0,
        etag: put.etag,
        min: { date: dates[0] ?? null },
        max: { date: dates[dates.length - 1] ?? null },
      };
      await commitChange(store, lakeTable, { kind: "append", add: [part] });
      return key;
    },
    async dispose() {
      connection.closeSync();
      instance.closeSync();
      await store.close();
      await rm(root, { recursive: true, force: true });
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
