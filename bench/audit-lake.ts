/**
 * A local lake of synthetic raw bars for the audit benchmarks (audit.bench.ts, audit-history.bench.ts): one
 * Parquet part per calendar month of sessions, committed like a collector's, with the column bounds the audit
 * prunes by.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { sessionOn, sessions } from "../src/domain/calendar/index.ts";
import { newPartKey } from "../src/lake/keys.ts";
import { LocalStore } from "../src/lake/local-store.ts";
import { commitChange } from "../src/lake/manifest.ts";
import type { PartFile } from "../src/lake/types.ts";
import type { Granularity } from "../src/quality/audit/types.ts";

export interface AuditBenchLake {
  readonly store: LocalStore;
  /** Writes `symbols` symbols' bars of `days` as one part (not committed). */
  putDays(lakeTable: string, granularity: Granularity, symbols: number, days: readonly string[]): Promise<PartFile>;
  /** Writes and commits the sessions from..through as one part per month; returns the parts and the bar count. */
  putHistory(lakeTable: string, granularity: Granularity, symbols: number, from: string, through: string): Promise<{ parts: PartFile[]; bars: number; sessions: number }>;
  /** Appends one session's part, as the collector does each day. */
  appendDay(lakeTable: string, granularity: Granularity, symbols: number, day: string): Promise<void>;
  close(): Promise<void>;
}

export async function createAuditBenchLake(): Promise<AuditBenchLake> {
  const root = await mkdtemp(join(tmpdir(), "trademl-audit-bench-"));
  const store = new LocalStore({ root: join(root, "lake") });
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  let fileNo = 0;

  async function putDays(lakeTable: string, granularity: Granularity, symbols: number, days: readonly string[]): Promise<PartFile> {
    fileNo += 1;
    const path = join(root, `f${fileNo}.parquet`);
    if (granularity === "daily") {
      const list = days.map((day) => `DATE '${day}'`).join(",");
      await connection.run(`COPY (SELECT 'S' || lpad(s::VARCHAR, 4, '0') AS symbol, d AS date, 100.0 + s AS close
        FROM range(${symbols}) r(s), unnest([${list}]) u(d)) TO '${path}' (FORMAT parquet)`);
    } else {
      const list = days.map((day) => `{'open_ms': ${sessionOn(day)?.openMs ?? 0}, 'minutes': ${sessionOn(day)?.minutes ?? 0}}`).join(",");
      await connection.run(`COPY (SELECT 'S' || lpad(s::VARCHAR, 4, '0') AS symbol, make_timestamptz((u.d.open_ms + m * 60000) * 1000) AS bar_time, 100.0 AS close
        FROM range(${symbols}) r(s), unnest([${list}]) u(d), range(u.d.minutes) t(m)) TO '${path}' (FORMAT parquet)`);
    }
    const key = newPartKey(lakeTable);
    const put = await store.putFile(key, path, { condition: { ifNoneMatch: "*" } });
    if (!put.ok) throw new Error("part exists");
    await rm(path, { force: true });
    const column = granularity === "daily" ? "date" : "bar_time";
    const first = days[0] ?? "";
    const last = days[days.length - 1] ?? "";
    const lo = granularity === "daily" ? first : new Date(sessionOn(first)?.openMs ?? 0).toISOString();
    const hi = granularity === "daily" ? last : new Date((sessionOn(last)?.closeMs ?? 0) - 60_000).toISOString();
    return { key, rows: 0, bytes: 0, etag: put.etag, min: { [column]: lo }, max: { [column]: hi } };
  }

  return {
    store,
    putDays,
    async putHistory(lakeTable, granularity, symbols, from, through) {
      const all = sessions(from, through).map((s) => s.date);
      const byMonth = new Map<string, string[]>();
      for (const day of all) byMonth.set(day.slice(0, 7), [...(byMonth.get(day.slice(0, 7)) ?? []), day]);
      const parts: PartFile[] = [];
      for (const days of byMonth.values()) parts.push(await putDays(lakeTable, granularity, symbols, days));
      await commitChange(store, lakeTable, { kind: "append", add: parts });
      const bars = granularity === "daily" ? symbols * all.length : all.reduce((sum, day) => sum + symbols * (sessionOn(day)?.minutes ?? 0), 0);
      return { parts, bars, sessions: all.length };
    },
    async appendDay(lakeTable, granularity, symbols, day) {
      await commitChange(store, lakeTable, { kind: "append", add: [await putDays(lakeTable, granularity, symbols, [day])] });
    },
    async close() {
      connection.closeSync();
      instance.closeSync();
      await store.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
