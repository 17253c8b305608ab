/**
 * Writes a unit's rows as one immutable Parquet part with DuckDB (@duckdb/node-api): rows go to a temporary
 * newline-delimited JSON file, DuckDB reads it with the dataset's explicit column types (no inference, so a
 * part with zero rows still carries the schema) and COPYs it to zstd Parquet. One connection, one write at a
 * time: the Pi has few cores and DuckDB parallelises each COPY internally.
 */
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { IoError, wrapError } from "../domain/errors.ts";
import { sqlString } from "../db/sql-literal.ts";

export interface WrittenPart {
  readonly path: string;
  readonly rows: number;
  readonly bytes: number;
}


export class ParquetWriter {
  private instance: DuckDBInstance | undefined;
  private connection: DuckDBConnection | undefined;
  private dir: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private counter = 0;

  private async open(): Promise<{ connection: DuckDBConnection; dir: string }> {
    if (this.connection && this.dir) return { connection: this.connection, dir: this.dir };
    try {
      const { DuckDBInstance: Instance } = await import("@duckdb/node-api");
      this.instance = await Instance.create(":memory:", { threads: "1", memory_limit: "256MB" });
      this.connection = await this.instance.connect();
      this.dir = await mkdtemp(join(tmpdir(), "trademl-ingest-"));
    } catch (cause) {
      throw wrapError((m, o) => new IoError("duckdb_open_failed", m, o), "cannot start DuckDB for Parquet writes", cause);
    }
    return { connection: this.connection, dir: this.dir };
  }

  /** Writes rows with the given (name, DuckDB type) columns; returns the local file. Caller deletes it via `discard`. */
  write(columns: readonly (readonly [string, string])[], rows: readonly Record<string, unknown>[]): Promise<WrittenPart> {
    const job = this.queue.then(() => this.writeNow(columns, rows));
    this.queue = job.catch(() => undefined);
    return job;
  }

  private async writeNow(columns: readonly (readonly [string, string])[], rows: readonly Record<string, unknown>[]): Promise<WrittenPart> {
    const { connection, dir } = await this.open();
    const n = ++this.counter;
    const json = join(dir, `rows-${n}.ndjson`);
    const out = join(dir, `part-${n}.parquet`);
    const table = `part_${n}`;
    const ddl = columns.map(([name, type]) => `"${name}" ${type}`).join(", ");
    const struct = columns.map(([name, type]) => `${sqlString(name)}: ${sqlString(type)}`).join(", ");
    try {
      await connection.run(`CREATE TEMP TABLE ${table} (${ddl})`);
      if (rows.length > 0) {
        await writeFile(json, rows.map((r) => JSON.stringify(r)).join("\n"));
        await connection.run(`INSERT INTO ${table} SELECT ${columns.map(([name]) => `"${name}"`).join(", ")} FROM read_json(${sqlString(json)}, format = 'newline_delimited', columns = {${struct}})`);
      }
      await connection.run(`COPY ${table} TO ${sqlString(out)} (FORMAT parquet, COMPRESSION zstd)`);
      await connection.run(`DROP TABLE ${table}`);
      const info = await stat(out);
      return { path: out, rows: rows.length, bytes: info.size };
    } catch (cause) {
      throw wrapError((m, o) => new IoError("parquet_write_failed", m, o), "writing a Parquet part failed", cause);
    } finally {
      await rm(json, { force: true });
    }
  }

  async discard(part: WrittenPart): Promise<void> {
    await rm(part.path, { force: true });
  }

  /** Runs a query on the writer's DuckDB (used for QC and ADV over local part files). */
  async query(sql: string): Promise<Record<string, unknown>[]> {
    const job = this.queue.then(async () => {
      const { connection } = await this.open();
      const reader = await connection.runAndReadAll(sql);
      return reader.getRowObjectsJS() as Record<string, unknown>[];
    });
    this.queue = job.catch(() => undefined);
    return job;
  }

  async close(): Promise<void> {
    await this.queue;
    this.connection?.closeSync();
    this.instance?.closeSync();
    this.connection = undefined;
    this.instance = undefined;
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
