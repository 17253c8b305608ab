#!/usr/bin/env node
// Thin launcher: the CLI lives in src/cli/main.ts, compiled to dist/ by `npm run build` (run by `npm ci`).
import { existsSync } from "node:fs";

const entry = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("trademl: dist/ is missing; run `npm run build` first\n");
  process.exit(1);
}
const { runMain } = await import(entry.href);
await runMain();
