/**
 * A job under a lease, as curation is: `lease-writer.ts <lakeRoot> <job> <ttlMs> <table> <goFile>` takes the lease
 * (auto-renewed), writes one part and prints `wrote <key>`, waits until `<goFile>` exists (the parent runs gc or
 * deletes the part meanwhile), then commits the part under the lease and prints `committed <seq>`. A failure goes to
 * stderr as one JSON line `{code, message}` with exit code 3.
 */
import { existsSync } from "node:fs";
import { sleep } from "../../../src/domain/sleep.ts";
import { newPartKey } from "../../../src/lake/keys.ts";
import { acquireLease, defaultLeaseHolder } from "../../../src/lake/lease.ts";
import { LocalStore } from "../../../src/lake/local-store.ts";
import { commitParts } from "../../../src/lake/manifest.ts";

const [root, job, ttlText, table, goFile] = process.argv.slice(2);
if (root === undefined || job === undefined || ttlText === undefined || table === undefined || goFile === undefined) {
  process.stderr.write("usage: lease-writer.ts <lakeRoot> <job> <ttlMs> <table> <goFile>\n");
  process.exit(2);
}
const store = new LocalStore({ root });
const ttlMs = Number(ttlText);
const lease = await acquireLease(store, job, { holder: defaultLeaseHolder("test"), ttlMs, renewMs: Math.floor(ttlMs / 4) });
if (lease === undefined) {
  process.stderr.write(`${JSON.stringify({ code: "busy", message: `lease ${job} is held` })}\n`);
  process.exit(3);
}
try {
  const key = newPartKey(`raw/test/${table}`, "json");
  const body = JSON.stringify({ rows: [1, 2, 3] });
  const put = await store.put(key, body, { condition: { ifNoneMatch: "*" } });
  if (!put.ok) throw new Error(`part ${key} already existed`);
  process.stdout.write(`wrote ${key}\n`);
  while (!existsSync(goFile)) await sleep(50, lease.signal);
  const manifest = await commitParts(store, table, [{ key, rows: 3, bytes: body.length, etag: put.etag }], { lease });
  process.stdout.write(`committed ${manifest.seq}\n`);
} catch (error) {
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "unknown";
  process.stderr.write(`${JSON.stringify({ code, message: error instanceof Error ? error.message : String(error) })}\n`);
  process.exitCode = 3;
} finally {
  await lease.release();
}
