/**
 * Garbage collection on real MinIO, where every time it compares comes from the store's clock: object
 * LastModified against lease acquisition read from the `Date` header (one-second resolution). A part written
 * under a live lease is kept however old; one written well before any lease is collected; a lake without a
 * marker or manifest is refused.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { sleep } from "../../src/domain/sleep.ts";
import { collectGarbage } from "../../src/lake/gc.ts";
import { acquireLease } from "../../src/lake/lease.ts";
import { S3Store } from "../../src/lake/s3-store.ts";
import type { LeaseHandle } from "../../src/lake/types.ts";
import { describeWithMinio, minioService, uniqueBucketName } from "../helpers/services.ts";
import { stored } from "./manifest-suite.ts";
import { commitParts } from "../../src/lake/manifest.ts";

describeWithMinio("garbage collection on S3Store (real MinIO)", () => {
  let store: S3Store;
  beforeAll(async () => {
    const minio = minioService();
    if (minio === undefined) throw new Error("MinIO vanished");
    store = new S3Store({ bucket: uniqueBucketName("gc"), endpoint: minio.endpoint, region: minio.region, accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey });
    await store.ensureBucket();
  });
  afterAll(async () => {
    await store.close();
  });

  it("refuses an empty bucket: no origin marker, no manifest", async () => {
    await store.put("raw/mine/part-0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b.parquet", "not trademl's");
    await expect(collectGarbage(store, { graceMs: 0, apply: true })).rejects.toMatchObject({ code: "gc_not_a_lake" });
    expect(await store.head("raw/mine/part-0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b.parquet")).toBeDefined();
  });

  it("keeps a part written under a live lease past the grace, collects one written before the lease", async () => {
    await commitParts(store, "seed", [await stored(store, "curated/seed")]);
    const before = await stored(store, "raw/test/gc");
    // More than the clock slack (5 s) between the orphan and the lease, as the Date header has 1 s resolution.
    await sleep(6_500);
    let lease: LeaseHandle | undefined;
    try {
      lease = await acquireLease(store, "curate", { holder: "gc-test:1:x", ttlMs: 3_000, renewMs: 750 });
      if (lease === undefined) throw new Error("no lease");
      const during = await stored(store, "raw/test/gc");
      await sleep(4_000);
      const report = await collectGarbage(store, { graceMs: 3_000, apply: true });
      expect(report.orphans.map((o) => o.key)).toContain(before.key);
      expect(report.held.map((o) => o.key)).toEqual([during.key]);
      expect(report.liveLeases.map((l) => l.job)).toEqual(["curate"]);
      expect(await store.head(before.key)).toBeUndefined();
      expect(await store.head(during.key)).toBeDefined();
      expect((await commitParts(store, "raw_test_gc", [during], { lease })).files.map((f) => f.key)).toEqual([during.key]);
      // A grace below the lease records' TTL is refused.
      await expect(collectGarbage(store, { graceMs: 1_000 })).rejects.toMatchObject({ code: "gc_grace_too_short" });
    } finally {
      await lease?.release();
    }
  }, 60_000);
});
