// Runs trademl's reference vectors through the WebAssembly kernels and prints a digest of every output's exact
// bits, one entry per kernel group. Plain JavaScript on purpose: it runs unchanged under an arm64 Node in
// qemu-user (scripts/test-arm64.sh), whose digests must equal those of the x64 run bit for bit.
// Usage: node tests/arm64/run-vectors.mjs [path/to/release.wasm]
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

const root = new URL("../../", import.meta.url);
const wasmPath = process.argv[2] ? new URL(process.argv[2], `file://${process.cwd()}/`) : new URL("build/release.wasm", root);
const reference = JSON.parse(readFileSync(new URL("tests/ref/kernels-reference.json", root), "utf8"));

const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), {
  env: {
    abort() {
      throw new Error("kernel abort");
    },
  },
});
const k = instance.exports;
if (typeof k._initialize === "function") k._initialize();

// NaN payloads and signs are not specified by WebAssembly (x64 and arm64 differ), so every NaN is hashed as the
// one canonical NaN; every other value is compared bit for bit, including the sign of zero.
function canonical(values) {
  return Float64Array.from(values, (v) => (Number.isNaN(v) ? NaN : v));
}

function digest(values) {
  const bytes = new Uint8Array(canonical(values).buffer);
  return { count: values.length, sha256: createHash("sha256").update(bytes).digest("hex") };
}

function digestBytes(view) {
  return { count: view.length, sha256: createHash("sha256").update(new Uint8Array(view.buffer, view.byteOffset, view.byteLength)).digest("hex") };
}

const groups = {};
for (const fn of ["erfc", "erfcx", "normCdf", "normPdf"]) groups[fn] = digest(reference.normal.map((r) => k[fn](r.x)));
groups.normInv = digest(reference.normInv.map((r) => k.normInv(r.p)));

// BSM batch over the reference rows: inputs and outputs in the module's own memory (struct of arrays).
{
  const rows = reference.bsm;
  const n = rows.length;
  k.arenaReset();
  const cols = ["S", "K", "T", "r", "q", "vol"].map((key) => ({ key, ptr: k.arenaAlloc(n * 8) }));
  const callPtr = k.arenaAlloc(Math.max(n, 16));
  const outs = ["price", "delta", "gamma", "vega", "theta", "rho", "vanna", "volga", "charm"].map((key) => ({ key, ptr: k.arenaAlloc(n * 8) }));
  const statusPtr = k.arenaAlloc(n * 4);
  for (const c of cols) new Float64Array(k.memory.buffer, c.ptr, n).set(rows.map((r) => r[c.key]));
  new Uint8Array(k.memory.buffer, callPtr, n).set(rows.map((r) => (r.call ? 1 : 0)));
  k.bsmBatch(n, ...cols.map((c) => c.ptr), callPtr, ...outs.map((o) => o.ptr), statusPtr);
  for (const o of outs) groups[`bsm.${o.key}`] = digest(new Float64Array(k.memory.buffer, o.ptr, n));
  groups["bsm.status"] = digestBytes(new Int32Array(k.memory.buffer, statusPtr, n));
}

// Implied vol batch over the reference rows.
{
  const rows = reference.iv;
  const n = rows.length;
  k.arenaReset();
  const cols = ["price", "S", "K", "T", "r", "q"].map((key) => ({ key, ptr: k.arenaAlloc(n * 8) }));
  const callPtr = k.arenaAlloc(Math.max(n, 16));
  const volPtr = k.arenaAlloc(n * 8);
  const statusPtr = k.arenaAlloc(n * 4);
  for (const c of cols) new Float64Array(k.memory.buffer, c.ptr, n).set(rows.map((r) => r[c.key]));
  new Uint8Array(k.memory.buffer, callPtr, n).set(rows.map((r) => (r.call ? 1 : 0)));
  k.impliedVolBatch(n, ...cols.map((c) => c.ptr), callPtr, volPtr, statusPtr);
  groups["iv.vol"] = digest(new Float64Array(k.memory.buffer, volPtr, n));
  groups["iv.status"] = digestBytes(new Int32Array(k.memory.buffer, statusPtr, n));
}

process.stdout.write(`${JSON.stringify({ arch: process.arch, node: process.version, groups })}\n`);
