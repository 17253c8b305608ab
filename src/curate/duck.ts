/**
 * A DuckDB session for one curation run over @duckdb/node-api: in-memory database, explicit memory limit and
 * thread count (the Pi default keeps a 4 GB board responsive), spilling to a temp directory, explicit close.
 */
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { wrapError, IoError, DataError } from "../domain/errors.ts";

export interface DuckOptions {
  /** DuckDB `memory_limit`, e.g. "1GB" (default "1GB", the Pi default). */
  readonly memoryLimit?: string;
  /** DuckDB `threads` (default 2). */
  readonly threads?: number;
  /** Spill folder for operators that exceed the memory limit. */
  readonly tempDirectory?: string;
}

export interface DuckSession {
  readonly connection: DuckDBConnection;
  run(sql: string): Promise<void>;
  rows<T extends Record<string, unknown>>(sql: string): Promise<T[]>;
  close(): void;
}

/** A SQL string literal; file paths and keys are always passed through here. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function sqlList(values: readonly string[]): string {
  return `[${values.map(sqlString).join(", ")}]`;
}

export async function openDuck(options: DuckOptions = {}): Promise<DuckSession> {
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(":memory:", {
      memory_limit: options.memoryLimit ?? "1GB",
      threads: String(options.threads ?? 2),
      // Every statement here states its order explicitly; not preserving insertion order lets DuckDB stream
      // COPY and aggregates with less buffered memory (DuckDB docs, "Memory management": preserve_insertion_order).
      preserve_insertion_order: "false",
      // Curation reads each staged file once; caching file blocks in the buffer pool (DuckDB's external file
      // cache, on by default since 1.3) would only hold memory a Pi needs elsewhere.
      enable_external_file_cache: "false",
      // Return freed memory to the OS sooner, so peak RSS tracks the working set rather than history
      // (DuckDB settings: allocator_flush_threshold, allocator_bulk_deallocation_flush_threshold).
      allocator_flush_threshold: "32MB",
      allocator_bulk_deallocation_flush_threshold: "64MB",
      allocator_background_threads: "true",
      ...(options.tempDirectory === undefined ? {} : { temp_directory: options.tempDirectory }),
    });
  } catch (cause) {
    throw wrapError((message, o) => new IoError("duckdb_open_failed", message, o), "cannot start DuckDB", cause);
  }
  const connection = await instance.connect();
  const fail = (sql: string, cause: unknown) =>
    wrapError((message, o) => new DataError("sql_failed", message, o), `SQL failed (${sql.trim().split("\n")[0]?.slice(0, 120) ?? ""})`, cause);
  return {
    connection,
    async run(sql) {
      try {
        await connection.run(sql);
      } catch (cause) {
        throw fail(sql, cause);
      }
    },
    async rows<T extends Record<string, unknown>>(sql: string) {
      try {
        const reader = await connection.runAndReadAll(sql);
        return reader.getRowObjectsJS() as T[];
      } catch (cause) {
        throw fail(sql, cause);
      }
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
