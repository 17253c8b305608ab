/**
 * No retry loop outlives its cause. Found with `trademl demo`: an external cleaner removed a LocalStore staging
 * file before it was linked, and the store retried link(2) for ever at 100 % CPU, ignoring SIGTERM. Real
 * processes: a writer whose `.tmp-*` files a concurrent deleter removes, and the CLI stuck retrying a store that
 * answers every request with 503.
 */
import { readdir, unlink, mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { LocalStore } from "../../src/lake/local-store.ts";
import { collect, spawnWorker, workerPath } from "./workers/spawn-worker.ts";

const roots: string[] = [];
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

describe("a staging file that vanishes before it is linked", () => {
  it("ends the write with a clear IoError at once instead of retrying link for ever (real concurrent deleter)", async () => {
    const root = await mkdtemp(join(tmpdir(), "trademl-vanish-"));
    roots.push(root);
    const key = "raw/test/hot/part.json";
    const child = spawnWorker(workerPath("put-worker.ts"), [root, key, "100000"]);
    const done = collect(child);
    let exited = false;
    void done.then(() => (exited = true));
    // The deleter: remove every staging file of that key as soon as it is seen, as an over-eager cleaner would.
    const folder = join(root, ...key.split("/"));
    let deleted = 0;
    const deadline = performance.now() + 30_000;
    while (!exited && performance.now() < deadline) {
      const names = await readdir(folder).catch(() => [] as string[]);
      for (const name of names.filter((n) => n.startsWith(".tmp-"))) {
        if (await unlink(join(folder, name)).then(() => true, () => false)) deleted++;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    const hung = !exited;
    if (hung) child.kill("SIGKILL");
    const output = await done;
    expect(hung, `the writer was still running 30 s after ${deleted} staging files were deleted under it`).toBe(false);
    expect(deleted).toBeGreaterThan(0);
    expect(output.code, output.stderr).toBe(3);
    const error = JSON.parse(output.stderr.trim().split("\n").at(-1) ?? "{}") as { code?: string; message?: string };
    expect(error.code).toBe("lake_staging_vanished");
    expect(error.message).toContain(`"${key}"`);
    expect(error.message).toMatch(/vanished before it could be installed/);
    // The key still holds a complete earlier version or nothing: never a partial file.
    const current = await new LocalStore({ root }).get(key);
    if (current !== undefined) expect(current.body.byteLength).toBe(64 * 1024);
  }, 60_000);
});

describe("SIGTERM during a store's retries", () => {
  let server: Server | undefined;
  afterAll(async () => {
    await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  });

  it("ends `trademl lake probe` promptly while every request is answered 503 (real CLI process)", async () => {
    const requests: string[] = [];
    server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      req.resume();
      res.writeHead(503, { "content-type": "application/xml", date: new Date().toUTCString() });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>always busy</Message></Error>`);
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const cwd = await mkdtemp(join(tmpdir(), "trademl-term-"));
    roots.push(cwd);
    // The real CLI entry point (runMain wires SIGTERM), in a folder without a .env; the store comes from the env.
    const entry = fileURLToPath(new URL("../e2e/trademl-child.ts", import.meta.url));
    const cli = spawnWorker(entry, ["lake", "probe"], {
      cwd,
      env: { S3_ENDPOINT: `http://127.0.0.1:${port}`, S3_BUCKET: "always-busy", AWS_ACCESS_KEY_ID: "test-key-id", AWS_SECRET_ACCESS_KEY: "test-secret-key" },
    });
    const finished = collect(cli);
    // Once the CLI is inside its retries (a few requests seen), ask it to stop.
    expect(await waitFor(() => requests.length >= 3, 30_000), "the CLI never reached the store").toBe(true);
    const sentAt = performance.now();
    cli.kill("SIGTERM");
    const output = await finished;
    const stoppedAfterMs = performance.now() - sentAt;
    expect(stoppedAfterMs, `still retrying ${Math.round(stoppedAfterMs)} ms after SIGTERM; stderr: ${output.stderr}`).toBeLessThan(2_500);
    expect(output.code === 0, output.stdout).toBe(false);
  }, 60_000);
});
