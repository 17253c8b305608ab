/**
 * An analyst's DuckDB session over the lake: in-memory DuckDB with the kernels' SQL functions and one view per
 * curated, reference, quarantine and QC table (lake-views.ts), bound table by table so that one damaged table
 * leaves the others queryable.
 *
 * The session is read-only unless opened `unrestricted` (`--unsafe-unrestricted`):
 * 1. every statement is checked by type before it runs (statement-guard.ts);
 * 2. DuckDB may open only the views' part files (and the `--out` temp file): `allowed_paths` lists them exactly,
 *    then `enable_external_access = false`. `allowed_directories` is not used: DuckDB lets a session write into
 *    an allowed directory, and a part's folder must stay closed;
 * 3. after the views are bound the configuration is locked (`lock_configuration`), so no statement can reopen it.
 * Nothing here writes to the lake; `--format parquet` writes only the `--out` file, never inside LAKE_ROOT.
 */
import { rename, rm, stat } from "node:fs/promises";
import { StatementType } from "@duckdb/node-api";
import { UsageError } from "../domain/errors.ts";
import type { Logger } from "../domain/logger.ts";
import { DuckSession, lowRssSession, sqlIdentifier, sqlList, sqlString, type DuckResourceOptions } from "../db/session.ts";
import type { LakeAccess } from "../lake/lake-access.ts";
import { LocalStore } from "../lake/local-store.ts";
import { formatResult, type OutputFormat, type ResultSet } from "./format.ts";
import { createViewSql, resolveLakeTables, unavailableTable, type LakeView, type UnavailableView } from "./lake-views.ts";
import { planParquetOut, type ParquetOut } from "./out-file.ts";
import { explainQueryError, type LakeFacts } from "./query-errors.ts";
import { assertReadOnly } from "./statement-guard.ts";
import { allStatements } from "./statements.ts";

export interface AnalystSession {
  /** The views that are bound (queryable). */
  readonly views: readonly LakeView[];
  /** Tables that could not be bound, each with the error a query on it gets. */
  readonly unavailable: readonly UnavailableView[];
  /** Runs every statement; returns the last statement's result (columns may be empty for DDL). */
  query(sql: string): Promise<ResultSet>;
  /** Runs `sql` and renders the final result; for parquet writes the session's `out` and returns a one-line note. */
  render(sql: string, format: OutputFormat): Promise<string>;
  describe(view: string): Promise<ResultSet>;
  close(): void;
}

export interface AnalystOptions {
  readonly asOf?: ReadonlyMap<string, number>;
  readonly duck?: DuckResourceOptions;
  /**
   * The file `render(…, "parquet")` writes. Given at open because the read-only session can write nowhere else;
   * refused inside a local lake's root.
   */
  readonly out?: string;
  /** Lifts the read-only guard (`--unsafe-unrestricted`): any statement, any file, settings unlocked. */
  readonly unrestricted?: boolean;
  /** Warned about each table that cannot be bound. */
  readonly logger?: Logger;
}

async function lakeExists(lake: LakeAccess): Promise<boolean> {
  if (!(lake.store instanceof LocalStore)) return true;
  return (await stat(lake.store.root).catch(() => undefined))?.isDirectory() === true;
}

/** Step 2 of the top comment: only these files, nothing else, before any view reads them. */
async function restrictFiles(duck: DuckSession, paths: readonly string[]): Promise<void> {
  await duck.run(`SET allowed_paths = ${paths.length === 0 ? "[]" : sqlList(paths)}`);
  await duck.run("SET enable_external_access = false");
}

/** Binds each view on its own: a view whose parts DuckDB cannot read joins `unavailable`. */
async function bindViews(duck: DuckSession, views: readonly LakeView[], unavailable: UnavailableView[]): Promise<LakeView[]> {
  const bound: LakeView[] = [];
  for (const view of views) {
    try {
      await duck.connection.run(createViewSql(view));
      bound.push(view);
    } catch (error) {
      unavailable.push({ view: view.view, table: view.table, error: unavailableTable(view.view, view.table, error) });
    }
  }
  return bound;
}

export async function openAnalystSession(lake: LakeAccess, options: AnalystOptions = {}): Promise<AnalystSession> {
  const unrestricted = options.unrestricted === true;
  const out: ParquetOut | undefined = options.out === undefined ? undefined : await planParquetOut(options.out, lake.store);
  const resolved = await resolveLakeTables(lake, options.asOf === undefined ? {} : { asOf: options.asOf });
  const unavailable = [...resolved.unavailable];
  // The kernels' SQL functions (bs_price, implied_vol, svi_w, …) are part of what docs/kernels.md promises analysts.
  const duck = await DuckSession.create({ ...lowRssSession(options.duck), kernels: true });
  let views: LakeView[];
  try {
    if (!unrestricted) await restrictFiles(duck, [...resolved.views.flatMap((view) => view.paths), ...(out === undefined ? [] : [out.temp])]);
    views = await bindViews(duck, resolved.views, unavailable);
    if (!unrestricted) await duck.run("SET lock_configuration = true");
  } catch (error) {
    duck.close();
    throw error;
  }
  for (const broken of unavailable) options.logger?.warn(broken.error.message, { table: broken.table });
  const facts: LakeFacts = { views, unavailable, description: lake.store.description, exists: await lakeExists(lake) };

  /** Runs one statement as split by statements.ts, after the guard; DuckDB's extraction decides what it holds. */
  const runOne = async (text: string): Promise<ResultSet> => {
    try {
      const extracted = await duck.connection.extractStatements(text);
      let result: ResultSet = { columns: [], rows: [] };
      for (let i = 0; i < extracted.count; i++) {
        const prepared = await extracted.prepare(i);
        try {
          if (!unrestricted) await assertReadOnly(duck.connection, prepared.statementType, text);
          const reader = await prepared.runAndReadAll();
          result = { columns: reader.columnNames(), rows: reader.getRowsJson() };
        } finally {
          prepared.destroySync();
        }
      }
      return result;
    } catch (error) {
      throw explainQueryError(error, facts);
    }
  };

  /** The final statement of `--format parquet`: checked to be a query, not run (this session's COPY runs it). */
  const assertQuery = async (text: string): Promise<void> => {
    try {
      const extracted = await duck.connection.extractStatements(text);
      const prepared = extracted.count === 1 ? await extracted.prepare(0) : undefined;
      const type = prepared?.statementType;
      prepared?.destroySync();
      if (type !== StatementType.SELECT) throw new UsageError("not_a_query", "--format parquet needs the last statement to be a query (SELECT …)");
      if (!unrestricted) await assertReadOnly(duck.connection, type, text);
    } catch (error) {
      throw explainQueryError(error, facts);
    }
  };

  const statementsOf = (sql: string): string[] => {
    const statements = allStatements(sql);
    if (statements.length === 0) throw new UsageError("empty_sql", "no SQL statement to run");
    return statements;
  };

  const writeParquet = async (sql: string): Promise<string> => {
    if (out === undefined) throw new UsageError("missing_out", "--format parquet needs --out <file.parquet>");
    const statements = statementsOf(sql);
    const last = statements.pop() ?? "";
    for (const statement of statements) await runOne(statement);
    await assertQuery(last);
    try {
      // The line break keeps a trailing `-- comment` of the query from swallowing the closing parenthesis.
      const reader = await duck.connection.runAndReadAll(`COPY (${last}\n) TO ${sqlString(out.temp)} (FORMAT parquet, COMPRESSION zstd, USE_TMP_FILE false)`);
      await rename(out.temp, out.target);
      const count = reader.getRowsJson()[0]?.[0];
      return `wrote ${count === undefined ? "?" : String(count)} rows to ${out.target}\n`;
    } catch (error) {
      await rm(out.temp, { force: true });
      throw explainQueryError(error, facts);
    }
  };

  const session: AnalystSession = {
    views,
    unavailable,
    async query(sql) {
      let result: ResultSet = { columns: [], rows: [] };
      for (const statement of statementsOf(sql)) result = await runOne(statement);
      return result;
    },
    async render(sql, format) {
      return format === "parquet" ? writeParquet(sql) : formatResult(await session.query(sql), format);
    },
    async describe(view) {
      try {
        const reader = await duck.connection.runAndReadAll(`SELECT column_name, column_type FROM (DESCRIBE ${sqlIdentifier(view)})`);
        return { columns: reader.columnNames(), rows: reader.getRowsJson() };
      } catch (error) {
        throw explainQueryError(error, facts);
      }
    },
    close() {
      duck.close();
    },
  };
  return session;
}
