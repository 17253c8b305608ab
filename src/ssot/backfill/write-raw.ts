/**
 * Writes fetched bars as raw Parquet parts, one per session date under
 * `raw/<vendor>/<dataset>/date=YYYY-MM-DD/part-<uuidv7>.parquet` (DESIGN.md lake layout), and commits them to
 * the raw table's manifest in one append. Parts are uploaded create-only before the commit, so a crash leaves
 * at most orphaned parts (collected by `lake gc`), never a half-visible batch.
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { IoError } from "../../domain/errors.ts";
import { newPartKey } from "../../lake/keys.ts";
import type { LeaseHandle, Manifest, ObjectStore, PartFile } from "../../lake/types.ts";
import type { EquityBarRow } from "../../vendors/rows.ts";
import { commitChange } from "../_lake.ts";

// The edge collector's bar columns (src/ingest/datasets.ts), so both writers' parts read as one table.
// Timestamps are UTC without a zone (TIMESTAMP), as the collector writes them.
const RAW_BARS_DDL = `symbol VARCHAR, date VARCHAR, bar_time VARCHAR, timeframe VARCHAR,
  open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE, volume DOUBLE, vwap DOUBLE, trades BIGINT,
  source_name VARCHAR, source_uri VARCHAR, ingested_at VARCHAR`;

async function writeDateFile(connection: DuckDBConnection, rows: readonly EquityBarRow[], path: string): Promise<void> {
  await connection.run(`CREATE OR REPLACE TEMP TABLE raw_bars_out (${RAW_BARS_DDL}, ts BIGINT)`);
  const appender = await connection.createAppender("raw_bars_out");
  for (const row of rows) {
    appender.appendVarchar(row.symbol);
    appender.appendVarchar(row.date);
    appender.appendVarchar("");
    appender.appendVarchar(row.timeframe);
    appender.appendDouble(row.open);
    appender.appendDouble(row.high);
    appender.appendDouble(row.low);
    appender.appendDouble(row.close);
    appender.appendDouble(row.volume);
    if (row.vwap === null) appender.appendNull();
    else appender.appendDouble(row.vwap);
    if (row.trades === null) appender.appendNull();
    else appender.appendBigInt(BigInt(Math.round(row.trades)));
    appender.appendVarchar(row.source_name);
    appender.appendVarchar(row.source_uri);
    appender.appendVarchar(row.ingested_at.replace(/Z$/, ""));
    appender.appendBigInt(BigInt(Math.round(row.ts)));
    appender.endRow();
  }
  appender.closeSync();
  await connection.run(`COPY (
    SELECT symbol, CAST(date AS DATE) AS date, make_timestamp(ts * 1000) AS bar_time, timeframe, open, high, low, close,
           volume, vwap, trades, source_name, source_uri, TRY_CAST(ingested_at AS TIMESTAMP) AS ingested_at
    FROM raw_bars_out ORDER BY symbol, ts
  ) TO '${path.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION zstd)`);
}

export interface WrittenBars {
  readonly parts: readonly PartFile[];
  readonly manifest: Manifest | undefined;
}

/** Writes and commits `rows` (already validated by the connector) to `lakeTable`. No rows → no commit. */
export async function writeRawBars(
  store: ObjectStore,
  connection: DuckDBConnection,
  args: { lakeTable: string; rows: readonly EquityBarRow[]; scratchDir: string; lease?: LeaseHandle; writer?: string; signal?: AbortSignal },
): Promise<WrittenBars> {
  const byDate = new Map<string, EquityBarRow[]>();
  for (const row of args.rows) {
    const list = byDate.get(row.date) ?? [];
    list.push(row);
    byDate.set(row.date, list);
  }
  const parts: PartFile[] = [];
  for (const [date, rows] of [...byDate].sort(([a], [b]) => a.localeCompare(b))) {
    const key = newPartKey(`${args.lakeTable}/date=${date}`);
    const path = join(args.scratchDir, `${key.replaceAll("/", "_")}`);
    await writeDateFile(connection, rows, path);
    const put = await store.putFile(key, path, { condition: { ifNoneMatch: "*" }, ...(args.signal === undefined ? {} : { signal: args.signal }) });
    if (!put.ok) throw new IoError("part_exists", `raw part ${key} already exists; part names must be unique`);
    const times = rows.map((row) => row.ts);
    parts.push({
      key,
      rows: rows.length,
      bytes: (await stat(path)).size,
      etag: put.etag,
      min: { date, bar_time: new Date(Math.min(...times)).toISOString() },
      max: { date, bar_time: new Date(Math.max(...times)).toISOString() },
      symbols: [...new Set(rows.map((row) => row.symbol))].sort(),
    });
  }
  if (parts.length === 0) return { parts, manifest: undefined };
  // The lease is checked, not written as the commit's epoch: raw tables are also appended to by the edge
  // collector under its own lease, whose epochs are an independent counter (see RunAuditOptions.lease).
  args.lease?.assertHeld();
  const manifest = await commitChange(store, args.lakeTable, { kind: "append", add: parts }, {
    ...(args.writer === undefined ? {} : { writer: args.writer }),
    ...(args.signal === undefined ? {} : { signal: args.signal }),
  });
  return { parts, manifest };
}
