/**
 * Finds raw vendor parts and exposes them to the curation SQL as normalised relations. Vendors name columns
 * differently (symbol/ticker, date/session, o/h/l/c/v), so each relation is built from the columns the files
 * actually have; the vendor is the `raw/<vendor>/` segment of the lake key and lineage keeps the key itself.
 */
import { DataError } from "../domain/errors.ts";
import { rawTable } from "../lake/keys.ts";
import { readManifest } from "../lake/manifest.ts";
import type { ObjectStore, PartFile } from "../lake/types.ts";
import type { LakeAccess } from "../lake/lake-access.ts";
import { sqlList, sqlString, type DuckSession } from "../db/session.ts";

export type RawKind = "bars" | "actions" | "delistings";

/**
 * The committed raw parts of raw/<vendor>/<dataset> for the given vendors and datasets, sorted by key: each raw
 * table's current manifest entries (every read checks a part against its entry). A table without a manifest has
 * no data; parts uploaded but never committed are orphans and are never read.
 */
export async function listRawParts(store: ObjectStore, vendors: readonly string[], datasets: readonly string[]): Promise<PartFile[]> {
  const parts: PartFile[] = [];
  for (const vendor of vendors) {
    for (const dataset of datasets) {
      const manifest = await readManifest(store, rawTable(vendor, dataset));
      for (const file of manifest?.files ?? []) if (file.key.endsWith(".parquet")) parts.push(file);
    }
  }
  return parts.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The vendor of a raw part: the `raw/<vendor>/` segment of its lake key. */
export function vendorOf(key: string): string {
  return /^raw\/([^/]+)\//.exec(key)?.[1] ?? "unknown";
}

function datasetOf(key: string): string {
  return /^raw\/[^/]+\/([^/]+)\//.exec(key)?.[1] ?? "";
}

async function describe(duck: DuckSession, paths: readonly string[]): Promise<Set<string>> {
  const rows = await duck.rows<{ column_name: string }>(
    `DESCRIBE SELECT * FROM read_parquet(${sqlList(paths)}, union_by_name = true, hive_partitioning = false)`,
  );
  return new Set(rows.map((row) => row.column_name.toLowerCase()));
}

function pick(columns: Set<string>, names: readonly string[], type: string): string {
  const found = names.find((name) => columns.has(name));
  return found === undefined ? `NULL::${type}` : `TRY_CAST(r."${found}" AS ${type})`;
}

/** Registers the part→key map so lineage and the vendor come from the lake key, not the local path. */
async function registerFiles(duck: DuckSession, table: string, keys: readonly string[], paths: readonly string[]): Promise<void> {
  await duck.run(`CREATE OR REPLACE TEMP TABLE ${table} (path VARCHAR, key VARCHAR, vendor VARCHAR, dataset VARCHAR)`);
  if (keys.length === 0) return;
  const values = keys.map((key, i) => `(${sqlString(paths[i] ?? "")}, ${sqlString(key)}, ${sqlString(vendorOf(key))}, ${sqlString(datasetOf(key))})`);
  await duck.run(`INSERT INTO ${table} VALUES ${values.join(", ")}`);
}

const BAR_COLUMNS =
  "symbol VARCHAR, date DATE, bar_time TIMESTAMP, open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE, volume DOUBLE, source VARCHAR, ingested_at TIMESTAMP, raw_file VARCHAR";
const ACTION_COLUMNS =
  "symbol VARCHAR, ex_date DATE, action_type VARCHAR, ratio DOUBLE, amount DOUBLE, source VARCHAR, ingested_at TIMESTAMP, raw_file VARCHAR";
const DELISTING_COLUMNS =
  "symbol VARCHAR, delist_date DATE, reason VARCHAR, source VARCHAR, ingested_at TIMESTAMP, raw_file VARCHAR";

export const RELATION_COLUMNS: Readonly<Record<RawKind, string>> = {
  bars: BAR_COLUMNS,
  actions: ACTION_COLUMNS,
  delistings: DELISTING_COLUMNS,
};

const RELATION_NAMES: Readonly<Record<RawKind, string>> = {
  bars: "raw_bars_input",
  actions: "raw_actions_input",
  delistings: "raw_delistings_input",
};

/**
 * Creates raw_bars_input / raw_actions_input / raw_delistings_input over the given raw keys (an empty typed
 * table when there are none). Minute bars (`barKey` "time") are keyed by their timestamp; daily bars by their
 * session date, never by a vendor's bar timestamp (Alpaca stamps a daily bar 04:00 UTC, Polygon at midnight New
 * York time), so two vendors' bars of one session meet on the same key.
 */
export async function registerRaw(
  duck: DuckSession,
  lake: LakeAccess,
  kind: RawKind,
  parts: readonly PartFile[],
  barKey: "date" | "time" = "date",
): Promise<void> {
  const relation = RELATION_NAMES[kind];
  await duck.run(`DROP VIEW IF EXISTS ${relation}`);
  await duck.run(`DROP TABLE IF EXISTS ${relation}`);
  if (parts.length === 0) {
    await duck.run(`CREATE TEMP TABLE ${relation} (${RELATION_COLUMNS[kind]})`);
    return;
  }
  const keys = parts.map((part) => part.key);
  const paths = await lake.localPaths(parts);
  const files = `${relation}_files`;
  await registerFiles(duck, files, keys, paths);
  const columns = await describe(duck, paths);
  const source = `read_parquet(${sqlList(paths)}, union_by_name = true, filename = true, hive_partitioning = false)`;
  const ingested = pick(columns, ["ingested_at", "_ingested_at", "ingest_ts", "fetched_at"], "TIMESTAMP");
  const symbol = `upper(trim(${pick(columns, ["symbol", "ticker", "s"], "VARCHAR")}))`;
  let select: string;
  if (kind === "bars") {
    const time = pick(columns, ["bar_time", "ts", "timestamp", "t", "time"], "TIMESTAMP");
    const date = pick(columns, ["date", "session", "session_date", "trade_date"], "DATE");
    select = `${symbol} AS symbol,
      coalesce(${date}, CAST(${time} AS DATE)) AS date,
      ${barKey === "time" ? `coalesce(${time}, CAST(${date} AS TIMESTAMP))` : `CAST(coalesce(${date}, CAST(${time} AS DATE)) AS TIMESTAMP)`} AS bar_time,
      ${pick(columns, ["open", "o"], "DOUBLE")} AS open,
      ${pick(columns, ["high", "h"], "DOUBLE")} AS high,
      ${pick(columns, ["low", "l"], "DOUBLE")} AS low,
      ${pick(columns, ["close", "c"], "DOUBLE")} AS close,
      ${pick(columns, ["volume", "v"], "DOUBLE")} AS volume`;
  } else if (kind === "actions") {
    // A dataset holding only splits or only dividends may omit the type column; its name says which.
    const declared = pick(columns, ["action_type", "action", "type", "kind"], "VARCHAR");
    select = `${symbol} AS symbol,
      ${pick(columns, ["ex_date", "exdate", "date"], "DATE")} AS ex_date,
      CASE
        WHEN lower(${declared}) IN ('split', 'forward_split', 'reverse_split') THEN 'split'
        WHEN lower(${declared}) IN ('dividend', 'cash_dividend', 'cd') THEN 'dividend'
        WHEN ${declared} IS NOT NULL THEN lower(${declared})
        WHEN f.dataset LIKE '%split%' THEN 'split'
        WHEN f.dataset LIKE '%div%' THEN 'dividend'
      END AS action_type,
      ${pick(columns, ["ratio", "split_ratio"], "DOUBLE")} AS ratio,
      ${pick(columns, ["amount", "cash_amount", "dividend", "rate"], "DOUBLE")} AS amount`;
  } else {
    select = `${symbol} AS symbol,
      ${pick(columns, ["delist_date", "delisted_at", "date"], "DATE")} AS delist_date,
      ${pick(columns, ["reason", "delist_reason"], "VARCHAR")} AS reason`;
  }
  await duck.run(`CREATE TEMP VIEW ${relation} AS
    SELECT ${select}, f.vendor AS source, ${ingested} AS ingested_at, f.key AS raw_file
    FROM ${source} r JOIN ${files} f ON f.path = r.filename`);
  if (!columns.has("symbol") && !columns.has("ticker") && !columns.has("s")) {
    throw new DataError("raw_schema", `raw ${kind} parts have no symbol column (columns: ${[...columns].join(", ")})`);
  }
}
