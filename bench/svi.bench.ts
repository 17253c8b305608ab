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
import { createSviKernels, type SviSliceInput } from "../src/kernels/svi/index.ts";

const root = path.resolve(import.meta.dirname ?? ".", "..");

/** Park–Miller generator: the same slices every run. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
}

/**
 * A busy underlier's surface: 200 expiries from one week to three years, 50 strikes each over +-3.5
 * ATM standard deviations, equity-like skew, quotes perturbed by 0.5 vol points (uniform) of noise.
 */
function makeSurface(expiries: number, strikes: number): (SviSliceInput & { t: number })[] {
  const draw = rng(2026);
  const out: (SviSliceInput & { t: number })[] = [];
  for (let e = 0; e < expiries; e++) {
    const t = 7 / 365 + (3 - 7 / 365) * (e / (expiries - 1)) ** 2;
    const atmVol = 0.18 + 0.04 * draw();
    const width = 3.5 * atmVol * Math.sqrt(t);
    const p = { a: atmVol * atmVol * t * 0.6, b: 0.08 * Math.sqrt(t) + 0.02, rho: -0.6 - 0.2 * draw(), m: 0.1 * width * (draw() - 0.3), sigma: 0.4 * width };
    const k: number[] = [], w: number[] = [];
    for (let i = 0; i < strikes; i++) {
      const x = -width + (2 * width * i) / (strikes - 1);
      const clean = p.a + p.b * (p.rho * (x - p.m) + Math.sqrt((x - p.m) ** 2 + p.sigma ** 2));
      const vol = Math.sqrt(clean / t) + 0.005 * (2 * draw() - 1);
      k.push(x);
      w.push(vol * vol * t);
    }
    out.push({ k, w, t });
  }
  return out;
}

const surface = makeSurface(200, 50);
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
