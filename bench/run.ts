/**
 * Runs every bench/*.bench.ts one after the other (each in its own process, so one benchmark's JIT state and
 * workers do not disturb the next) and exits non-zero if any failed.
 * Usage: npm run bench [-- <substring>]   e.g. npm run bench -- iv
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";

const here = import.meta.dirname ?? path.resolve("bench");
const filter = process.argv[2] ?? "";
const files = readdirSync(here)
  .filter((name) => name.endsWith(".bench.ts") && name.includes(filter))
  .sort();
if (files.length === 0) {
  process.stderr.write(`bench: no bench/*.bench.ts matches "${filter}"\n`);
  process.exit(2);
}
const tsx = path.resolve(here, "..", "node_modules", ".bin", "tsx");
let failed = 0;
for (const file of files) {
  process.stdout.write(`\n=== ${file} ===\n`);
  const run = spawnSync(tsx, [path.join(here, file)], { stdio: "inherit" });
  if (run.status !== 0) {
    failed++;
    process.stderr.write(`bench: ${file} exited with ${run.status ?? run.signal}\n`);
  }
}
process.exit(failed === 0 ? 0 : 1);
