/**
 * One DuckDB session type over @duckdb/node-api: async `create()`, explicit `close()`, memory_limit and threads
 * set at creation (DuckDB "Configuration" docs: memory_limit, threads, temp_directory). The Pi default keeps
 * DuckDB under 1 GiB so the collector and the OS keep room on a 4 GB board.
 *
 * The binding is imported lazily so that modules which merely import this file stay cheap to load.
 *
 * Used by the lake (src/db), curation (src/curate, with LOW_RSS_SESSION), the reference build, the analyst
 * session and the data-quality audit (src/quality); registering the kernels' SQL functions is optional (`kernels`).
 */
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { DataError, IoError, UsageError, wrapError } from "../domain/errors.ts";
import type { Logger } from "../domain/logger.ts";
import { loadSqlFile } from "./sql-files.ts";

export { sqlIdentifier, sqlList, sqlString } from "./sql-literal.ts";

/** DuckDB's memory_limit for the Pi profile: leaves headroom under 1 GiB for the Node heap and buffers. */
export const PI_MEMORY_LIMIT = "768MB";

export interface DuckSessionOptions {
  /** DuckDB `memory_limit`, e.g. "768MB" (default) or "4GB". */
  readonly memoryLimit?: string;
  /** DuckDB `threads` (default 2: the Pi has 4 cores and the collector needs some). */
  readonly threads?: number;
  /** Spill folder for operators that exceed the memory limit. */
  readonly tempDirectory?: string;
  /** Database file; default in-memory. */
  readonly path?: string;
  /** Register the WebAssembly kernels as SQL functions when that module is available (default true). */
  readonly kernels?: boolean;
  readonly logger?: Logger;
  /**
   * DuckDB `preserve_insertion_order` (DuckDB default true). False lets COPY and aggregates stream with less
   * buffered memory when every statement states its own ORDER BY (DuckDB docs, "Memory management").
   */
  readonly preserveInsertionOrder?: boolean;
  /**
   * DuckDB `enable_external_file_cache` (DuckDB default true since 1.3). False stops file blocks from being
   * cached in the buffer pool; right for workloads that read each file once.
   */
  readonly externalFileCache?: boolean;
  /** DuckDB `allocator_flush_threshold`, e.g. "32MB": return freed memory to the OS sooner (DuckDB default). */
  readonly allocatorFlushThreshold?: string;
  /** DuckDB `allocator_bulk_deallocation_flush_threshold`, e.g. "64MB" (DuckDB default when absent). */
  readonly allocatorBulkDeallocationFlushThreshold?: string;
  /** DuckDB `allocator_background_threads` (DuckDB default false). */
  readonly allocatorBackgroundThreads?: boolean;
}

/** The resource knobs a caller's config exposes (configs/node.yml `duckdb`). */
export type DuckResourceOptions = Pick<DuckSessionOptions, "memoryLimit" | "threads" | "tempDirectory">;

/**
 * Settings for batch jobs that read staged Parquet once and write Parquet (curation, the reference build; the
 * analyst session uses them too, with the kernels' SQL functions turned back on): keep peak RSS near the working
 * set on a 4 GB Raspberry Pi (bench/curate.bench.ts measures it). 1GB memory_limit is the curation default; freed memory goes back to the OS early
 * (DuckDB settings: allocator_flush_threshold, allocator_bulk_deallocation_flush_threshold,
 * allocator_background_threads); no kernel SQL functions, which these jobs do not call.
 */
export const LOW_RSS_SESSION: DuckSessionOptions = {
  memoryLimit: "1GB",
  threads: 2,
  kernels: false,
  preserveInsertionOrder: false,
  externalFileCache: false,
  allocatorFlushThreshold: "32MB",
  allocatorBulkDeallocationFlushThreshold: "64MB",
  allocatorBackgroundThreads: true,
};

/** LOW_RSS_SESSION with a caller's resources laid over it; an absent or undefined field keeps the preset's value. */
export function lowRssSession(resources: DuckResourceOptions = {}): DuckSessionOptions {
  return {
    ...LOW_RSS_SESSION,
    memoryLimit: resources.memoryLimit ?? LOW_RSS_SESSION.memoryLimit,
    threads: resources.threads ?? LOW_RSS_SESSION.threads,
    ...(resources.tempDirectory === undefined ? {} : { tempDirectory: resources.tempDirectory }),
  };
}

export type SqlValue = string | number | boolean | null;
export type SqlRow = Record<string, SqlValue | SqlValue[] | Record<string, unknown>>;

const MEMORY = /^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;

function bigintsToNumbers(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map(bigintsToNumbers);
  return value;
}

function firstLine(sql: string): string {
  return sql.trim().split("\n")[0]?.slice(0, 160) ?? "";
}

export class DuckSession {
  readonly connection: DuckDBConnection;
  private readonly instance: DuckDBInstance;
  private closed = false;
  /** Whether the kernel SQL functions were registered. */
  readonly kernelsRegistered: boolean;

  private constructor(instance: DuckDBInstance, connection: DuckDBConnection, kernelsRegistered: boolean) {
    this.instance = instance;
    this.connection = connection;
    this.kernelsRegistered = kernelsRegistered;
  }

  static async create(options: DuckSessionOptions = {}): Promise<DuckSession> {
    const memoryLimit = options.memoryLimit ?? PI_MEMORY_LIMIT;
    if (!MEMORY.test(memoryLimit)) throw new UsageError("invalid_memory_limit", `DuckDB memory limit "${memoryLimit}" must look like "768MB" or "4GB"`);
    const threads = options.threads ?? 2;
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new UsageError("invalid_threads", `DuckDB threads must be an integer 1..256, got ${threads}`);
    for (const [name, value] of [
      ["allocatorFlushThreshold", options.allocatorFlushThreshold],
      ["allocatorBulkDeallocationFlushThreshold", options.allocatorBulkDeallocationFlushThreshold],
    ] as const) {
      if (value !== undefined && !MEMORY.test(value)) throw new UsageError("invalid_memory_setting", `DuckDB ${name} "${value}" must look like "32MB"`);
    }
    const settings: Record<string, string> = { memory_limit: memoryLimit, threads: String(threads) };
    if (options.tempDirectory !== undefined) settings["temp_directory"] = options.tempDirectory;
    if (options.preserveInsertionOrder !== undefined) settings["preserve_insertion_order"] = String(options.preserveInsertionOrder);
    if (options.externalFileCache !== undefined) settings["enable_external_file_cache"] = String(options.externalFileCache);
    if (options.allocatorFlushThreshold !== undefined) settings["allocator_flush_threshold"] = options.allocatorFlushThreshold;
    if (options.allocatorBulkDeallocationFlushThreshold !== undefined) {
      settings["allocator_bulk_deallocation_flush_threshold"] = options.allocatorBulkDeallocationFlushThreshold;
    }
    if (options.allocatorBackgroundThreads !== undefined) settings["allocator_background_threads"] = String(options.allocatorBackgroundThreads);
    const { DuckDBInstance: Instance } = await import("@duckdb/node-api");
    let instance: DuckDBInstance;
    try {
      instance = await Instance.create(options.path ?? ":memory:", settings);
    } catch (cause) {
      throw wrapError((message, o) => new IoError("duckdb_open_failed", message, o), "cannot start DuckDB", cause);
    }
    const connection = await instance.connect();
    const kernels = options.kernels === false ? false : await registerKernels(connection, options.logger);
    return new DuckSession(instance, connection, kernels);
  }

  private assertOpen(): void {
    if (this.closed) throw new UsageError("session_closed", "this DuckDB session is closed");
  }

  async run(sql: string): Promise<void> {
    this.assertOpen();
    try {
      await this.connection.run(sql);
    } catch (cause) {
      throw wrapError((message, o) => new DataError("sql_failed", message, o), `SQL failed (${firstLine(sql)})`, cause);
    }
  }

  /** Rows as JSON-safe objects (BIGINT/HUGEINT as strings, dates as ISO strings). */
  async rows<T extends SqlRow = SqlRow>(sql: string): Promise<T[]> {
    this.assertOpen();
    try {
      const reader = await this.connection.runAndReadAll(sql);
      return reader.getRowObjectsJson() as T[];
    } catch (cause) {
      throw wrapError((message, o) => new DataError("sql_failed", message, o), `SQL failed (${firstLine(sql)})`, cause);
    }
  }

  /**
   * Rows as plain JavaScript values (DuckDB's JS conversion: DATE/TIMESTAMP as value objects), with BIGINT and
   * HUGEINT turned into numbers, at the top level and inside lists; for counting code that does arithmetic on
   * the result. Precision beyond 2^53 is lost, so cast large integers to VARCHAR when they are keys or hashes.
   */
  async rowsJs(sql: string): Promise<Record<string, unknown>[]> {
    this.assertOpen();
    try {
      const reader = await this.connection.runAndReadAll(sql);
      return reader.getRowObjectsJS().map((row) => {
        const out: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(row)) out[key] = bigintsToNumbers(value);
        return out;
      });
    } catch (cause) {
      throw wrapError((message, o) => new DataError("sql_failed", message, o), `SQL failed (${firstLine(sql)})`, cause);
    }
  }

  /**
   * A result as columns of plain JavaScript values (name → values in row order), for callers that turn columns
   * into typed arrays (the training datasets): no object per row. Types convert as in `rowsJs` (BIGINT → number).
   */
  async columns(sql: string): Promise<Record<string, unknown[]>> {
    this.assertOpen();
    try {
      const reader = await this.connection.runAndReadAll(sql);
      const out: Record<string, unknown[]> = {};
      for (const [name, values] of Object.entries(reader.getColumnsObjectJS())) {
        out[name] = values.some((value) => typeof value === "bigint") ? values.map(bigintsToNumbers) : values;
      }
      return out;
    } catch (cause) {
      throw wrapError((message, o) => new DataError("sql_failed", message, o), `SQL failed (${firstLine(sql)})`, cause);
    }
  }

  /** Runs `sql/<name>.sql` (e.g. "audit/coverage") from the project's sql/ folder. */
  async runFile(name: string): Promise<void> {
    await this.run(await loadSqlFile(name));
  }

  async rowsFromFile<T extends SqlRow = SqlRow>(name: string): Promise<T[]> {
    return this.rows<T>(await loadSqlFile(name));
  }

  /** Current memory_limit and threads as DuckDB reports them. */
  async settings(): Promise<{ memoryLimit: string; threads: number }> {
    const [row] = await this.rows<{ m: string; t: string }>("SELECT current_setting('memory_limit') AS m, current_setting('threads')::VARCHAR AS t");
    return { memoryLimit: row?.m ?? "", threads: Number(row?.t ?? 0) };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/**
 * Registers every SQL function of the kernels on the connection: the option kernels (src/kernels/sql-functions.ts:
 * bs_price, bs_delta…, implied_vol) and the SVI surface functions (src/kernels/svi/sql.ts: svi_w, svi_g, svi_vol).
 * The WebAssembly engine is preferred; without a wasm build the TS engine (the same kernels compiled to JavaScript)
 * is used. A failure leaves the session usable without them and is logged.
 */
async function registerKernels(connection: DuckDBConnection, logger: Logger | undefined): Promise<boolean> {
  try {
    const { createKernels } = await import("../kernels/index.ts");
    const { registerKernelFunctions } = await import("../kernels/sql-functions.ts");
    const { registerSviFunctions } = await import("../kernels/svi/sql.ts");
    const kernels = await createKernels().catch((error: unknown) => {
      logger?.debug("wasm kernels unavailable; SQL functions use the TypeScript engine", { error: String(error) });
      return createKernels({ engine: "ts" });
    });
    registerKernelFunctions(connection, kernels);
    await registerSviFunctions(connection);
    return true;
  } catch (error) {
    logger?.warn("kernel SQL functions could not be registered; the session works without them", { error: String(error) });
    return false;
  }
}
