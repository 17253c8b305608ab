import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe } from "vitest";
import { LocalStore } from "../../src/lake/local-store.ts";
import { S3Store } from "../../src/lake/s3-store.ts";
import { describeWithMinio, minioService, uniqueBucketName } from "../helpers/services.ts";
import { defineConformanceSuite } from "./_conformance.ts";

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
