import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReadCache } from "../../src/lake/read-cache.ts";
import { compactTable, createTableView, writeParquetPart } from "../../src/db/lake-tables.ts";
import { DuckSession } from "../../src/db/session.ts";
import { loadSqlFile } from "../../src/db/sql-files.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { S3Store } from "../../src/lake/s3-store.ts";
import { commitParts, readManifest } from "../../src/lake/manifest.ts";
import type { ObjectStore } from "../../src/lake/types.ts";
import { describeWithMinio, minioService, uniqueBucketName } from "../helpers/services.ts";

const dirs: string[] = [];
async function scratch(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `trademl-db-${name}-`));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const bars = (day: number, symbols: string[]) =>
  `SELECT s AS symbol, DATE '2024-01-01' + ${day} AS date, (${day} * 10 + i)::DOUBLE AS close FROM (SELECT unnest(${JSON.stringify(symbols).replace(/"/g, "'")}) AS s, generate_subscripts(${JSON.stringify(symbols).replace(/"/g, "'")}, 1) AS i)`;

describe("DuckSession", () => {
  it("applies memory_limit and threads, defaults under 1 GiB, and refuses nonsense", async () => {
    const session = await DuckSession.create({ memoryLimit: "256MB", threads: 1 });
    const settings = await session.settings();
    expect(settings.threads).toBe(1);
    expect(settings.memoryLimit).toMatch(/MiB|MB/);
    session.close();
    const pi = await DuckSession.create();
    const bytes = await pi.rows<{ b: string }>("SELECT current_setting('memory_limit') AS b");
    expect(bytes[0]?.b).toMatch(/^\d+(\.\d+)? MiB$/); // MiB, not GiB: below 1 GiB
    pi.close();
    await expect(DuckSession.create({ memoryLimit: "lots" })).rejects.toMatchObject({ code: "invalid_memory_limit" });
    await expect(DuckSession.create({ threads: 0 })).rejects.toMatchObject({ code: "invalid_threads" });
    await expect(pi.rows("SELECT 1")).rejects.toMatchObject({ code: "session_closed" });
  });

  it("loads sql/ files by name and refuses names that could leave sql/", async () => {
    const root = await scratch("sql");
    await mkdir(join(root, "demo"), { recursive: true });
    await writeFile(join(root, "demo", "answer.sql"), "SELECT 42 AS answer");
    expect(await loadSqlFile("demo/answer", root)).toBe("SELECT 42 AS answer");
    expect(() => loadSqlFile("../etc/passwd", root)).toThrow(/snake_case/);
    await expect(loadSqlFile("demo/missing", root)).rejects.toMatchObject({ code: "sql_file_missing" });
  });

  it("registers the option kernels as SQL functions (Black-Scholes put-call parity holds in SQL)", async () => {
    const session = await DuckSession.create({ threads: 1 });
    expect(session.kernelsRegistered).toBe(true);
    const [row] = await session.rows<{ c: number; p: number }>("SELECT bs_price(100, 95, 0.5, 0.03, 0.01, 0.2, true) AS c, bs_price(100, 95, 0.5, 0.03, 0.01, 0.2, false) AS p");
    // C - P = S e^{-qT} - K e^{-rT} (put-call parity), computed independently here.
    const parity = 100 * Math.exp(-0.01 * 0.5) - 95 * Math.exp(-0.03 * 0.5);
    expect((row?.c ?? NaN) - (row?.p ?? NaN)).toBeCloseTo(parity, 9);
    session.close();
    const bare = await DuckSession.create({ threads: 1, kernels: false });
    await expect(bare.rows("SELECT bs_price(100, 95, 0.5, 0.03, 0.01, 0.2, true)")).rejects.toMatchObject({ code: "sql_failed" });
    bare.close();
  });

  it("wraps SQL errors as DataErrors that quote the statement", async () => {
    const session = await DuckSession.create({ threads: 1 });
    await expect(session.rows("SELECT * FROM no_such_table")).rejects.toMatchObject({ code: "sql_failed", message: expect.stringContaining("no_such_table") });
    session.close();
  });
});

function tableSuite(makeStore: () => Promise<ObjectStore>): void {
  let store: ObjectStore;
  let session: DuckSession;
  let cache: ReadCache;
  beforeAll(async () => {
    store = await makeStore();
    session = await DuckSession.create({ threads: 1, memoryLimit: "512MB" });
    cache = new ReadCache({ dir: await scratch("cache") });
  });
  afterAll(async () => {
    session.close();
    await store.close();
  });

  it("writes parts with row counts and stats, and views read exactly the manifest's files (snapshot isolation)", async () => {
    const p1 = await writeParquetPart(session, store, bars(1, ["AAPL", "MSFT"]), { prefix: "curated/bars/date=2024-01-02", statsColumns: ["date", "close"], symbolColumn: "symbol" });
    expect(p1).toMatchObject({ rows: 2, min: { date: "2024-01-02", close: 11 }, max: { date: "2024-01-02", close: 12 }, symbols: ["AAPL", "MSFT"] });
    await commitParts(store, "bars", [p1]);
    const p2 = await writeParquetPart(session, store, bars(2, ["AAPL", "MSFT", "SPY"]), { prefix: "curated/bars/date=2024-01-03", statsColumns: ["date"] });
    await commitParts(store, "bars", [p2]);
    // An uncommitted part in the same folder must stay invisible.
    await writeParquetPart(session, store, bars(3, ["ZZZ"]), { prefix: "curated/bars/date=2024-01-03" });

    const latest = await createTableView(session, store, "bars", { cache });
    expect(latest.manifest.seq).toBe(2);
    expect(await session.rows("SELECT count(*)::INT AS n, count(DISTINCT symbol)::INT AS s FROM bars")).toEqual([{ n: 5, s: 3 }]);
    await createTableView(session, store, "bars", { cache, seq: 1, viewName: "bars_v1" });
    expect(await session.rows("SELECT count(*)::INT AS n FROM bars_v1")).toEqual([{ n: 2 }]);
  });

  it("compaction rewrites small files per folder in one commit and keeps every row", async () => {
    for (let i = 0; i < 4; i++) {
      const p = await writeParquetPart(session, store, bars(10, [`S${i}`]), { prefix: "curated/small/date=2024-01-11" });
      await commitParts(store, "small", [p]);
    }
    const before = await readManifest(store, "small");
    const result = await compactTable(session, store, "small", { minFiles: 4, cache });
    expect([result.groups, result.filesRemoved, result.filesAdded]).toEqual([1, 4, 1]);
    expect(result.manifest?.operation).toBe("compact");
    expect(result.manifest?.files).toHaveLength(1);
    await createTableView(session, store, "small", { cache });
    expect(await session.rows("SELECT count(*)::INT AS n FROM small")).toEqual([{ n: 4 }]);
    // The pinned old snapshot still reads, from its own files.
    await createTableView(session, store, "small", { cache, seq: before?.seq ?? 0, viewName: "small_before" });
    expect(await session.rows("SELECT count(*)::INT AS n FROM small_before")).toEqual([{ n: 4 }]);
  });

  it("a part missing from the lake is a DataError naming the key; a missing table too", async () => {
    const p = await writeParquetPart(session, store, bars(20, ["X"]), { prefix: "curated/holey/date=2024-01-21" });
    await commitParts(store, "holey", [p]);
    await store.delete(p.key);
    await expect(createTableView(session, store, "holey", { cache, viewName: "holey_fresh" })).rejects.toMatchObject({ code: "part_missing", message: expect.stringContaining(p.key) });
    await expect(createTableView(session, store, "nothing_here", { cache })).rejects.toMatchObject({ code: "table_missing" });
  });

  it("stats columns that do not exist are refused", async () => {
    await expect(writeParquetPart(session, store, bars(1, ["A"]), { prefix: "curated/x", statsColumns: ["nope"] })).rejects.toMatchObject({ code: "unknown_column" });
  });
}

describe("DuckDB over a LocalStore lake", () => {
  tableSuite(async () => new LocalStore({ root: await scratch("lake") }));
});

describeWithMinio("DuckDB over an S3 lake (real MinIO) through the read cache", () => {
  tableSuite(async () => {
    const minio = minioService();
    if (minio === undefined) throw new Error("MinIO vanished");
    const store = new S3Store({ bucket: uniqueBucketName("dbtables"), endpoint: minio.endpoint, region: minio.region, accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey });
    await store.ensureBucket();
    return store;
  });

  it("downloads a part once, hits the cache by ETag afterwards, and evicts least-recently-used files beyond its bound", async () => {
    const minio = minioService();
    if (minio === undefined) throw new Error("MinIO vanished");
    const store = new S3Store({ bucket: uniqueBucketName("dbcache"), endpoint: minio.endpoint, region: minio.region, accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey });
    await store.ensureBucket();
    const session = await DuckSession.create({ threads: 1 });
    const parts = [];
    for (let i = 0; i < 3; i++) parts.push(await writeParquetPart(session, store, `SELECT range AS v FROM range(${20_000 * (i + 1)})`, { prefix: `curated/cached/p=${i}` }));
    await commitParts(store, "cached", parts);
    const dir = await scratch("lru");
    const cache = new ReadCache({ dir, maxBytes: (parts[0]?.bytes ?? 0) + (parts[1]?.bytes ?? 0) + (parts[2]?.bytes ?? 0) + 10 });
    await createTableView(session, store, "cached", { cache });
    expect(cache.stats).toMatchObject({ downloads: 3, hits: 0 });
    await createTableView(session, store, "cached", { cache });
    expect(cache.stats).toMatchObject({ downloads: 3, hits: 3 });
    expect(await session.rows("SELECT count(*)::INT AS n FROM cached")).toEqual([{ n: 120_000 }]);
    // Direct s3:// reads need the httpfs extension installed; without it (offline) the cache serves the read.
    const direct = await createTableView(session, store, "cached", { cache, direct: true, viewName: "cached_direct" });
    expect(await session.rows("SELECT count(*)::INT AS n FROM cached_direct")).toEqual([{ n: 120_000 }]);
    if (!direct.direct) expect(cache.stats.hits).toBe(6);
    // Shrink the bound: only what the current read pins survives.
    const small = new ReadCache({ dir, maxBytes: 1 });
    await small.materialize(store, [parts[0] ?? parts[2] ?? { key: "x", rows: 0, bytes: 0 }]);
    expect(await readdir(dir)).toHaveLength(1);
    session.close();
    await store.close();
  });
});
