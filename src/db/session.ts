/**
 * One DuckDB session type over @duckdb/node-api: async `create()`, explicit `close()`, memory_limit and threads
 * set at creation (DuckDB "Configuration" docs: memory_limit, threads, temp_directory). The Pi default keeps
 * DuckDB under 1 GiB so the collector and the OS keep room on a 4 GB board.
 *
 * The binding is imported lazily so that modules which merely import this file stay cheap to load.
 */
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { DataError, IoError, UsageError, wrapError } from "../domain/errors.ts";
import type { Logger } from "../domain/logger.ts";
import { loadSqlFile } from "./sql-files.ts";

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
}

export type SqlValue = string | number | boolean | null;
export type SqlRow = Record<string, SqlValue | SqlValue[] | Record<string, unknown>>;

const MEMORY = /^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;

/** A SQL string literal. Paths and keys always pass through here, never raw interpolation. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A quoted SQL identifier. */
export function sqlIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function sqlList(values: readonly string[]): string {
  return `[${values.map(sqlString).join(", ")}]`;
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
    const { DuckDBInstance: Instance } = await import("@duckdb/node-api");
    let instance: DuckDBInstance;
    try {
      instance = await Instance.create(options.path ?? ":memory:", {
        memory_limit: memoryLimit,
        threads: String(threads),
        ...(options.tempDirectory === undefined ? {} : { temp_directory: options.tempDirectory }),
      });
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
 * Registers the option-kernel SQL functions (src/kernels/sql-functions.ts: bs_price, implied_vol, ...) on the
 * connection. The WebAssembly engine is preferred; without a wasm build the pure-TS twin (same signatures,
 * the test oracle) is used. A failure leaves the session usable without them and is logged.
 */
async function registerKernels(connection: DuckDBConnection, logger: Logger | undefined): Promise<boolean> {
  try {
    const { createKernels } = await import("../kernels/index.ts");
    const { registerKernelFunctions } = await import("../kernels/sql-functions.ts");
    const kernels = await createKernels().catch((error: unknown) => {
      logger?.debug("wasm kernels unavailable; SQL functions use the TypeScript engine", { error: String(error) });
      return createKernels({ engine: "ts" });
    });
    registerKernelFunctions(connection, kernels);
    return true;
  } catch (error) {
    logger?.warn("kernel SQL functions could not be registered; the session works without them", { error: String(error) });
    return false;
  }
}
