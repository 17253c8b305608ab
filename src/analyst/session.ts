/**
 * An analyst's DuckDB session over the lake: in-memory DuckDB with one read-only view per curated, reference
 * and QC table (see lake-views.ts), and query execution with the output formats of `trademl sql`.
 * Nothing here writes to the lake: views read immutable parts; `--format parquet` writes only the `--out` file.
 */
import { UsageError, wrapError } from "../domain/errors.ts";
import { DuckSession, lowRssSession, sqlString, type DuckResourceOptions } from "../db/session.ts";
import type { LakeAccess } from "../lake/lake-access.ts";
import { formatResult, type OutputFormat, type ResultSet } from "./format.ts";
import { attachLakeViews, resolveLakeViews, type LakeView } from "./lake-views.ts";
import { allStatements } from "./statements.ts";

export interface AnalystSession {
  readonly views: readonly LakeView[];
  /** Runs every statement; returns the last statement's result (columns may be empty for DDL). */
  query(sql: string): Promise<ResultSet>;
  /** Runs `sql` and renders the final result; for parquet writes `out` and returns a one-line note. */
  render(sql: string, format: OutputFormat, out?: string): Promise<string>;
  describe(view: string): Promise<ResultSet>;
  close(): void;
}

export interface AnalystOptions {
  readonly asOf?: ReadonlyMap<string, number>;
  readonly duck?: DuckResourceOptions;
}

function sqlError(cause: unknown): Error {
  return wrapError((message, o) => new UsageError("sql_error", message, o), "query failed", cause);
}

async function readAll(duck: DuckSession, sql: string): Promise<ResultSet> {
  try {
    const reader = await duck.connection.runAndReadAll(sql);
    return { columns: reader.columnNames(), rows: reader.getRowsJson() };
  } catch (cause) {
    throw sqlError(cause);
  }
}

export async function openAnalystSession(lake: LakeAccess, options: AnalystOptions = {}): Promise<AnalystSession> {
  const views = await resolveLakeViews(lake, options.asOf === undefined ? {} : { asOf: options.asOf });
  const duck = await DuckSession.create(lowRssSession(options.duck));
  try {
    await attachLakeViews(duck, views);
  } catch (error) {
    duck.close();
    throw error;
  }
  const session: AnalystSession = {
    views,
    async query(sql) {
      const statements = allStatements(sql);
      if (statements.length === 0) throw new UsageError("empty_sql", "no SQL statement to run");
      for (const statement of statements.slice(0, -1)) await readAll(duck, statement);
      return readAll(duck, statements.at(-1) ?? "");
    },
    async render(sql, format, out) {
      if (format !== "parquet") return formatResult(await session.query(sql), format);
      if (out === undefined || out === "") throw new UsageError("missing_out", "--format parquet needs --out <file.parquet>");
      const statements = allStatements(sql);
      const last = statements.at(-1);
      if (last === undefined) throw new UsageError("empty_sql", "no SQL statement to run");
      for (const statement of statements.slice(0, -1)) await readAll(duck, statement);
      const written = await readAll(duck, `COPY (${last}) TO ${sqlString(out)} (FORMAT parquet, COMPRESSION zstd)`);
      const count = written.rows[0]?.[0];
      return `wrote ${count === undefined ? "?" : String(count)} rows to ${out}\n`;
    },
    async describe(view) {
      return readAll(duck, `SELECT column_name, column_type FROM (DESCRIBE "${view.replace(/"/g, '""')}")`);
    },
    close() {
      duck.close();
    },
  };
  return session;
}
