import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LocalStore } from "../../src/lake/local-store.ts";
import { S3Store } from "../../src/lake/s3-store.ts";
import type { PutOptions, PutResult } from "../../src/lake/types.ts";
import { describeWithMinio, minioService, uniqueBucketName } from "../helpers/services.ts";
import { defineConformanceSuite } from "./store-conformance-suite.ts";

const roots: string[] = [];
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

describe("LocalStore conformance", () => {
  defineConformanceSuite(async () => {
    const root = await mkdtemp(join(tmpdir(), "trademl-local-"));
    roots.push(root);
    return new LocalStore({ root });
  }, { conditionalDelete: "honoured" });
});

describeWithMinio("S3Store conformance (real MinIO)", () => {
  defineConformanceSuite(async () => {
    const minio = minioService();
    if (minio === undefined) throw new Error("MinIO vanished");
    // Small multipart threshold so the 200 kB putFile test is below it and the multipart test elsewhere above it.
    const store = new S3Store({ bucket: uniqueBucketName("conformance"), endpoint: minio.endpoint, region: minio.region, accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey });
    await store.ensureBucket();
    return store;
  }, { conditionalDelete: "ignored" });
});

describe("LocalStore housekeeping", () => {
  it("leaves no folders or temp files behind after writes that were refused or deleted", async () => {
    const { readdir } = await import("node:fs/promises");
    const { probeStore } = await import("../../src/lake/probe.ts");
    const root = await mkdtemp(join(tmpdir(), "trademl-clean-"));
    roots.push(root);
    const store = new LocalStore({ root });
    await probeStore(store);
    await store.put("a/b/c.json", "x", { condition: { ifMatch: "1-00" } });
    expect(await readdir(root)).toEqual([]);
  });

  it("refuses to write over a foreign plain file, naming the key, but can read and list it", async () => {
    const { mkdir, writeFile } = await import("node:fs/promises");
    const root = await mkdtemp(join(tmpdir(), "trademl-foreign-"));
    roots.push(root);
    await mkdir(join(root, "curated", "x"), { recursive: true });
    await writeFile(join(root, "curated", "x", "dropped.csv"), "a,b\n");
    const store = new LocalStore({ root });
    expect(new TextDecoder().decode((await store.get("curated/x/dropped.csv"))?.body)).toBe("a,b\n");
    const keys: string[] = [];
    for await (const entry of store.list("curated/")) keys.push(entry.key);
    expect(keys).toEqual(["curated/x/dropped.csv"]);
    await expect(store.put("curated/x/dropped.csv", "new")).rejects.toMatchObject({ code: "lake_foreign_object", message: expect.stringContaining("curated/x/dropped.csv") });
  });
});

describe("the probe refuses a store without conditional writes", () => {
  it("names every failed required check and what it protects", async () => {
    const { probeStore, assertMultiWriterSafe } = await import("../../src/lake/probe.ts");
    // A store that silently drops write conditions, as plain WebDAV/NAS gateways or old S3 clones do.
    class UnconditionalStore extends LocalStore {
      override put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<PutResult> {
        return super.put(key, body, { ...(options.contentType === undefined ? {} : { contentType: options.contentType }) });
      }
    }
    const root = await mkdtemp(join(tmpdir(), "trademl-naive-"));
    roots.push(root);
    const report = await probeStore(new UnconditionalStore({ root }));
    expect(report.multiWriterSafe).toBe(false);
    const failed = report.checks.filter((c) => c.status === "fail").map((c) => c.name);
    expect(failed).toEqual(["create_only_twice", "wrong_etag", "cas_missing_key", "concurrent_create_only"]);
    expect(() => assertMultiWriterSafe(report)).toThrow(/refused for multi-writer work[\s\S]*create_only_twice[\s\S]*two writers never both commit the same seq/);
  });
});
