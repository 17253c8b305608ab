/**
 * A writer process: `commit-worker.ts <lakeRoot> <table> <workerId> <commits>` writes one small part and
 * commits it, `commits` times, printing `committed <key> <seq>` after each commit returns. Used by the
 * N-process race and the SIGKILL crash test (the parent kills it at random points).
 */
import { createHash } from "node:crypto";
import { LocalStore } from "../../../src/lake/local-store.ts";
import { newPartKey } from "../../../src/lake/keys.ts";
import { commitParts } from "../../../src/lake/manifest.ts";

const [root, table, worker, countText] = process.argv.slice(2);
if (root === undefined || table === undefined || worker === undefined || countText === undefined) {
  process.stderr.write("usage: commit-worker.ts <lakeRoot> <table> <workerId> <commits>\n");
  process.exit(2);
}
const store = new LocalStore({ root });
for (let i = 0; i < Number(countText); i++) {
  // The part's body carries its own checksum, so a reader can prove it is complete.
  const payload = `${worker}:${i}:`.padEnd(4096 + ((i * 977) % 8192), "x");
  const body = JSON.stringify({ payload, sha256: createHash("sha256").update(payload).digest("hex") });
  const key = newPartKey(`raw/test/${table}/w=${worker}`, "json");
  const put = await store.put(key, body, { condition: { ifNoneMatch: "*" } });
  if (!put.ok) throw new Error(`part ${key} already existed`);
  const manifest = await commitParts(store, table, [{ key, rows: 1, bytes: body.length, etag: put.etag }], { writer: worker });
  process.stdout.write(`committed ${key} ${manifest.seq}\n`);
}
