// The one write path (src/db/part-writer.ts) over a real DuckDB and a real local lake: parts from rows, queries
// and files, their manifest facts, one error for a part that already exists, and compaction commits that keep
// every row.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compactTable } from "../../src/db/compaction.ts";
import { PartWriter, type TableColumns } from "../../src/db/part-writer.ts";
import { DuckSession } from "../../src/db/session.ts";
import { exitCodeFor } from "../../src/domain/errors.ts";
import { contentChangedSince } from "../../src/lake/content-changes.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { commitChange, readManifest } from "../../src/lake/manifest.ts";
import { PartExistsError, putPart } from "../../src/lake/part-upload.ts";

let root: string;
let store: LocalStore;
let session: DuckSession;
let writer: PartWriter;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "trademl-part-writer-"));
  store = new LocalStore({ root: join(root, "lake") });
  session = await DuckSession.create({ threads: 1, kernels: false });
  writer = new PartWriter({ session, store, commit: { writer: "test" } });
});
afterAll(async () => {
  await writer.close();
  session.close();
  await store.close();
  await rm(root, { recursive: true, force: true });
});

const COLUMNS: TableColumns = [["symbol", "VARCHAR"], ["date", "DATE"], ["ts", "TIMESTAMP"], ["close", "DOUBLE"], ["n", "BIGINT"], ["ok", "BOOLEAN"]];

async function readPart(key: string): Promise<Record<string, unknown>[]> {
  const path = await store.resolvePath(key);
  return session.rows(`SELECT symbol, date::VARCHAR AS date, ts::VARCHAR AS ts, close, n, ok FROM read_parquet('${path ?? ""}', hive_partitioning = false) ORDER BY symbol`);
}

describe("PartWriter", () => {
  it("writes rows with exactly the table's columns and types; a part without rows still carries the schema", async () => {
    const part = await writer.writeRows(COLUMNS, [
      { symbol: "MSFT", date: "2024-01-03", ts: "2024-01-03T14:30:00.000Z", close: 2.5, n: 7, ok: false, extra: "ignored" },
      { symbol: "AAPL", date: "2024-01-02", ts: "2024-01-02T14:30:00.000Z", close: 1.5, n: null, ok: true },
    ], { folder: "raw/test/rows/month=2024-01", bounds: ["date"], symbolColumn: "symbol" });
    expect(part).toMatchObject({ rows: 2, min: { date: "2024-01-02" }, max: { date: "2024-01-03" }, symbols: ["AAPL", "MSFT"] });
    expect(part.key).toMatch(/^raw\/test\/rows\/month=2024-01\/part-[0-9a-f-]{36}\.parquet$/);
    expect(await readPart(part.key)).toEqual([
      { symbol: "AAPL", date: "2024-01-02", ts: "2024-01-02 14:30:00", close: 1.5, n: null, ok: true },
      { symbol: "MSFT", date: "2024-01-03", ts: "2024-01-03 14:30:00", close: 2.5, n: "7", ok: false },
    ]);
    const empty = await writer.writeRows(COLUMNS, [], { folder: "raw/test/rows/month=2024-02", facts: { rows: 0 } });
    const path = await store.resolvePath(empty.key);
    const described = await session.rows<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM read_parquet('${path ?? ""}', hive_partitioning = false)`);
    expect(described.map((d) => [d.column_name, d.column_type])).toEqual(COLUMNS.map(([name, type]) => [name, type]));
  });

  it("refuses a value of the wrong type instead of changing the schema or writing NULL", async () => {
    await expect(writer.writeRows(COLUMNS, [{ symbol: "A", date: "not a date", ts: null, close: 1, n: 1, ok: true }], { folder: "raw/test/bad" })).rejects.toMatchObject({ kind: "data", message: expect.stringContaining("not a date") });
  });

  it("writes concurrent parts into distinct files (each part holds its own rows)", async () => {
    const parts = await Promise.all(
      ["A", "B", "C", "D"].map((symbol, i) => writer.writeRows(COLUMNS, [{ symbol, date: `2024-03-0${i + 1}`, ts: null, close: i, n: i, ok: true }], { folder: "raw/test/concurrent", symbolColumn: "symbol" })),
    );
    expect(parts.map((part) => part.symbols)).toEqual([["A"], ["B"], ["C"], ["D"]]);
    for (const [i, part] of parts.entries()) expect((await readPart(part.key)).map((row) => row["symbol"])).toEqual([["A", "B", "C", "D"][i]]);
  });

  it("records a query's bounds and symbols, and refuses bounds of a column the part does not have", async () => {
    const part = await writer.writeQuery("SELECT 'X' AS symbol, DATE '2024-05-01' + range::INTEGER AS date, range AS v FROM range(3)", { folder: "curated/test/q", bounds: ["date", "v"], symbolColumn: "symbol" });
    expect(part).toMatchObject({ rows: 3, min: { date: "2024-05-01", v: 0 }, max: { date: "2024-05-03", v: 2 }, symbols: ["X"] });
    await expect(writer.writeQuery("SELECT 1 AS a", { folder: "curated/test/q", bounds: ["nope"] })).rejects.toMatchObject({ code: "unknown_column" });
  });

  it("records the writer's own facts and the unit a part answers for without reading the file back", async () => {
    const file = join(root, "given.parquet");
    await session.run(`COPY (SELECT 1 AS a) TO '${file}' (FORMAT parquet)`);
    const part = await writer.writeFile(file, { folder: "raw/test/facts/date=2024-01-02", facts: { rows: 1, min: { date: "2024-01-02" }, max: { date: "2024-01-02" }, symbols: ["A", "B"] }, unit: { start: "2024-01-02", end: "2024-01-02" } });
    expect(part).toMatchObject({ rows: 1, symbols: ["A", "B"], unit: { start: "2024-01-02", end: "2024-01-02" } });
    const manifest = await writer.append("raw/test/facts", [part]);
    expect((await readManifest(store, "raw/test/facts"))?.files[0]).toEqual(manifest.files[0]);
  });

  it("has one error, exit code 3, for a part that already exists", async () => {
    const file = join(root, "exists.bin");
    await writeFile(file, "x");
    await putPart(store, "raw/test/exists/part-1.parquet", file);
    const error = await putPart(store, "raw/test/exists/part-1.parquet", file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartExistsError);
    expect(error).toMatchObject({ code: "part_exists", kind: "data", key: "raw/test/exists/part-1.parquet" });
    expect(exitCodeFor(error)).toBe(3);
  });
});

describe("compaction", () => {
  const unitPart = (symbol: string, start: string) =>
    writer.writeRows(COLUMNS, [{ symbol, date: start, ts: null, close: 1, n: 1, ok: true }], {
      folder: `raw/test/minute/date=${start}`, facts: { rows: 1, min: { date: start }, max: { date: start }, symbols: [symbol] }, unit: { start, end: start },
    });

  it("merges small parts with the same folder and unit into one, keeps every row, and is content-preserving", async () => {
    const table = "raw/test/minute";
    const parts = [await unitPart("A", "2024-06-03"), await unitPart("B", "2024-06-03"), await unitPart("C", "2024-06-03"), await unitPart("D", "2024-06-04")];
    for (const part of parts) await writer.append(table, [part]);
    const before = await readManifest(store, table);
    const result = await compactTable(writer, table, { minParts: 3 });
    expect([result.groups, result.partsRemoved, result.partsAdded]).toEqual([1, 3, 1]);
    const after = await readManifest(store, table);
    expect(after?.operation).toBe("compact");
    const merged = after?.files.find((file) => file.key.includes("date=2024-06-03"));
    // The merged part still answers for the same range and series, so the collector never asks for them again.
    expect(merged).toMatchObject({ rows: 3, symbols: ["A", "B", "C"], unit: { start: "2024-06-03", end: "2024-06-03" }, min: { date: "2024-06-03" } });
    expect(after?.files).toHaveLength(2);
    expect(await contentChangedSince(store, table, before?.seq ?? 0)).toBe(false);
    // The old snapshot still lists its own files, and they are still in the lake.
    for (const file of before?.files ?? []) expect(await store.resolvePath(file.key)).toBeDefined();
    await writer.append(table, [await unitPart("E", "2024-06-05")]);
    expect(await contentChangedSince(store, table, before?.seq ?? 0)).toBe(true);
  });

  it("refuses a compact commit that would change the table's rows", async () => {
    const table = "raw/test/lossy";
    const a = await unitPart("A", "2024-07-01");
    const b = await unitPart("B", "2024-07-01");
    await writer.append(table, [a, b]);
    // The lossy part exists (a commit refuses missing parts first); only its row count is wrong for a compaction.
    await store.put(`${table}/part-lossy.parquet`, "x");
    const { etag: _uploaded, ...aFacts } = a;
    await expect(commitChange(store, table, { kind: "replace", operation: "compact", add: [a.rows === 1 ? { ...aFacts, key: `${table}/part-lossy.parquet` } : a], remove: [a.key, b.key] })).rejects.toMatchObject({ code: "compact_not_preserving" });
  });
});
