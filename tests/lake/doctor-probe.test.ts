// The doctor check that shows the lake probe, run through the real config loader against a real lake.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import { silentLogger } from "../../src/domain/logger.ts";
import { lakeProbeCheck } from "../../src/doctor/lake-probe-check.ts";
import type { DoctorContext } from "../../src/doctor/types.ts";
import { describeWithMinio, minioService, uniqueBucketName } from "../helpers/services.ts";
import { S3Store } from "../../src/lake/s3-store.ts";

const configDir = resolve("configs");
const roots: string[] = [];
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

function contextFor(env: Record<string, string>, cwd: string): DoctorContext {
  const config = loadConfig({ configDir, env, envFile: false, cwd });
  return {
    cwd,
    env,
    configDir,
    envFile: false,
    logger: silentLogger,
    signal: new AbortController().signal,
    config: () => config.catch(() => undefined),
    configError: () => config.then(() => undefined, (error: unknown) => error),
  };
}

describe("doctor lake-probe check", () => {
  it("passes on a local lake, shows the informational checks, and leaves the lake as it was", async () => {
    const root = await mkdtemp(join(tmpdir(), "trademl-doctor-probe-"));
    roots.push(root);
    const result = await lakeProbeCheck.run(contextFor({ LAKE_ROOT: root }, root));
    expect(result.status).toBe("ok");
    expect(result.detail).toMatch(/all 4 required checks pass/);
    expect(result.detail).toMatch(/conditional_delete: honoured/);
    expect(await readdir(root)).toEqual([]);
  });

  it("skips a local lake that does not exist yet, without creating it", async () => {
    const root = await mkdtemp(join(tmpdir(), "trademl-doctor-probe-"));
    roots.push(root);
    const result = await lakeProbeCheck.run(contextFor({ LAKE_ROOT: join(root, "not", "yet") }, root));
    expect(result.status).toBe("skip");
    expect(await readdir(root)).toEqual([]);
  });
});

describeWithMinio("doctor lake-probe check on MinIO", () => {
  it("passes, and reports that MinIO ignores a conditional DELETE", async () => {
    const minio = minioService();
    if (minio === undefined) throw new Error("MinIO vanished");
    const bucket = uniqueBucketName("doctor-probe");
    const setup = new S3Store({ bucket, endpoint: minio.endpoint, region: minio.region, accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey });
    await setup.ensureBucket();
    await setup.close();
    const env = { S3_ENDPOINT: minio.endpoint, S3_BUCKET: bucket, S3_REGION: minio.region, AWS_ACCESS_KEY_ID: minio.accessKeyId, AWS_SECRET_ACCESS_KEY: minio.secretAccessKey };
    const result = await lakeProbeCheck.run(contextFor(env, tmpdir()));
    expect(result.status, result.detail).toBe("ok");
    expect(result.detail).toMatch(/conditional_delete: ignored/);
    expect(result.detail).not.toContain(minio.secretAccessKey);
  });
});
