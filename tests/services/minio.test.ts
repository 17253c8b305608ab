// Smoke test against the real MinIO the global setup started: the S3 behaviour the lake protocol relies on
// (create-only commits with `If-None-Match: *`, ../shared/DESIGN.md "The lake protocol") really holds there.
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithMinio, minioService, uniqueBucketName } from "../helpers/services.ts";

describeWithMinio("MinIO test service", () => {
  let client: S3Client;
  const bucket = uniqueBucketName("services-smoke");

  beforeAll(async () => {
    const minio = minioService();
    if (minio === undefined) throw new Error("describeWithMinio ran without a MinIO service");
    console.log(`MinIO ${minio.version} at ${minio.endpoint}`);
    client = new S3Client({
      endpoint: minio.endpoint,
      region: minio.region,
      credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
      // MinIO serves buckets as paths, not as virtual hosts, on a bare 127.0.0.1 endpoint.
      forcePathStyle: true,
    });
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  afterAll(() => {
    client?.destroy();
  });

  it("rejects a second create-only PUT of the same key with 412 and keeps the first body", async () => {
    const key = "manifests/smoke/00000000000000000001.json";
    const first = await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: "first writer", IfNoneMatch: "*" }),
    );
    expect(first.ETag).toMatch(/^"[0-9a-f]+"$/);

    const second = await client
      .send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "second writer", IfNoneMatch: "*" }))
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(second).toBeInstanceOf(S3ServiceException);
    expect((second as S3ServiceException).$metadata.httpStatusCode).toBe(412);

    const read = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(await read.Body?.transformToString()).toBe("first writer");
  });

  it("refuses requests signed with the wrong secret", async () => {
    const minio = minioService();
    if (minio === undefined) throw new Error("describeWithMinio ran without a MinIO service");
    const intruder = new S3Client({
      endpoint: minio.endpoint,
      region: minio.region,
      credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: `${minio.secretAccessKey}x` },
      forcePathStyle: true,
    });
    try {
      const denied = await intruder
        .send(new PutObjectCommand({ Bucket: bucket, Key: "intruder.txt", Body: "x" }))
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(denied).toBeInstanceOf(S3ServiceException);
      expect((denied as S3ServiceException).$metadata.httpStatusCode).toBe(403);
    } finally {
      intruder.destroy();
    }
  });
});
