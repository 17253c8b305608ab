/**
 * The one DuckSession's tuning options (what curation needs for peak RSS on a Pi), the JS row reader the audit
 * counts with, and the shared SQL literal quoting, all checked against what DuckDB itself reports.
 */
import { describe, expect, it } from "vitest";
import { DuckSession, LOW_RSS_SESSION, lowRssSession } from "../../src/db/session.ts";
import { sqlIdentifier, sqlList, sqlString } from "../../src/db/sql-literal.ts";

async function setting(session: DuckSession, name: string): Promise<string> {
  const [row] = await session.rows<{ v: string }>(`SELECT current_setting(${sqlString(name)})::VARCHAR AS v`);
  return String(row?.v);
}

describe("DuckSession tuning options", () => {
  it("applies the low-RSS settings curation uses, and leaves DuckDB's defaults alone otherwise", async () => {
    const tuned = await DuckSession.create(lowRssSession({ threads: 1 }));
    const plain = await DuckSession.create({ threads: 1, kernels: false });
    try {
      expect(await setting(tuned, "preserve_insertion_order")).toBe("false");
      expect(await setting(plain, "preserve_insertion_order")).toBe("true");
      expect(await setting(tuned, "enable_external_file_cache")).toBe("false");
      expect(await setting(plain, "enable_external_file_cache")).toBe("true");
      expect(await setting(tuned, "allocator_background_threads")).toBe("true");
      expect(await setting(tuned, "allocator_flush_threshold")).not.toBe(await setting(plain, "allocator_flush_threshold"));
      expect((await tuned.settings()).threads).toBe(1);
      expect(tuned.kernelsRegistered).toBe(false);
    } finally {
      tuned.close();
      plain.close();
    }
  });

  it("keeps the preset's memory limit when a config leaves it undefined", async () => {
    expect(lowRssSession({ memoryLimit: undefined }).memoryLimit).toBe(LOW_RSS_SESSION.memoryLimit);
    expect(lowRssSession({ memoryLimit: "512MB" }).memoryLimit).toBe("512MB");
    const session = await DuckSession.create(lowRssSession({ memoryLimit: undefined, threads: 1 }));
    const fresh = await DuckSession.create({ memoryLimit: String(LOW_RSS_SESSION.memoryLimit), threads: 1, kernels: false });
    try {
      expect((await session.settings()).memoryLimit).toBe((await fresh.settings()).memoryLimit);
    } finally {
      session.close();
      fresh.close();
    }
  });

  it("rejects a malformed allocator threshold with a coded error", async () => {
    await expect(DuckSession.create({ kernels: false, allocatorFlushThreshold: "lots" })).rejects.toMatchObject({ code: "invalid_memory_setting" });
  });
});

describe("DuckSession.rowsJs", () => {
  it("gives BIGINT counts as numbers, inside lists too, where rows() gives JSON strings", async () => {
    const session = await DuckSession.create({ threads: 1, kernels: false });
    try {
      const [js] = await session.rowsJs("SELECT count(*) AS n, [1::BIGINT, 2::BIGINT] AS l FROM range(5)");
      expect(js).toEqual({ n: 5, l: [1, 2] });
      const [json] = await session.rows("SELECT count(*) AS n FROM range(5)");
      expect(json?.["n"]).toBe("5");
      await expect(session.rowsJs("SELECT * FROM no_such_table")).rejects.toMatchObject({ code: "sql_failed" });
    } finally {
      session.close();
    }
  });
});

describe("sql-literal", () => {
  it("round-trips quotes through DuckDB unchanged", async () => {
    const session = await DuckSession.create({ threads: 1, kernels: false });
    const tricky = "O'Brien's \"file\".parquet";
    try {
      const [row] = await session.rows<{ s: string; l: string[] }>(`SELECT ${sqlString(tricky)} AS s, ${sqlList([tricky, "b"])} AS l`);
      expect(row).toEqual({ s: tricky, l: [tricky, "b"] });
      await session.run(`CREATE TABLE ${sqlIdentifier('we"ird')} AS SELECT 1 AS x`);
      const [named] = await session.rows<{ t: string }>("SELECT table_name AS t FROM duckdb_tables()");
      expect(named?.t).toBe('we"ird');
    } finally {
      session.close();
    }
  });
});
