/**
 * Read-only views named after the lake's curated, reference and QC tables, each over the explicit file list
 * of the table's current manifest (or a pinned seq), so a query sees one consistent snapshot per table.
 * View names: `curated/<t>` and `reference/<t>` → `<t>`; anything else → its path with "/" as "_"
 * (`quarantine/equities_bars` → `quarantine_equities_bars`). Raw vendor tables are not exposed.
 * Backtest runs (`backtests/<kind>/<run_id>/<name>`, src/backtest/run-tables.ts) are one view per kind and name
 * over every run, `backtests_<kind>_<name>` (each row carries its `run_id`), each run at its own current seq.
 */
import { AppError, DataError, UsageError } from "../domain/errors.ts";
import type { ObjectStore } from "../lake/types.ts";
import { sqlIdentifier, sqlList } from "../db/session.ts";
import type { LakeAccess } from "../lake/lake-access.ts";

const EXPOSED_PREFIXES = ["curated/", "reference/", "quarantine/", "qc/", "backtests/"];
const BACKTEST_TABLE = /^backtests\/([a-z0-9_]+)\/[^/]+\/([a-z0-9_]+)$/;

export interface LakeView {
  readonly view: string;
  readonly table: string;
  readonly seq: number;
  readonly files: number;
  readonly rows: number;
  /** Absolute local paths of the parts, in manifest order. */
  readonly paths: readonly string[];
  /** The parts' lake keys, in the same order. */
  readonly keys: readonly string[];
}

export function viewNameFor(table: string): string {
  const run = BACKTEST_TABLE.exec(table);
  if (run !== null) return `backtests_${run[1] ?? ""}_${run[2] ?? ""}`;
  for (const prefix of ["curated/", "reference/"]) {
    if (table.startsWith(prefix)) return table.slice(prefix.length).replace(/\//g, "_");
  }
  return table.replace(/\//g, "_");
}

/** Tables that have at least one manifest under manifests/, exposed prefixes only, sorted. */
export async function listLakeTables(store: ObjectStore): Promise<string[]> {
  const tables = new Set<string>();
  for await (const entry of store.list("manifests/")) {
    const match = /^manifests\/(.+)\/\d{20}\.json$/.exec(entry.key);
    const table = match?.[1];
    if (table !== undefined && EXPOSED_PREFIXES.some((prefix) => table.startsWith(prefix))) tables.add(table);
  }
  return [...tables].sort();
}

/**
 * Parses `--as-of`: `<view or table>=<seq>` pairs separated by commas, e.g. `equities_ohlcv_adj=12`.
 * A seq is per table (each table has its own manifest chain), so a bare number is ambiguous and refused.
 */
export function parseAsOf(value: unknown): Map<string, number> {
  const pins = new Map<string, number>();
  if (value === undefined || value === false) return pins;
  const text = Array.isArray(value) ? value.map(String).join(",") : String(value);
  for (const item of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const match = /^([a-z0-9_\/]+)=(\d+)$/.exec(item);
    const name = match?.[1];
    const seq = Number(match?.[2]);
    if (name === undefined || !Number.isSafeInteger(seq) || seq < 1) {
      throw new UsageError("bad_as_of", `--as-of takes <table>=<seq>[,<table>=<seq>…] (e.g. equities_ohlcv_adj=12), not "${item}"`);
    }
    pins.set(name, seq);
  }
  return pins;
}

export interface ResolveOptions {
  readonly asOf?: ReadonlyMap<string, number>;
}

/** A table that could not be bound: its manifest or one of its parts is damaged. Other tables are unaffected. */
export interface UnavailableView {
  readonly view: string;
  readonly table: string;
  /** A DataError naming the table (code "table_unavailable"), with the original error as its cause. */
  readonly error: AppError;
}

export interface ResolvedLakeViews {
  readonly views: LakeView[];
  readonly unavailable: UnavailableView[];
}

export function unavailableTable(view: string, table: string, cause: unknown): AppError {
  const reason = cause instanceof AppError ? `${cause.code}: ${cause.message}` : cause instanceof Error ? cause.message : String(cause);
  return new DataError(
    "table_unavailable",
    `table "${table}" (view ${view}) is unavailable: ${reason}. Other tables are unaffected; \`trademl lake verify --table ${table}\` checks its parts`,
    { cause, details: { table, view } },
  );
}

/**
 * Resolves every exposed table to its snapshot (current or pinned) and the checked local paths of its parts, one
 * table at a time: a damaged table (unreadable manifest, missing or replaced part) is reported in `unavailable`
 * and the others are still resolved. A pin that names no table, or a seq the table does not have, is a usage error.
 */
export async function resolveLakeTables(lake: LakeAccess, options: ResolveOptions = {}): Promise<ResolvedLakeViews> {
  const pins = new Map(options.asOf ?? []);
  const views: LakeView[] = [];
  const unavailable: UnavailableView[] = [];
  for (const table of await listLakeTables(lake.store)) {
    const view = viewNameFor(table);
    const pinned = pins.get(view) ?? pins.get(table);
    pins.delete(view);
    pins.delete(table);
    const manifest = await lake.readManifest(table, pinned).catch((error: unknown) => {
      if (pinned !== undefined && error instanceof AppError && error.code === "manifest_missing") {
        throw new UsageError("unknown_seq", `${table} has no manifest seq ${pinned}`, { cause: error });
      }
      unavailable.push({ view, table, error: unavailableTable(view, table, error) });
      return null;
    });
    if (manifest === null) continue;
    if (manifest === undefined) throw new UsageError("unknown_seq", `${table} has no manifest seq ${pinned ?? "(latest)"}`);
    if (manifest.files.length === 0) continue;
    try {
      const paths = await lake.localPaths(manifest.files, table);
      views.push({
        view, table, seq: manifest.seq, files: manifest.files.length, rows: manifest.files.reduce((n, f) => n + f.rows, 0), paths,
        keys: manifest.files.map((file) => file.key),
      });
    } catch (error) {
      unavailable.push({ view, table, error: unavailableTable(view, table, error) });
    }
  }
  if (pins.size > 0) {
    throw new UsageError("unknown_table", `--as-of names tables the lake does not have: ${[...pins.keys()].join(", ")}`);
  }
  return { views: mergeRunViews(views), unavailable };
}

/**
 * The runs of one backtest kind and table name as one view: their parts concatenated (the tables share their
 * columns, and each row names its run). `table` becomes a pattern with `*` for the run id, `seq` the newest.
 */
function mergeRunViews(views: readonly LakeView[]): LakeView[] {
  const out: LakeView[] = [];
  const at = new Map<string, number>();
  for (const view of views) {
    const run = BACKTEST_TABLE.exec(view.table);
    const index = at.get(view.view);
    const merged = index === undefined ? undefined : out[index];
    if (run === null || index === undefined || merged === undefined) {
      if (run !== null) at.set(view.view, out.length);
      out.push(run === null ? view : { ...view, table: `backtests/${run[1] ?? ""}/*/${run[2] ?? ""}` });
      continue;
    }
    out[index] = {
      ...merged, seq: Math.max(merged.seq, view.seq), files: merged.files + view.files, rows: merged.rows + view.rows,
      paths: [...merged.paths, ...view.paths], keys: [...merged.keys, ...view.keys],
    };
  }
  return out;
}

/** Like resolveLakeTables, but a damaged table is an error (the catalog export must not silently miss a table). */
export async function resolveLakeViews(lake: LakeAccess, options: ResolveOptions = {}): Promise<LakeView[]> {
  const { views, unavailable } = await resolveLakeTables(lake, options);
  const [first] = unavailable;
  if (first !== undefined) throw first.error;
  return views;
}

/** The CREATE VIEW statement for one table (hive partitioning off: the `date=` folders are not columns). */
export function createViewSql(view: LakeView): string {
  return `CREATE OR REPLACE VIEW ${sqlIdentifier(view.view)} AS SELECT * FROM read_parquet(${sqlList(view.paths)}, union_by_name = true, hive_partitioning = false)`;
}
