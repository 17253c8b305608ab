/**
 * S3Store against real MinIO behind a fault-injecting HTTP proxy: 503s and throttling are retried with backoff,
 * a conditional PUT whose response is lost (applied server-side, connection dropped) is recognised as our own
 * success rather than a lost race, and multipart uploads carry the create-only condition to completion.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { fullJitterDelay } from "../../src/lake/backoff.ts";
import { S3Store } from "../../src/lake/s3-store.ts";
import { describeWithMinio, minioService, uniqueBucketName } from "../helpers/services.ts";

type Fault = { readonly method: string; readonly pathIncludes: string; remaining: number; readonly kind: "503" | "slowdown" | "drop_response" };

describeWithMinio("S3Store faults and multipart (real MinIO behind a proxy)", () => {
  let proxy: Server;
  let store: S3Store;
  let scratch: string;
  const faults: Fault[] = [];
  const seen: string[] = [];

  beforeAll(async () => {
    const minio = minioService();
    if (minio === undefined) throw new Error("MinIO vanished");
    const target = new URL(minio.endpoint);
    proxy = createServer((req: IncomingMessage, res: ServerResponse) => {
      seen.push(`${req.method} ${req.url}`);
      const fault = faults.find((f) => f.remaining > 0 && f.method === req.method && (req.url ?? "").includes(f.pathIncludes));
      if (fault !== undefined) fault.remaining--;
      if (fault?.kind === "503" || fault?.kind === "slowdown") {
        req.resume();
        const code = fault.kind === "503" ? "ServiceUnavailable" : "SlowDown";
        res.writeHead(503, { "content-type": "application/xml", date: new Date().toUTCString() });
        res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected</Message></Error>`);
        return;
      }
      // Headers (Host included) are forwarded unchanged, so MinIO verifies the client's SigV4 signature as is.
      const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        if (fault?.kind === "drop_response") {
          up.resume();
          up.on("end", () => res.socket?.destroy()); // applied upstream, answer lost
          return;
        }
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on("error", () => res.socket?.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const port = (proxy.address() as AddressInfo).port;
    const bucket = uniqueBucketName("s3faults");
    const direct = new S3Store({ bucket, endpoint: minio.endpoint, region: minio.region, accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey });
    await direct.ensureBucket();
    await direct.close();
    store = new S3Store({
      bucket,
      endpoint: `http://127.0.0.1:${port}`,
      region: minio.region,
      accessKeyId: minio.accessKeyId,
      secretAccessKey: minio.secretAccessKey,
      multipartThresholdBytes: 5 * 1024 * 1024,
      multipartPartBytes: 5 * 1024 * 1024,
      requestTimeoutMs: 10_000,
    });
    scratch = await mkdtemp(join(tmpdir(), "trademl-s3faults-"));
  });

  afterAll(async () => {
    await store.close();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await rm(scratch, { recursive: true, force: true });
  });

  it("full-jitter delays stay within [0, min(cap, base·2^attempt))", () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      for (const r of [0, 0.5, 0.999999]) {
        const delay = fullJitterDelay(attempt, { baseMs: 100, capMs: 5_000, random: () => r });
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(Math.min(5_000, 100 * 2 ** attempt));
      }
    }
  });

  it("retries 503 and SlowDown answers and then succeeds", async () => {
    faults.push({ method: "PUT", pathIncludes: "retry/a.json", remaining: 2, kind: "503" });
    faults.push({ method: "GET", pathIncludes: "retry/a.json", remaining: 1, kind: "slowdown" });
    const before = seen.length;
    expect((await store.put("retry/a.json", "hello", { condition: { ifNoneMatch: "*" } })).ok).toBe(true);
    expect(new TextDecoder().decode((await store.get("retry/a.json"))?.body)).toBe("hello");
    expect(seen.slice(before).filter((line) => line.includes("retry/a.json"))).toHaveLength(5);
  });

  it("gives up after maxAttempts with an IoError naming the key", async () => {
    faults.push({ method: "PUT", pathIncludes: "retry/never.json", remaining: 100, kind: "503" });
    await expect(store.put("retry/never.json", "x")).rejects.toMatchObject({ code: "lake_s3_failed", message: expect.stringContaining("retry/never.json") });
  }, 60_000);

  it("a create-only PUT applied upstream whose answer was lost counts as our success, not as a lost race", async () => {
    faults.push({ method: "PUT", pathIncludes: "ambiguous/m.json", remaining: 1, kind: "drop_response" });
    const result = await store.put("ambiguous/m.json", "ours", { condition: { ifNoneMatch: "*" } });
    expect(result.ok).toBe(true);
    // Somebody else's identical-key write after that is still refused.
    expect((await store.put("ambiguous/m.json", "theirs", { condition: { ifNoneMatch: "*" } })).ok).toBe(false);
    // And a genuinely lost race stays lost even after an ambiguous attempt: different body, not ours.
    await store.put("ambiguous/n.json", "winner", { condition: { ifNoneMatch: "*" } });
    faults.push({ method: "PUT", pathIncludes: "ambiguous/n.json", remaining: 1, kind: "503" });
    expect((await store.put("ambiguous/n.json", "loser", { condition: { ifNoneMatch: "*" } })).ok).toBe(false);
  });

  it("uploads a large file as multipart with the create-only condition on completion", async () => {
    const big = join(scratch, "big.bin");
    const bytes = new Uint8Array(11 * 1024 * 1024).map((_, i) => (i * 7) % 256);
    await writeFile(big, bytes);
    const before = seen.length;
    const first = await store.putFile("multi/big.bin", big, { condition: { ifNoneMatch: "*" } });
    expect(first.ok).toBe(true);
    const requests = seen.slice(before);
    expect(requests.filter((line) => line.includes("partNumber="))).toHaveLength(3);
    expect(requests.some((line) => line.startsWith("POST") && line.includes("uploadId="))).toBe(true);
    expect((await store.putFile("multi/big.bin", big, { condition: { ifNoneMatch: "*" } })).ok).toBe(false);
    const head = await store.head("multi/big.bin");
    expect(head?.size).toBe(bytes.length);
    expect(head?.etag).toBe(first.ok ? first.etag : "");
  }, 60_000);
});
