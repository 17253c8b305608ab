// Fold-scoring vectors for the x64/arm64 bit-identity check: a deterministic panel (with absent names, ties, zeros
// and a small and a large cross-section) through build/release.wasm's scoreFolds, and the SHA-256 of every output's
// bits. Plain JavaScript, like tests/arm64/run-vectors.mjs, so it runs unchanged under an arm64 Node in qemu-user.
// Usage: node tests/validate/fold-scoring-vectors.mjs [path/to/release.wasm]  → JSON {arch, node, groups}
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

const root = new URL("../../", import.meta.url);
const wasmPath = process.argv[2] ? new URL(process.argv[2], `file://${process.cwd()}/`) : new URL("build/release.wasm", root);
const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), { env: { abort() { throw new Error("kernel abort"); } } });
const k = instance.exports;
if (typeof k._initialize === "function") k._initialize();

// A 32-bit LCG (Numerical Recipes constants): the same panel on every machine.
let seed = 20240613;
const u = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 4294967296;
};

function digest(view) {
  const canonical = view instanceof Float64Array ? Float64Array.from(view, (v) => (Number.isNaN(v) ? NaN : v)) : view;
  const bytes = new Uint8Array(canonical.buffer, canonical.byteOffset, canonical.byteLength);
  return { count: view.length, sha256: createHash("sha256").update(bytes).digest("hex") };
}

const groups = {};
for (const [label, names, dates, rows, paths, quantiles] of [["small", 7, 40, 180, 3, 3], ["large", 503, 60, 240, 4, 5]]) {
  k.arenaReset();
  const al = (bytes) => k.arenaAlloc(Math.max(bytes, 16));
  const ptr = {
    pred: al(rows * names * 8), out: al(dates * names * 8), rowDate: al(rows * 4), rowPath: al(rows * 4),
    scratch: al(k.foldScoringScratchBytes(names, dates)), ic: al(rows * 8), rankIc: al(rows * 8), ls: al(rows * 8),
    hit: al(rows * 8), count: al(rows * 4), sharpe: al(paths * 8), mean: al(paths * 8), sd: al(paths * 8), n: al(paths * 4),
  };
  const mem = () => k.memory.buffer;
  const out = new Float64Array(mem(), ptr.out, dates * names);
  for (let i = 0; i < out.length; i++) out[i] = u() < 0.04 ? NaN : u() < 0.2 ? Math.round((u() - 0.5) * 8) / 100 : (u() - 0.5) * 0.1;
  const rowDate = new Int32Array(mem(), ptr.rowDate, rows);
  const rowPath = new Int32Array(mem(), ptr.rowPath, rows);
  for (let r = 0; r < rows; r++) {
    rowDate[r] = Math.floor(u() * dates);
    rowPath[r] = r % paths;
  }
  const pred = new Float64Array(mem(), ptr.pred, rows * names);
  for (let i = 0; i < pred.length; i++) {
    const y = out[rowDate[Math.floor(i / names)] * names + (i % names)];
    pred[i] = u() < 0.03 ? NaN : u() < 0.05 ? 0 : u() < 0.3 ? Math.round(u() * 6) : 0.3 * (Number.isNaN(y) ? 0 : y) + (u() - 0.5) * 0.1;
  }
  const status = k.scoreFolds(rows, names, dates, paths, quantiles, 252, ptr.pred, ptr.out, ptr.rowDate, ptr.rowPath, ptr.scratch,
    ptr.ic, ptr.rankIc, ptr.ls, ptr.hit, ptr.count, ptr.sharpe, ptr.mean, ptr.sd, ptr.n);
  if (status !== 0) throw new Error(`scoreFolds returned ${status}`);
  for (const [key, p, n, type] of [["ic", ptr.ic, rows, Float64Array], ["rankIc", ptr.rankIc, rows, Float64Array], ["longShort", ptr.ls, rows, Float64Array],
    ["hitRate", ptr.hit, rows, Float64Array], ["validNames", ptr.count, rows, Int32Array], ["pathSharpe", ptr.sharpe, paths, Float64Array],
    ["pathMean", ptr.mean, paths, Float64Array], ["pathStd", ptr.sd, paths, Float64Array], ["pathCount", ptr.n, paths, Int32Array]]) {
    groups[`scoreFolds.${label}.${key}`] = digest(new type(mem(), p, n));
  }
}
console.log(JSON.stringify({ arch: process.arch, node: process.version, groups }));
