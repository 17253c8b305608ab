/**
 * A writer process: `put-worker.ts <lakeRoot> <key> <writes>` overwrites one key `writes` times (64 KiB each),
 * printing `wrote <n>` at the end. A failure goes to stderr as one JSON line `{code, message}` with exit code 3.
 * SIGTERM aborts the store's retries, as the CLI does. Used by the vanished-staging-file test, whose parent
 * deletes the writer's `.tmp-*` files while it writes.
 */
import { LocalStore } from "../../../src/lake/local-store.ts";

const [root, key, countText] = process.argv.slice(2);
if (root === undefined || key === undefined || countText === undefined) {
  process.stderr.write("usage: put-worker.ts <lakeRoot> <key> <writes>\n");
  process.exit(2);
}
const controller = new AbortController();
process.once("SIGTERM", () => controller.abort());
const store = new LocalStore({ root, signal: controller.signal });
const body = new Uint8Array(64 * 1024).fill(7);
try {
  for (let i = 0; i < Number(countText); i++) await store.put(key, body);
  process.stdout.write(`wrote ${countText}\n`);
} catch (error) {
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "unknown";
  process.stderr.write(`${JSON.stringify({ code, message: error instanceof Error ? error.message : String(error) })}\n`);
  process.exitCode = 3;
}
