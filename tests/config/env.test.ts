// Environment knobs: validated from the process environment and an optional .env, which the process
// environment overrides; errors name the variable and, for .env, its line; the lake target follows.
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readFile } from "node:fs/promises";
import { envSchema, loadEnvironment } from "../../src/config/env.ts";
import { ConfigError } from "../../src/domain/errors.ts";
import { SHIPPED_CONFIGS, tempDir, type TempDir } from "./fixtures.ts";

let temp: TempDir | undefined;
afterEach(async () => {
  await temp?.cleanup();
  temp = undefined;
});

async function failure(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe("loadEnvironment", () => {
  it("defaults to a local lake under ./lake and four workers", async () => {
    temp = await tempDir();
    const loaded = await loadEnvironment({ env: {}, cwd: temp.dir });
    expect(loaded.lakeTarget).toEqual({ kind: "local", root: path.join(temp.dir, "lake") });
    expect(loaded.env.NODE_WORKERS).toBe(4);
    expect(loaded.envFile).toBeUndefined();
  });

  it("reads <cwd>/.env when present, and the process environment wins over it", async () => {
    temp = await tempDir();
    await temp.write(".env", "# lake\nLAKE_ROOT=data/lake\nNODE_WORKERS=2\nexport FRED_API_KEY=abcdef0123456789\n");
    const loaded = await loadEnvironment({ env: { NODE_WORKERS: "6" }, cwd: temp.dir });
    expect(loaded.lakeTarget).toEqual({ kind: "local", root: path.join(temp.dir, "data/lake") });
    expect(loaded.env.NODE_WORKERS).toBe(6);
    expect(loaded.env.FRED_API_KEY).toBe("abcdef0123456789");
    expect(loaded.envFile).toBe(path.join(temp.dir, ".env"));
  });

  it("treats an empty assignment as unset, as in .env.example", async () => {
    temp = await tempDir();
    await temp.write(".env", "POLYGON_API_KEY=\nS3_BUCKET=\n");
    const loaded = await loadEnvironment({ env: {}, cwd: temp.dir });
    expect(loaded.env.POLYGON_API_KEY).toBeUndefined();
    expect(loaded.lakeTarget.kind).toBe("local");
  });

  it("names the .env line of a bad value", async () => {
    temp = await tempDir();
    const file = await temp.write("my.env", "LAKE_ROOT=./lake\nNODE_WORKERS=many\n");
    const error = await failure(loadEnvironment({ env: {}, envFile: "my.env", cwd: temp.dir }));
    expect(error.message).toContain(`${file}:2:1: NODE_WORKERS: expected a whole number`);
  });

  it("names the variable when the bad value comes from the process environment", async () => {
    const error = await failure(loadEnvironment({ env: { S3_FORCE_PATH_STYLE: "maybe" }, envFile: false }));
    expect(error.message).toContain("environment variable S3_FORCE_PATH_STYLE: expected true or false");
  });

  it("fails when an explicitly named .env file is missing", async () => {
    temp = await tempDir();
    const error = await failure(loadEnvironment({ env: {}, envFile: "missing.env", cwd: temp.dir }));
    expect(error.message).toContain("missing.env: no such file");
  });

  it("rejects NODE_MAX_INFLIGHT_ for a vendor that does not exist", async () => {
    const error = await failure(loadEnvironment({ env: { NODE_MAX_INFLIGHT_POLYGONIO: "2" }, envFile: false }));
    expect(error.message).toContain("NODE_MAX_INFLIGHT_POLYGONIO: unknown vendor");
    const ok = await loadEnvironment({ env: { NODE_MAX_INFLIGHT_POLYGON: "2" }, envFile: false });
    expect(ok.env.NODE_MAX_INFLIGHT_POLYGON).toBe(2);
  });

  it("warns about a likely typo in .env without failing", async () => {
    temp = await tempDir();
    await temp.write(".env", "FINNHUB_API_KEYS=abc123456\nSOMETHING_ELSE=1\n");
    const loaded = await loadEnvironment({ env: {}, cwd: temp.dir });
    expect(loaded.warnings).toHaveLength(1);
    expect(loaded.warnings[0]).toMatch(/\.env:1:1: FINNHUB_API_KEYS: unknown setting; did you mean FINNHUB_API_KEY\?/);
  });

  it("targets S3 when a bucket is set, path-style by default only with a custom endpoint", async () => {
    const minio = await loadEnvironment({
      env: { S3_ENDPOINT: "http://127.0.0.1:9000", S3_BUCKET: "trademl-lake", AWS_ACCESS_KEY_ID: "minioadmin", AWS_SECRET_ACCESS_KEY: "minioadmin-secret" },
      envFile: false,
    });
    expect(minio.lakeTarget).toEqual({
      kind: "s3",
      endpoint: "http://127.0.0.1:9000",
      bucket: "trademl-lake",
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "minioadmin", secretAccessKey: "minioadmin-secret" },
    });
    const aws = await loadEnvironment({ env: { S3_BUCKET: "my-bucket", S3_REGION: "eu-west-1" }, envFile: false });
    expect(aws.lakeTarget).toMatchObject({ kind: "s3", endpoint: undefined, forcePathStyle: false, credentials: undefined, region: "eu-west-1" });
    const forced = await loadEnvironment({ env: { S3_BUCKET: "my-bucket", S3_FORCE_PATH_STYLE: "true" }, envFile: false });
    expect(forced.lakeTarget).toMatchObject({ forcePathStyle: true });
  });

  it("rejects half an S3 setup: an endpoint without a bucket, a key id without its secret, a bad bucket name", async () => {
    expect((await failure(loadEnvironment({ env: { S3_ENDPOINT: "http://127.0.0.1:9000" }, envFile: false }))).message).toMatch(/S3_BUCKET is not/);
    const half = await failure(loadEnvironment({ env: { S3_BUCKET: "b-1", AWS_ACCESS_KEY_ID: "AKIAEXAMPLE123" }, envFile: false }));
    expect(half.message).toMatch(/AWS_ACCESS_KEY_ID is set without AWS_SECRET_ACCESS_KEY/);
    expect((await failure(loadEnvironment({ env: { S3_BUCKET: "Bad_Bucket" }, envFile: false }))).message).toMatch(/S3_BUCKET: expected an S3 bucket name/);
    expect((await failure(loadEnvironment({ env: { S3_ENDPOINT: "ftp://x", S3_BUCKET: "b-1" }, envFile: false }))).message).toMatch(/S3_ENDPOINT/);
  });
});

describe("MLflow settings", () => {
  it("take an http(s) tracking URI and refuse one that carries credentials, without echoing them", async () => {
    const loaded = await loadEnvironment({ env: { MLFLOW_TRACKING_URI: "http://127.0.0.1:5000" }, envFile: false });
    expect(loaded.env.MLFLOW_TRACKING_URI).toBe("http://127.0.0.1:5000");
    const scheme = await failure(loadEnvironment({ env: { MLFLOW_TRACKING_URI: "file:///tmp/mlruns" }, envFile: false }));
    expect(scheme.message).toMatch(/MLFLOW_TRACKING_URI: expected the http\(s\) URL of an MLflow tracking server/);
    const withPassword = await failure(loadEnvironment({ env: { MLFLOW_TRACKING_URI: "http://me:hunter2xyz@mlflow:5000" }, envFile: false }));
    expect(withPassword.message).toMatch(/MLFLOW_TRACKING_URI: must not carry credentials; set MLFLOW_TRACKING_USERNAME/);
    expect(withPassword.message).not.toContain("hunter2xyz");
  });
});

describe(".env.example", () => {
  const example = path.join(SHIPPED_CONFIGS, "..", ".env.example");

  it("documents every knob trademl reads, and nothing else", async () => {
    const text = await readFile(example, "utf8");
    const keys = [...text.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]);
    expect(keys.sort()).toEqual(Object.keys(envSchema.shape).sort());
  });

  it("loads as-is, giving the local lake", async () => {
    const loaded = await loadEnvironment({ env: {}, envFile: example });
    expect(loaded.lakeTarget.kind).toBe("local");
    expect(loaded.warnings).toEqual([]);
  });
});
