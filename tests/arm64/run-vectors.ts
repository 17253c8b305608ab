/**
 * The arm64 bit-identity run's command: every kernel vector set through a WebAssembly build, printed as digests
 * of the exact bits of every result and output (vector-runner.ts). scripts/test-arm64.sh bundles this file with
 * esbuild (so the arm64 Node needs no TypeScript) and runs it under an x64 Node and under an arm64 Node in
 * qemu-user; the digests must be equal.
 * Usage: node run-vectors.mjs <kernels-reference.json> <release.wasm>
 */
import { readFileSync } from "node:fs";
import { loadKernelModule } from "../../src/kernels/load.ts";
import { digest, runVectorSets, type Digest } from "./vector-runner.ts";
import type { Reference } from "./vector-sets.ts";

const [referencePath, wasmPath] = process.argv.slice(2);
if (referencePath === undefined || wasmPath === undefined) {
  process.stderr.write("usage: run-vectors <kernels-reference.json> <release.wasm>\n");
  process.exit(2);
}
const reference: Reference = JSON.parse(readFileSync(referencePath, "utf8"));
const module = await loadKernelModule({ bytes: readFileSync(wasmPath) });
const groups: Record<string, Digest> = {};
for (const [key, values] of runVectorSets(module, reference)) groups[key] = digest(values);
process.stdout.write(`${JSON.stringify({ arch: process.arch, node: process.version, groups })}\n`);
