/**
 * Writes fetched rows as raw Parquet parts, one per date under
 * `raw/<vendor>/<dataset>/date=YYYY-MM-DD/part-<uuidv7>.parquet` (DESIGN.md lake layout), and commits them to
 * the raw table's manifest in one append. Parts are uploaded create-only before the commit, so a crash leaves
 * at most orphaned parts (collected by `lake gc`), never a half-visible batch. Columns and types are the edge
 * collector's (src/ingest/datasets.ts), so both writers' parts read as one table; timestamps are UTC without a
 * zone (TIMESTAMP), as the collector writes them.
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { DuckDBAppender, DuckDBConnection } from "@duckdb/node-api";
import { sqlString } from "../../db/sql-literal.ts";
import { IoError } from "../../domain/errors.ts";
import { newPartKey } from "../../lake/keys.ts";
import type { LeaseHandle, Manifest, ObjectStore, PartFile, StatValue } from "../../lake/types.ts";
import type { CorporateActionRow, EquityBarRow } from "../../vendors/rows.ts";
import { commitChange } from "../../lake/manifest.ts";

type ColumnType = "VARCHAR" | "DATE" | "TIMESTAMP" | "DOUBLE" | "BIGINT";
type Cell = string | number | null;

const BAR_COLUMNS: readonly (readonly [string, ColumnType])[] = [
  ["symbol", "VARCHAR"], ["date", "DATE"], ["bar_time", "TIMESTAMP"], ["timeframe", "VARCHAR"], ["open", "DOUBLE"],
  ["high", "DOUBLE"], ["low", "DOUBLE"], ["close", "DOUBLE"], ["volume", "DOUBLE"], ["vwap", "DOUBLE"], ["trades", "BIGINT"],
  ["source_name", "VARCHAR"], ["source_uri", "VARCHAR"], ["ingested_at", "TIMESTAMP"],
];
const ACTION_COLUMNS: readonly (readonly [string, ColumnType])[] = [
  ["symbol", "VARCHAR"], ["ex_date", "DATE"], ["action_type", "VARCHAR"], ["ratio", "DOUBLE"], ["amount", "DOUBLE"],
  ["record_date", "DATE"], ["pay_date", "DATE"], ["source_name", "VARCHAR"], ["source_uri", "VARCHAR"], ["ingested_at", "TIMESTAMP"],
];

/** ISO instant → the "YYYY-MM-DD HH:MM:SS.sss" form DuckDB casts to a UTC TIMESTAMP. */
const utcTimestamp = (iso: string): string => iso.replace("T", " ").replace(/Z$/, "");

function barCells(row: EquityBarRow): Cell[] {
  return [
    row.symbol, row.date, utcTimestamp(new Date(row.ts).toISOString()), row.timeframe, row.open, row.high, row.low, row.close,
    row.volume, row.vwap, row.trades === null ? null : Math.round(row.trades), row.source_name, row.source_uri, utcTimestamp(row.ingested_at),
  ];
}

function actionCells(row: CorporateActionRow): Cell[] {
  return [
    row.symbol, row.ex_date, row.action === "split" ? "split" : "dividend", row.ratio, row.cash, row.record_date, row.pay_date,
    row.source_name, row.source_uri, utcTimestamp(row.ingested_at),
  ];
}

function append(appender: DuckDBAppender, type: ColumnType, cell: Cell): void {
  if (cell === null) appender.appendNull();
  else if (type === "DOUBLE") appender.appendDouble(Number(cell));
  else if (type === "BIGINT") appender.appendBigInt(BigInt(cell));
  else appender.appendVarchar(String(cell));
}

/** One Parquet file from rows; DATE and TIMESTAMP go through VARCHAR and are cast on the way out. */
async function writeFile(connection: DuckDBConnection, columns: readonly (readonly [string, ColumnType])[], rows: readonly Cell[][], path: string): Promise<void> {
  const staged = columns.map(([name, type]) => `${name} ${type === "DATE" || type === "TIMESTAMP" ? "VARCHAR" : type}`).join(", ");
  await connection.run(`CREATE OR REPLACE TEMP TABLE raw_out (${staged})`);
  const appender = await connection.createAppender("raw_out");
  for (const row of rows) {
    columns.forEach(([, type], index) => append(appender, type, row[index] ?? null));
    appender.endRow();
  }
  appender.closeSync();
  const select = columns.map(([name, type]) => (type === "DATE" || type === "TIMESTAMP" ? `TRY_CAST(${name} AS ${type}) AS ${name}` : name)).join(", ");
  await connection.run(`COPY (SELECT ${select} FROM raw_out ORDER BY ALL) TO ${sqlString(path)} (FORMAT parquet, COMPRESSION zstd)`);
}

export interface WrittenRows {
  readonly parts: readonly PartFile[];
  readonly manifest: Manifest | undefined;
}

interface WriteArgs {
  readonly lakeTable: string;
  readonly scratchDir: string;
  readonly lease?: LeaseHandle;
  readonly writer?: string;
  readonly signal?: AbortSignal;
}

async function writeByDate<T>(
  store: ObjectStore,
  connection: DuckDBConnection,
  args: WriteArgs & {
    rows: readonly T[];
    dateOf: (row: T) => string;
    symbolOf: (row: T) => string;
    cells: (row: T) => Cell[];
    columns: readonly (readonly [string, ColumnType])[];
    dateColumn: string;
  },
): Promise<WrittenRows> {
  const byDate = new Map<string, T[]>();
  for (const row of args.rows) {
    const list = byDate.get(args.dateOf(row)) ?? [];
    list.push(row);
    byDate.set(args.dateOf(row), list);
  }
  const parts: PartFile[] = [];
  for (const [date, rows] of [...byDate].sort(([a], [b]) => a.localeCompare(b))) {
    const key = newPartKey(`${args.lakeTable}/date=${date}`);
    const path = join(args.scratchDir, key.replaceAll("/", "_"));
    await writeFile(connection, args.columns, rows.map(args.cells), path);
    const put = await store.putFile(key, path, { condition: { ifNoneMatch: "*" }, ...(args.signal === undefined ? {} : { signal: args.signal }) });
    if (!put.ok) throw new IoError("part_exists", `raw part ${key} already exists; part names must be unique`);
    const stats: Record<string, StatValue> = { [args.dateColumn]: date };
    parts.push({ key, rows: rows.length, bytes: (await stat(path)).size, etag: put.etag, min: stats, max: stats, symbols: [...new Set(rows.map(args.symbolOf))].sort() });
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

/** Writes and commits bars (already validated by the connector), one part per session date. No rows → no commit. */
export function writeRawBars(store: ObjectStore, connection: DuckDBConnection, args: WriteArgs & { rows: readonly EquityBarRow[] }): Promise<WrittenRows> {
  return writeByDate(store, connection, {
    ...args, dateOf: (row) => row.date, symbolOf: (row) => row.symbol, cells: barCells, columns: BAR_COLUMNS, dateColumn: "date",
  });
}

/** Writes and commits corporate actions, one part per ex-date. No rows → no commit. */
export function writeRawActions(store: ObjectStore, connection: DuckDBConnection, args: WriteArgs & { rows: readonly CorporateActionRow[] }): Promise<WrittenRows> {
  return writeByDate(store, connection, {
    ...args, dateOf: (row) => row.ex_date, symbolOf: (row) => row.symbol, cells: actionCells, columns: ACTION_COLUMNS, dateColumn: "ex_date",
  });
}
