/**
 * Reads check each part against its manifest entry: a part replaced after its commit (a different size on a local
 * lake; a different ETag or size on S3, or a cached copy that changed) is a DataError naming the table and the
 * key, never silently different data. `verifyTable` checks a whole table's parts (content hash on a local lake).
 */
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PartWriter } from "../../src/db/part-writer.ts";
import { DuckSession } from "../../src/db/session.ts";
import { lakeAccess } from "../../src/lake/lake-access.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { ReadCache } from "../../src/lake/read-cache.ts";
import { S3Store } from "../../src/lake/s3-store.ts";
import type { ObjectStore, PartFile } from "../../src/lake/types.ts";
import { verifyTable } from "../../src/lake/verify.ts";
import { runTrademl } from "../helpers/cli.ts";
import { describeWithMinio, minioService, uniqueBucketName } from "../helpers/services.ts";

let scratch: string;
let duck: DuckSession;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "trademl-read-verify-"));
  duck = await DuckSession.create({ threads: 1, kernels: false });
});

afterAll(async () => {
  duck.close();
  await rm(scratch, { recursive: true, force: true });
});

async function commitTable(store: ObjectStore, table: string): Promise<PartFile[]> {
  const writer = new PartWriter({ session: duck, store, scratchDir: scratch });
  await writer.append(table, [await writer.writeQuery("SELECT i AS id FROM range(10) t(i)", { folder: table })]);
  const manifest = await writer.append(table, [await writer.writeQuery("SELECT i AS id FROM range(10, 20) t(i)", { folder: table })]);
  return [...manifest.files];
}

/** Another valid Parquet file, of another size: what a careless `cp` over a part would leave. */
async function otherParquet(): Promise<string> {
  const path = join(scratch, `other-${Date.now()}.parquet`);
  await duck.run(`COPY (SELECT i AS id, 'replaced' AS note FROM range(1000) t(i)) TO '${path}' (FORMAT parquet)`);
  return path;
}

describe("reads of a local lake check each part's size", () => {
  let store: LocalStore;
  let files: PartFile[];

  beforeAll(async () => {
    store = new LocalStore({ root: join(scratch, "local-lake") });
    files = await commitTable(store, "curated/checked");
  });

  it("reads committed parts as they are", async () => {
    const lake = lakeAccess(store);
    const paths = await lake.localPaths(files);
    expect(paths).toHaveLength(2);
    expect(await verifyTable(store, "curated/checked")).toMatchObject({ table: "curated/checked", parts: 2, problems: [] });
  });

  it("refuses a part whose file was overwritten in place", async () => {
    const victim = files[1];
    if (victim === undefined) throw new Error("fixture has two parts");
    const path = await store.resolvePath(victim.key);
    if (path === undefined) throw new Error("part missing");
    await writeFile(path, "not the committed bytes");
    const lake = lakeAccess(store);
    await expect(lake.localPaths(files)).rejects.toMatchObject({ code: "part_changed", details: { key: victim.key } });
    await expect(new ReadCache({ dir: join(scratch, "c1") }).materialize(store, files, { table: "curated/checked" })).rejects.toThrow(
      /curated\/checked/,
    );
    const report = await verifyTable(store, "curated/checked");
    expect(report.problems).toEqual([expect.objectContaining({ key: victim.key, problem: "changed" })]);
  });

  it("refuses a part replaced by a new version through the store", async () => {
    const other = new LocalStore({ root: join(scratch, "local-lake-2") });
    const parts = await commitTable(other, "curated/versioned");
    const victim = parts[0];
    if (victim === undefined) throw new Error("fixture has two parts");
    const put = await other.putFile(victim.key, await otherParquet());
    expect(put.ok).toBe(true);
    await expect(lakeAccess(other).localPaths(parts)).rejects.toMatchObject({ code: "part_changed" });
    expect((await verifyTable(other, "curated/versioned")).problems).toHaveLength(1);
  });

  it("verifyTable reports a missing part and a same-size rewrite (content hash)", async () => {
    const other = new LocalStore({ root: join(scratch, "local-lake-3") });
    const parts = await commitTable(other, "curated/hashed");
    const [first, second] = parts;
    if (first === undefined || second === undefined) throw new Error("fixture has two parts");
    const firstPath = await other.resolvePath(first.key);
    if (firstPath === undefined) throw new Error("part missing");
    await rm(join(scratch, "local-lake-3", second.key), { recursive: true });
    // Same size, different bytes: cheap reads cannot see it, the whole-table check can.
    await writeFile(firstPath, Buffer.alloc(first.bytes, 7));
    const report = await verifyTable(other, "curated/hashed");
    expect(report.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: first.key, problem: "changed" }),
        expect.objectContaining({ key: second.key, problem: "missing" }),
      ]),
    );
  });
});

describe("trademl lake verify", () => {
  it("reports each table, names a replaced part, and exits 3", async () => {
    const root = join(scratch, "cli-lake");
    const store = new LocalStore({ root });
    const good = await commitTable(store, "curated/good");
    const bad = await commitTable(store, "curated/bad");
    const env = { LAKE_ROOT: root };
    const clean = await runTrademl(["lake", "verify"], env, scratch);
    expect(clean.stderr).toBe("");
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/curated\/bad\tseq 2\t2 parts\tok/);
    expect(clean.stdout).toMatch(/curated\/good\tseq 2\t2 parts\tok/);

    const victim = bad[0];
    const path = victim === undefined ? undefined : await store.resolvePath(victim.key);
    if (victim === undefined || path === undefined) throw new Error("fixture has a part");
    await writeFile(path, Buffer.alloc(victim.bytes, 1));
    const run = await runTrademl(["lake", "verify"], env, scratch);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/curated\/bad\tseq 2\t2 parts\t1 problem\(s\)/);
    expect(run.stdout).toContain(`  ${victim.key}\tchanged: ETag`);
    expect(run.stdout).toMatch(/curated\/good\tseq 2\t2 parts\tok/);

    const one = await runTrademl(["lake", "verify", "--table", "curated/good", "--json"], env, scratch);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout)).toEqual([expect.objectContaining({ table: "curated/good", parts: good.length, problems: [] })]);
    expect((await runTrademl(["lake", "verify", "--table", "curated/nothing"], env, scratch)).code).toBe(3);
  });
});

describeWithMinio("reads of an S3 lake check each part's ETag and size (real MinIO)", () => {
  let store: S3Store;
  let files: PartFile[];

  beforeAll(async () => {
    const minio = minioService();
    if (minio === undefined) throw new Error("MinIO vanished");
    store = new S3Store({ bucket: uniqueBucketName("read-verify"), endpoint: minio.endpoint, region: minio.region, accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey });
    await store.ensureBucket();
    files = await commitTable(store, "curated/remote");
  });

  afterAll(async () => {
    await store.close();
  });

  it("reads committed parts; a cached copy damaged on disk is fetched again, never read", async () => {
    const cache = new ReadCache({ dir: join(scratch, "s3-cache") });
    const paths = await cache.materialize(store, files, { table: "curated/remote" });
    expect(paths).toHaveLength(2);
    expect(cache.stats.downloads).toBe(2);
    expect((await verifyTable(store, "curated/remote")).problems).toEqual([]);
    await writeFile(paths[0] ?? "", "truncated");
    const again = await cache.materialize(store, files, { table: "curated/remote" });
    expect(again).toEqual(paths);
    expect(cache.stats).toMatchObject({ downloads: 3, hits: 1 });
    expect((await stat(again[0] ?? "")).size).toBe(files[0]?.bytes);
  });

  it("refuses a part overwritten in the bucket", async () => {
    const victim = files[1];
    if (victim === undefined) throw new Error("fixture has two parts");
    const put = await store.putFile(victim.key, await otherParquet());
    expect(put.ok).toBe(true);
    const lake = lakeAccess(store, { cacheDir: join(scratch, "s3-cache-2") });
    await expect(lake.localPaths(files)).rejects.toMatchObject({ code: "part_changed", details: { key: victim.key } });
    const report = await verifyTable(store, "curated/remote");
    expect(report.problems).toEqual([expect.objectContaining({ key: victim.key, problem: "changed" })]);
  });
});
