/**
 * S3Store: the lake on S3-compatible storage (MinIO, AWS S3, Cloudflare R2) through @aws-sdk/client-s3.
 *
 * Conditional writes (AWS S3 User Guide, "Conditional requests" / "How to prevent object overwrites"):
 *   - create-only = PutObject / CompleteMultipartUpload with `If-None-Match: *` → 412 when the key exists;
 *   - compare-and-swap = `If-Match: <etag>` → 412 on a different ETag; a missing key answers 404 (MinIO) or 412,
 *     both reported as `precondition_failed`;
 *   - 409 ConditionalRequestConflict (a concurrent conditional write in flight) is retried.
 * The SDK's own retry is switched off (maxAttempts 1) so that every retry passes through `withRetry`, which
 * knows when an ambiguous failure of a conditional write may in fact have succeeded (see `resolveAmbiguous`).
 *
 * The SDK is imported lazily so that `trademl --help` does not pay for loading it.
 */
import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { S3Client } from "@aws-sdk/client-s3";
import { IoError, UsageError } from "../domain/errors.ts";
import { sleep } from "../domain/sleep.ts";
import { fullJitterDelay } from "./backoff.ts";
import { assertValidKey, assertValidPrefix } from "./keys.ts";
import type {
  DeleteOptions,
  DeleteResult,
  GetOptions,
  ListEntry,
  ListOptions,
  ObjectHead,
  ObjectStore,
  PutOptions,
  PutResult,
  StoredObject,
} from "./types.ts";

type S3Module = typeof import("@aws-sdk/client-s3");

export interface S3StoreOptions {
  readonly bucket: string;
  /** e.g. http://127.0.0.1:9000 for MinIO, https://<account>.r2.cloudflarestorage.com for R2; omit for AWS. */
  readonly endpoint?: string;
  readonly region?: string;
  /** Path-style URLs (`endpoint/bucket/key`); MinIO needs it. Default: true when an endpoint is given. */
  readonly forcePathStyle?: boolean;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly sessionToken?: string;
  /** Files above this go up as multipart. Default 16 MiB; S3 parts must be ≥ 5 MiB except the last. */
  readonly multipartThresholdBytes?: number;
  readonly multipartPartBytes?: number;
  /** Attempts per request for retryable failures (5xx, 409 conflict, throttling, network). Default 6. */
  readonly maxAttempts?: number;
  /** Per-request timeout in ms. Default 30 000. */
  readonly requestTimeoutMs?: number;
}

const PRECONDITION_FAILED = { ok: false, reason: "precondition_failed" } as const;
const DEFAULT_THRESHOLD = 16 * 1024 * 1024;
const DEFAULT_PART = 8 * 1024 * 1024;
const MIN_PART = 5 * 1024 * 1024;
/** User metadata key (sent as `x-amz-meta-trademl-write`). */
const WRITE_ID = "trademl-write";

interface ErrorFacts {
  readonly status: number | undefined;
  readonly name: string;
}

function facts(error: unknown): ErrorFacts {
  if (typeof error !== "object" || error === null) return { status: undefined, name: String(error) };
  const name = "name" in error && typeof error.name === "string" ? error.name : "";
  const code = "code" in error && typeof error.code === "string" ? error.code : "";
  let status: number | undefined;
  if ("$metadata" in error && typeof error.$metadata === "object" && error.$metadata !== null && "httpStatusCode" in error.$metadata) {
    const value = error.$metadata.httpStatusCode;
    status = typeof value === "number" ? value : undefined;
  }
  return { status, name: name === "Error" || name === "" ? code : name };
}

const THROTTLING = new Set(["SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException", "RequestTimeout", "RequestTimeoutException"]);
const NETWORK = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "TimeoutError", "AbortError_timeout", "UND_ERR_SOCKET"]);

function isRetryable(error: unknown): boolean {
  const { status, name } = facts(error);
  if (status !== undefined) return status >= 500 || status === 409 || status === 429 || THROTTLING.has(name);
  return NETWORK.has(name) || THROTTLING.has(name);
}

function isPreconditionFailed(error: unknown): boolean {
  const { status, name } = facts(error);
  return status === 412 || name === "PreconditionFailed";
}

function isNotFound(error: unknown): boolean {
  const { status, name } = facts(error);
  return status === 404 || name === "NoSuchKey" || name === "NotFound";
}

function unquote(etag: string | undefined): string {
  return (etag ?? "").replace(/^"|"$/g, "");
}

export class S3Store implements ObjectStore {
  readonly kind = "s3" as const;
  readonly description: string;
  readonly bucket: string;
  private readonly options: S3StoreOptions;
  private sdk: Promise<{ module: S3Module; client: S3Client }> | undefined;
  /** The `Date` header of the latest response and when it arrived (local monotonic-ish ms). */
  private lastDate: { server: number; local: number } | undefined;

  constructor(options: S3StoreOptions) {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket)) {
      throw new UsageError("invalid_bucket", `S3 bucket name "${options.bucket}" is invalid (3-63 of a-z 0-9 . -)`);
    }
    if (options.endpoint !== undefined && !/^https?:\/\//.test(options.endpoint)) {
      throw new UsageError("invalid_endpoint", `S3 endpoint "${options.endpoint}" must start with http:// or https://`);
    }
    const threshold = options.multipartThresholdBytes ?? DEFAULT_THRESHOLD;
    const part = options.multipartPartBytes ?? DEFAULT_PART;
    if (part < MIN_PART || threshold < part) {
      throw new UsageError("invalid_multipart", `multipart part size must be ≥ 5 MiB and ≤ the threshold (got part ${part}, threshold ${threshold})`);
    }
    this.options = options;
    this.bucket = options.bucket;
    this.description = `s3://${options.bucket}${options.endpoint === undefined ? "" : `@${options.endpoint}`}`;
  }

  private client(): Promise<{ module: S3Module; client: S3Client }> {
    this.sdk ??= (async () => {
      const module = await import("@aws-sdk/client-s3");
      const o = this.options;
      const client = new module.S3Client({
        region: o.region ?? "us-east-1",
        ...(o.endpoint === undefined ? {} : { endpoint: o.endpoint }),
        forcePathStyle: o.forcePathStyle ?? o.endpoint !== undefined,
        maxAttempts: 1,
        // Checksums "when required" only: MinIO and R2 accept the classic Content-MD5-free flow; the SDK's
        // default CRC32 trailers on every PUT are not supported by every S3-compatible store.
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
        ...(o.accessKeyId !== undefined && o.secretAccessKey !== undefined
          ? {
              credentials: {
                accessKeyId: o.accessKeyId,
                secretAccessKey: o.secretAccessKey,
                ...(o.sessionToken === undefined ? {} : { sessionToken: o.sessionToken }),
              },
            }
          : {}),
      });
      // Record the server's clock from every response: lease expiry is judged on it (DESIGN.md, leases).
      client.middlewareStack.add(
        (next) => async (args) => {
          const result = await next(args);
          const response: unknown = result.response;
          if (typeof response === "object" && response !== null && "headers" in response) {
            const headers = response.headers as Record<string, string | undefined>;
            const date = headers["date"] ?? headers["Date"];
            if (date !== undefined) {
              const server = Date.parse(date);
              if (Number.isFinite(server)) this.lastDate = { server, local: Date.now() };
            }
          }
          return result;
        },
        { step: "deserialize", name: "trademlServerDate" },
      );
      return { module, client };
    })();
    return this.sdk;
  }

  /** Runs `op` with full-jitter retries on retryable failures. `op` receives the attempt number (0-based). */
  private async withRetry<T>(what: string, key: string, op: (attempt: number) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const attempts = this.options.maxAttempts ?? 6;
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      try {
        return await op(attempt);
      } catch (error) {
        if (attempt + 1 >= attempts || !isRetryable(error)) throw error;
        await sleep(fullJitterDelay(attempt, { baseMs: 100, capMs: 5_000 }), signal);
      }
    }
  }

  private requestSignal(signal?: AbortSignal): AbortSignal {
    const timeout = AbortSignal.timeout(this.options.requestTimeoutMs ?? 30_000);
    return signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
  }

  private ioError(what: string, key: string, error: unknown): IoError {
    const { status, name } = facts(error);
    const detail = error instanceof Error ? error.message : String(error);
    return new IoError("lake_s3_failed", `${what} "${key}" on ${this.description} failed (${name}${status === undefined ? "" : ` HTTP ${status}`}): ${detail}`, { cause: error });
  }

  async get(key: string, options: GetOptions = {}): Promise<StoredObject | undefined> {
    assertValidKey(key);
    const { module, client } = await this.client();
    try {
      return await this.withRetry("get", key, async () => {
        const out = await client.send(new module.GetObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: this.requestSignal(options.signal) });
        const body = out.Body === undefined ? new Uint8Array() : await out.Body.transformToByteArray();
        return { key, body, etag: unquote(out.ETag), lastModified: out.LastModified ?? new Date(0) };
      }, options.signal);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw this.ioError("get", key, error);
    }
  }

  async head(key: string, options: GetOptions = {}): Promise<ObjectHead | undefined> {
    assertValidKey(key);
    const { module, client } = await this.client();
    try {
      return await this.withRetry("head", key, async () => {
        const out = await client.send(new module.HeadObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: this.requestSignal(options.signal) });
        return { key, etag: unquote(out.ETag), size: out.ContentLength ?? 0, lastModified: out.LastModified ?? new Date(0) };
      }, options.signal);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw this.ioError("head", key, error);
    }
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<PutResult> {
    assertValidKey(key);
    const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
    const { module, client } = await this.client();
    const condition = options.condition;
    // A per-call token stored as object metadata: lets a refused retry recognise our own applied write.
    const writeId = randomUUID();
    try {
      return await this.withRetry("put", key, async () => {
        try {
          const out = await client.send(
            new module.PutObjectCommand({
              Bucket: this.bucket,
              Key: key,
              Body: bytes,
              ContentLength: bytes.byteLength,
              ContentType: options.contentType ?? "application/octet-stream",
              Metadata: { [WRITE_ID]: writeId },
              ...(condition === undefined ? {} : "ifNoneMatch" in condition ? { IfNoneMatch: "*" } : { IfMatch: condition.ifMatch }),
            }),
            { abortSignal: this.requestSignal(options.signal) },
          );
          return { ok: true as const, etag: unquote(out.ETag) };
        } catch (error) {
          if (condition !== undefined && (isPreconditionFailed(error) || ("ifMatch" in condition && isNotFound(error)))) {
            return await this.resolveAmbiguous(key, writeId);
          }
          throw error;
        }
      }, options.signal);
    } catch (error) {
      throw this.ioError("put", key, error);
    }
  }

  /**
   * A conditional write was refused. An earlier attempt of the same write may have been applied without us
   * hearing the answer — after our own retry, or after a transparent retry by the HTTP layer (Deno's client
   * re-sends a PUT when a pooled connection drops; the tests caught it) — in which case the 412 is our own
   * write blocking its repeat. The object's `trademl-write` metadata tells: if it carries this call's token,
   * the write is ours and succeeded.
   */
  private async resolveAmbiguous(key: string, writeId: string): Promise<PutResult> {
    const { module, client } = await this.client();
    try {
      const out = await client.send(new module.HeadObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: this.requestSignal() });
      return out.Metadata?.[WRITE_ID] === writeId ? { ok: true, etag: unquote(out.ETag) } : PRECONDITION_FAILED;
    } catch (error) {
      if (isNotFound(error)) return PRECONDITION_FAILED;
      throw error;
    }
  }

  async putFile(key: string, localPath: string, options: PutOptions = {}): Promise<PutResult> {
    assertValidKey(key);
    let size: number;
    try {
      size = (await stat(localPath)).size;
    } catch (error) {
      throw new IoError("lake_write_failed", `cannot read ${localPath} to upload as "${key}"`, { cause: error });
    }
    if (size <= (this.options.multipartThresholdBytes ?? DEFAULT_THRESHOLD)) {
      return this.put(key, new Uint8Array(await readFile(localPath)), options);
    }
    try {
      const writeId = randomUUID();
      return await this.withRetry("multipart upload", key, () => this.multipart(key, localPath, size, options, writeId), options.signal);
    } catch (error) {
      throw this.ioError("multipart upload", key, error);
    }
  }

  /** One multipart upload; the write condition rides on CompleteMultipartUpload (AWS S3 API reference). */
  private async multipart(key: string, localPath: string, size: number, options: PutOptions, writeId: string): Promise<PutResult> {
    const { module, client } = await this.client();
    const partBytes = this.options.multipartPartBytes ?? DEFAULT_PART;
    const created = await client.send(new module.CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: options.contentType ?? "application/octet-stream", Metadata: { [WRITE_ID]: writeId } }), {
      abortSignal: this.requestSignal(options.signal),
    });
    const uploadId = created.UploadId;
    if (uploadId === undefined) throw new IoError("lake_s3_failed", `CreateMultipartUpload for "${key}" returned no UploadId`);
    const handle = await open(localPath, "r");
    try {
      const parts: { ETag: string; PartNumber: number }[] = [];
      for (let offset = 0, number = 1; offset < size; offset += partBytes, number++) {
        const length = Math.min(partBytes, size - offset);
        const buffer = new Uint8Array(length);
        await handle.read(buffer, 0, length, offset);
        const out = await this.withRetry("upload part", key, () =>
          client.send(new module.UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: number, Body: buffer, ContentLength: length }), {
            abortSignal: this.requestSignal(options.signal),
          }),
        options.signal);
        parts.push({ ETag: out.ETag ?? "", PartNumber: number });
      }
      const condition = options.condition;
      try {
        const done = await client.send(
          new module.CompleteMultipartUploadCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: uploadId,
            MultipartUpload: { Parts: parts },
            ...(condition === undefined ? {} : "ifNoneMatch" in condition ? { IfNoneMatch: "*" } : { IfMatch: condition.ifMatch }),
          }),
          { abortSignal: this.requestSignal(options.signal) },
        );
        return { ok: true, etag: unquote(done.ETag) };
      } catch (error) {
        await client.send(new module.AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
        if (condition !== undefined && (isPreconditionFailed(error) || ("ifMatch" in condition && isNotFound(error)))) return this.resolveAmbiguous(key, writeId);
        throw error;
      }
    } catch (error) {
      await client.send(new module.AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
      throw error;
    } finally {
      await handle.close();
    }
  }

  async getToFile(key: string, localPath: string, options: GetOptions = {}): Promise<ObjectHead | undefined> {
    assertValidKey(key);
    const { module, client } = await this.client();
    const temp = `${localPath}.${randomUUID()}.tmp`;
    try {
      await mkdir(dirname(localPath), { recursive: true });
      const head = await this.withRetry("download", key, async () => {
        const out = await client.send(new module.GetObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: this.requestSignal(options.signal) });
        const body = out.Body;
        if (body === undefined) throw new IoError("lake_s3_failed", `GetObject "${key}" returned no body`);
        await pipeline(body as Readable, createWriteStream(temp));
        return { key, etag: unquote(out.ETag), size: out.ContentLength ?? 0, lastModified: out.LastModified ?? new Date(0) };
      }, options.signal);
      await rename(temp, localPath);
      return head;
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      if (isNotFound(error)) return undefined;
      throw this.ioError("download", key, error);
    }
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ListEntry> {
    assertValidPrefix(prefix);
    const { module, client } = await this.client();
    let token: string | undefined;
    do {
      const page = await this.withRetry("list", prefix, () =>
        client.send(
          new module.ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, MaxKeys: options.pageSize ?? 1000, ...(token === undefined ? {} : { ContinuationToken: token }) }),
          { abortSignal: this.requestSignal(options.signal) },
        ),
      options.signal).catch((error: unknown) => {
        throw this.ioError("list", prefix, error);
      });
      for (const item of page.Contents ?? []) {
        if (item.Key === undefined) continue;
        yield { key: item.Key, size: item.Size ?? 0, lastModified: item.LastModified ?? new Date(0), etag: unquote(item.ETag) };
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<DeleteResult> {
    assertValidKey(key);
    const { module, client } = await this.client();
    try {
      return await this.withRetry("delete", key, async () => {
        try {
          await client.send(new module.DeleteObjectCommand({ Bucket: this.bucket, Key: key, ...(options.ifMatch === undefined ? {} : { IfMatch: options.ifMatch }) }), {
            abortSignal: this.requestSignal(options.signal),
          });
          return { ok: true as const };
        } catch (error) {
          if (options.ifMatch !== undefined && (isPreconditionFailed(error) || isNotFound(error))) return PRECONDITION_FAILED;
          if (isNotFound(error)) return { ok: true as const };
          throw error;
        }
      }, options.signal);
    } catch (error) {
      throw this.ioError("delete", key, error);
    }
  }

  /**
   * The store's clock from a `Date` response header. The header has one-second resolution (RFC 9110 §5.6.7
   * IMF-fixdate), so the true time lies in [Date, Date+1s): we use the midpoint. A header seen in the last
   * second is reused, advanced by the local time elapsed since (the local clock's *rate* over a second is
   * exact enough; its offset never enters); otherwise a HeadBucket fetches a fresh one.
   */
  async serverTime(options: GetOptions = {}): Promise<Date> {
    const recent = this.lastDate;
    if (recent !== undefined && Date.now() - recent.local < 1_000 && Date.now() >= recent.local) {
      return new Date(recent.server + 500 + (Date.now() - recent.local));
    }
    const { module, client } = await this.client();
    const before = Date.now();
    try {
      await this.withRetry("clock", this.bucket, () => client.send(new module.HeadBucketCommand({ Bucket: this.bucket }), { abortSignal: this.requestSignal(options.signal) }), options.signal);
    } catch (error) {
      throw this.ioError("read the clock of bucket", this.bucket, error);
    }
    const seen = this.lastDate;
    if (seen === undefined || seen.local < before) {
      throw new IoError("lake_no_server_clock", `${this.description} sent no Date header; lease expiry needs the store's clock`);
    }
    return new Date(seen.server + 500 + (Date.now() - seen.local));
  }

  /**
   * What DuckDB's httpfs needs to read this bucket directly (`s3://bucket/key`). Contains the secret key:
   * pass it only to `CREATE SECRET`, never to a log.
   */
  directReadConfig(): { bucket: string; endpoint: string | undefined; region: string; pathStyle: boolean; useSsl: boolean; accessKeyId: string | undefined; secretAccessKey: string | undefined; sessionToken: string | undefined } {
    const o = this.options;
    const endpoint = o.endpoint === undefined ? undefined : new URL(o.endpoint);
    return {
      bucket: this.bucket,
      endpoint: endpoint?.host,
      region: o.region ?? "us-east-1",
      pathStyle: o.forcePathStyle ?? o.endpoint !== undefined,
      useSsl: endpoint === undefined ? true : endpoint.protocol === "https:",
      accessKeyId: o.accessKeyId,
      secretAccessKey: o.secretAccessKey,
      sessionToken: o.sessionToken,
    };
  }

  /** Creates the bucket when missing (tests, `lake init`); succeeds if it already exists and is ours. */
  async ensureBucket(): Promise<void> {
    const { module, client } = await this.client();
    try {
      await client.send(new module.CreateBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      const { name } = facts(error);
      if (name === "BucketAlreadyOwnedByYou" || name === "BucketAlreadyExists") return;
      throw this.ioError("create bucket", this.bucket, error);
    }
  }

  async close(): Promise<void> {
    const sdk = this.sdk;
    this.sdk = undefined;
    if (sdk !== undefined) (await sdk).client.destroy();
  }
}

