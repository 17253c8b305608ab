/**
 * SVI calibration speed and quality: one 50-strike slice on the WebAssembly kernels against the TS engine (the
 * same kernels in JavaScript: the baseline, same run), a 200-expiry surface in one batch call on both engines, and, when a
 * Python with scipy is available, a typical scipy fit (bench/peers/svi_scipy.py) on the same slices.
 * Run: npx tsx bench/svi.bench.ts
 * Peer setup: python3 -m venv bench/.out/venv-svi && bench/.out/venv-svi/bin/pip install -r bench/peers/svi-requirements.txt
 * (or point TRADEML_PYTHON at a Python that has numpy and scipy).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { Bench } from "tinybench";
import { loadKernelModule } from "../src/kernels/load.ts";
import { createSviKernels } from "../src/kernels/svi/index.ts";
import { sviSurfaceWorkload } from "./kernel-peers.ts";

const root = path.resolve(import.meta.dirname ?? ".", "..");

const surface = sviSurfaceWorkload(200, 50);
const one = surface[120];
if (one === undefined) throw new Error("no slice");
const wasm = createSviKernels(await loadKernelModule());
const ts = createSviKernels("ts");

const bench = new Bench({ time: 2000, warmupTime: 300 });
bench
  .add("ts engine: one slice, 50 strikes", () => void ts.sviFit(one))
  .add("wasm: one slice, 50 strikes", () => void wasm.sviFit(one))
  .add("ts engine: 200-expiry surface (batch)", () => void ts.sviFitBatch(surface))
  .add("wasm: 200-expiry surface (batch)", () => void wasm.sviFitBatch(surface));
await bench.run();

const rows = bench.tasks.map((task) => ({
  name: task.name,
  mean: task.result.state === "completed" ? task.result.latency.mean : Number.NaN,
}));
// Each wasm task is compared with the ts engine's task on the same workload (the row above it).
rows.forEach(({ name, mean }, i) => {
  const baseline = rows[i - (i % 2)]?.mean ?? Number.NaN;
  console.log(`${name.padEnd(44)} ${mean.toFixed(3).padStart(9)} ms/op   ${(baseline / mean).toFixed(2)}x vs ts engine`);
});
const surfaceMean = rows[3]?.mean ?? Number.NaN;
console.log(`wasm per slice inside the surface batch: ${(surfaceMean / surface.length).toFixed(3)} ms`);

// Fit quality over the whole surface.
const fits = wasm.sviFitBatch(surface);
const ok = fits.filter((f) => f.status === "ok");
const meanRmseVol = ok.reduce((s, f) => s + f.rmseVol, 0) / ok.length;
console.log(`wasm fits: ${ok.length}/${fits.length} ok, mean RMSE ${(meanRmseVol * 1e4).toFixed(2)} vol bp, ` +
  `${fits.filter((f) => !f.butterflyFree).length} with butterfly arbitrage`);

// Peer: scipy, when available.
const venvPython = path.join(root, "bench/.out/venv-svi/bin/python");
const python = process.env["TRADEML_PYTHON"] ?? (existsSync(venvPython) ? venvPython : "python3");
const peerInput = JSON.stringify({ slices: surface.slice(0, 200).map((s) => ({ k: Array.from(s.k), w: Array.from(s.w ?? []), t: s.t })), repeats: 1 });
const peer = spawnSync(python, [path.join(root, "bench/peers/svi_scipy.py")], { input: peerInput, encoding: "utf8", maxBuffer: 64 << 20 });
if (peer.status !== 0) {
  console.log(`scipy peer skipped (${python}): ${(peer.stderr || String(peer.error)).trim().split("\n").pop()}`);
} else {
  const result = JSON.parse(peer.stdout) as { secondsPerSlice: number; scipy: string; slices: { rmseVol: number }[] };
  const peerMs = result.secondsPerSlice * 1e3;
  const peerRmse = result.slices.reduce((s, x) => s + x.rmseVol, 0) / result.slices.length;
  const wasmPerSlice = surfaceMean / surface.length;
  // Fit quality slice by slice; differences below 1e-6 relative are optimiser tolerance, not quality.
  let better = 0, worse = 0, worst = 0;
  result.slices.forEach((x, i) => {
    const mine = fits[i]?.rmseVol ?? Number.NaN;
    const excess = (mine - x.rmseVol) / x.rmseVol;
    if (excess <= 1e-6) better += 1; else worse += 1;
    if (excess > worst) worst = excess;
  });
  console.log(`scipy ${result.scipy} least_squares peer: ${peerMs.toFixed(3)} ms/slice, mean RMSE ${(peerRmse * 1e4).toFixed(2)} vol bp; ` +
    `wasm is ${(peerMs / wasmPerSlice).toFixed(1)}x faster per slice; wasm RMSE <= peer (1e-6 rel.) on ${better}/${better + worse} slices, worst excess ${(worst * 100).toFixed(4)}%`);
}
