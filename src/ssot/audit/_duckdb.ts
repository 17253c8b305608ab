/**
 * A private in-memory DuckDB for the audit's counting, until the shared session in src/db lands. Opened per
 * audit run and closed in `finally`; nothing is persisted here (the ledger goes to the lake as Parquet).
 */
import { readFileSync } from "node:fs";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { DataError } from "../../domain/errors.ts";

export interface AuditDb {
  run(sql: string): Promise<void>;
  all(sql: string): Promise<Record<string, unknown>[]>;
  close(): void;
}

function plain(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map(plain);
  return value;
}

/** DuckDB resources (configs/node.yml `duckdb`: keep memory under 1 GiB on a Raspberry Pi). */
export interface DuckDbResources {
  readonly memoryLimit?: string;
  readonly threads?: number;
  /** Where DuckDB spills when a query outgrows the memory limit. */
  readonly tempDirectory?: string;
}

export async function openAuditDb(resources: DuckDbResources = {}): Promise<AuditDb> {
  const settings: Record<string, string> = {};
  if (resources.memoryLimit !== undefined) settings["memory_limit"] = resources.memoryLimit;
  if (resources.threads !== undefined) settings["threads"] = String(resources.threads);
  if (resources.tempDirectory !== undefined) settings["temp_directory"] = resources.tempDirectory;
  const instance = await DuckDBInstance.create(":memory:", settings).catch((cause: unknown) => {
    throw new DataError("duckdb_open_failed", `cannot open DuckDB with ${JSON.stringify(settings)}: ${String(cause)}`, { cause });
  });
  const connection: DuckDBConnection = await instance.connect();
  const wrap = async <T>(sql: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (cause) {
      const first = sql.trim().split("\n")[0] ?? "";
      throw new DataError("audit_sql_failed", `audit query failed (${first.slice(0, 80)}): ${String(cause)}`, { cause });
    }
  };
  return {
    run: (sql) => wrap(sql, async () => { await connection.run(sql); }),
    all: (sql) =>
      wrap(sql, async () => {
        const reader = await connection.runAndReadAll(sql);
        return reader.getRowObjectsJS().map((row) => {
          const out: Record<string, unknown> = {};
          for (const [key, value] of Object.entries(row)) out[key] = plain(value);
          return out;
        });
      }),
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** Loads one file of sql/audit/. */
export function auditSql(name: string): string {
  return readFileSync(new URL(`../../../sql/audit/${name}`, import.meta.url), "utf8");
}

/** A SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
