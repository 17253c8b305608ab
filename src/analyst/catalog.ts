/**
 * `trademl catalog export lake.duckdb`: a DuckDB database file holding one view per lake table over the
 * absolute paths of its current (or pinned) parts, plus a `trademl_catalog` table saying which manifest seq
 * each view shows. It opens in any DuckDB client (CLI, DBeaver, Python) with no trademl code. The views are a
 * snapshot: re-export after new commits. For an S3 lake the caller passes a lake whose parts are downloaded
 * next to the database file, since a catalog must not point into a temp folder.
 */
import { randomUUID } from "node:crypto";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { IoError, UsageError, wrapError } from "../domain/errors.ts";
import { DuckSession, sqlString } from "../db/session.ts";
import type { LakeAccess } from "../lake/lake-access.ts";
import { createViewSql, resolveLakeViews } from "./lake-views.ts";

export interface CatalogReport {
  readonly file: string;
  readonly views: readonly { readonly view: string; readonly table: string; readonly seq: number; readonly rows: number }[];
}

export async function exportCatalog(
  lake: LakeAccess,
  file: string,
  options: { asOf?: ReadonlyMap<string, number> } = {},
): Promise<CatalogReport> {
  if (!/\.(duckdb|db)$/i.test(file)) throw new UsageError("bad_catalog_name", `the catalog file should end in .duckdb, got "${file}"`);
  const target = resolve(file);
  const views = await resolveLakeViews(lake, options.asOf === undefined ? {} : { asOf: options.asOf });
  await mkdir(dirname(target), { recursive: true });
  // Built under a temporary name and renamed into place, so a failed export never leaves half a catalog.
  const temp = `${target}.tmp-${randomUUID()}`;
  try {
    const session = await DuckSession.create({ path: temp, kernels: false });
    try {
      for (const view of views) await session.run(createViewSql(view));
      await session.run(
        `CREATE TABLE trademl_catalog (view VARCHAR, lake_table VARCHAR, seq BIGINT, files BIGINT, row_count BIGINT, exported_at TIMESTAMP)`,
      );
      for (const view of views) {
        await session.run(
          `INSERT INTO trademl_catalog VALUES (${sqlString(view.view)}, ${sqlString(view.table)}, ${view.seq}, ${view.files}, ${view.rows}, now()::TIMESTAMP)`,
        );
      }
      await session.run("CHECKPOINT");
    } finally {
      session.close();
    }
    await rename(temp, target);
  } catch (cause) {
    await rm(temp, { force: true });
    await rm(`${temp}.wal`, { force: true });
    throw wrapError((message, o) => new IoError("catalog_export_failed", message, o), `cannot write ${target}`, cause);
  }
  return { file: target, views: views.map(({ view, table, seq, rows }) => ({ view, table, seq, rows })) };
}
