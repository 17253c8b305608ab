/**
 * DuckDB views over the lake: a view over a table's manifest file list. Readers pass DuckDB the explicit file
 * list of one manifest (never a glob), which is what gives snapshot isolation: files committed later, orphans
 * and foreign files are invisible to the query. Writing parts is src/db/part-writer.ts (the one write path).
 */
import { tmpdir } from "node:os";
import { DataError, UsageError } from "../domain/errors.ts";
import { readManifest } from "../lake/manifest.ts";
import { S3Store } from "../lake/s3-store.ts";
import type { Manifest, ObjectStore } from "../lake/types.ts";
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
