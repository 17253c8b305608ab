/**
 * Read-only views named after the lake's curated, reference and QC tables, each over the explicit file list
 * of the table's current manifest (or a pinned seq), so a query sees one consistent snapshot per table.
 * View names: `curated/<t>` and `reference/<t>` → `<t>`; anything else → its path with "/" as "_"
 * (`quarantine/equities_bars` → `quarantine_equities_bars`). Raw vendor tables are not exposed.
 */
import { UsageError } from "../domain/errors.ts";
import type { ObjectStore } from "../lake/types.ts";
import { sqlList, type DuckSession } from "../db/session.ts";
import type { LakeAccess } from "../lake/lake-access.ts";

const EXPOSED_PREFIXES = ["curated/", "reference/", "quarantine/", "qc/"];

export interface LakeView {
  readonly view: string;
  readonly table: string;
  readonly seq: number;
  readonly files: number;
  readonly rows: number;
  /** Absolute local paths of the parts, in manifest order. */
  readonly paths: readonly string[];
}

export function viewNameFor(table: string): string {
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

/** Resolves every exposed table to its snapshot (current or pinned) and the local paths of its parts. */
export async function resolveLakeViews(lake: LakeAccess, options: ResolveOptions = {}): Promise<LakeView[]> {
  const pins = new Map(options.asOf ?? []);
  const views: LakeView[] = [];
  for (const table of await listLakeTables(lake.store)) {
    const view = viewNameFor(table);
    const pinned = pins.get(view) ?? pins.get(table);
    pins.delete(view);
    pins.delete(table);
    const manifest = await lake.readManifest(table, pinned);
    if (manifest === undefined) {
      throw new UsageError("unknown_seq", `${table} has no manifest seq ${pinned ?? "(latest)"}`);
    }
    if (manifest.files.length === 0) continue;
    const paths = await lake.localPaths(manifest.files.map((file) => file.key));
    views.push({ view, table, seq: manifest.seq, files: manifest.files.length, rows: manifest.files.reduce((n, f) => n + f.rows, 0), paths });
  }
  if (pins.size > 0) {
    throw new UsageError("unknown_table", `--as-of names tables the lake does not have: ${[...pins.keys()].join(", ")}`);
  }
  return views;
}

/** The CREATE VIEW statement for one table (hive partitioning off: the `date=` folders are not columns). */
export function createViewSql(view: LakeView): string {
  return `CREATE OR REPLACE VIEW "${view.view}" AS SELECT * FROM read_parquet(${sqlList(view.paths)}, union_by_name = true, hive_partitioning = false)`;
}

export async function attachLakeViews(duck: DuckSession, views: readonly LakeView[]): Promise<void> {
  for (const view of views) await duck.run(createViewSql(view));
}
