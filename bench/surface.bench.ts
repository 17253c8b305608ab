/**
 * The surface build of one full day from quotes (issue 12): every sampled underlier's chain (configs/edge.yml
 * `universe`, and a larger day of TRADEML_BENCH_SURFACE_UNDERLIERS names) × all its expiries, as the simulator lists
 * them (four weeklies and two monthlies, 17 strikes each side), turned into implied vols of the bid, ask and mid on
 * the forward (the pipeline's one path, implied-vol-forward.ts) and then into SVI surfaces with their QC
 * (src/options/fit-surfaces.ts: OTM quotes, vega weights, fit, JW repair, RMSE and calendar checks) — the in-memory
 * part of the options pass; its DuckDB reads and Parquet writes are not in the figure.
 *
 * Ratios in the same run: the edge.yml day on the TypeScript engine (tsc build of the same kernels), and, fit only,
 * per slice against the scipy peer of bench/svi.bench.ts (bench/peers/svi_scipy.py: bounded least squares from two
 * starts, unweighted, no QC) on the same slices' total variances (the WASM fit unweighted too, as the peer).
 *
 * Run: npm run bench -- surface
 * Peer: TRADEML_PYTHON (a Python with numpy and scipy) or bench/.out/venv-svi (see bench/svi.bench.ts).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { Bench } from "tinybench";
import { loadConfig } from "../src/config/index.ts";
import { createKernels, type Kernels } from "../src/kernels/index.ts";
import { impliedVolForward } from "../src/kernels/implied-vol-forward.ts";
import { fitSurfaces, type SurfaceExpiry, type SurfaceQuote } from "../src/options/fit-surfaces.ts";
import { normPdf } from "../src/sim/bsm.ts";
import { SyntheticMarket, type OptionQuote } from "../src/sim/market.ts";

const root = path.resolve(import.meta.dirname ?? ".", "..");
const DATE = "2024-06-03";
const config = await loadConfig({ configDir: path.join(root, "configs"), env: {}, envFile: false });
const surfaceConfig = config.curator.options.surface;
const market = new SyntheticMarket(7);

interface Day {
  readonly label: string;
  readonly chain: readonly (OptionQuote & { readonly t: number })[];
  readonly expiries: readonly SurfaceExpiry[];
}

function dayOf(label: string, underliers: readonly string[]): Day {
  const chain: (OptionQuote & { t: number })[] = [];
  const expiries: SurfaceExpiry[] = [];
  for (const underlying of underliers) {
    for (const expiry of market.expiries(DATE)) {
      const fwd = market.optionForward(underlying, DATE, expiry);
      if (fwd === undefined || fwd.t <= 0) continue;
      expiries.push({ underlying, date: DATE, expiry, t: fwd.t, forward: fwd.forward });
      for (const q of market.optionChain(underlying, DATE, [expiry])) chain.push({ ...q, t: fwd.t });
    }
  }
  return { label, chain, expiries };
}

/** Quotes → implied vols (bid, ask, mid) → OTM surface quotes with discounted Black vega → fitted, QC'd slices. */
function buildSurfaces(kernels: Kernels, day: Day): ReturnType<typeof fitSurfaces> {
  const n = day.chain.length;
  const column = (f: (q: OptionQuote & { t: number }) => number): Float64Array => Float64Array.from(day.chain, f);
  const common = { forward: column((q) => q.forward), strike: column((q) => q.strike), t: column((q) => q.t), df: column((q) => q.df), isCall: Uint8Array.from(day.chain, (q) => (q.isCall ? 1 : 0)) };
  const mid = impliedVolForward(kernels, { ...common, price: column((q) => q.mid) });
  const bid = impliedVolForward(kernels, { ...common, price: column((q) => q.bid) });
  const ask = impliedVolForward(kernels, { ...common, price: column((q) => q.ask) });
  const quotes: SurfaceQuote[] = [];
  for (let i = 0; i < n; i++) {
    const q = day.chain[i];
    const iv = mid.vol[i] ?? Number.NaN;
    if (q === undefined || mid.status[i] !== 0 || q.isCall !== q.strike >= q.forward) continue;
    const k = Math.log(q.strike / q.forward);
    const sd = iv * Math.sqrt(q.t);
    const vega = q.df * q.forward * normPdf(-k / sd + sd / 2) * Math.sqrt(q.t);
    quotes.push({ underlying: q.underlying, date: DATE, expiry: q.expiry, t: q.t, forward: q.forward, k, mid: q.mid, ivMid: iv, ivBid: bid.vol[i] ?? Number.NaN, ivAsk: ask.vol[i] ?? Number.NaN, vega });
  }
  return fitSurfaces(kernels, day.expiries, quotes, surfaceConfig);
}

const wasm = await createKernels();
const ts = await createKernels({ engine: "ts" });
const universe = config.edge.universe;
const large = Number(process.env["TRADEML_BENCH_SURFACE_UNDERLIERS"] ?? 100);
const days = [
  dayOf(`edge.yml universe (${universe.length} underliers)`, universe),
  dayOf(`${large} underliers`, Array.from({ length: large }, (_, i) => universe[i] ?? `S${String(i + 1).padStart(4, "0")}`)),
];

// A day takes seconds on a busy machine: a fixed, small number of samples (tinybench: time 0, N iterations).
const samples = Number(process.env["TRADEML_BENCH_SURFACE_SAMPLES"] ?? 5);
const bench = new Bench({ time: 0, iterations: samples, warmupTime: 0, warmupIterations: 1 });
const [edgeDay, largeDay] = days;
if (edgeDay === undefined || largeDay === undefined) throw new Error("no day");
bench.add(`ts engine: ${edgeDay.label}`, () => void buildSurfaces(ts, edgeDay));
for (const day of days) bench.add(`wasm: ${day.label}`, () => void buildSurfaces(wasm, day));
await bench.run();
const mean = (name: string): number => {
  const task = bench.tasks.find((t) => t.name === name);
  return task?.result.state === "completed" ? task.result.latency.mean : Number.NaN;
};

console.log(`one day (${DATE}) of quotes → implied vols → SVI surfaces, in memory (mean of ${samples} runs after one warm-up):`);
for (const day of days) {
  const built = buildSurfaces(wasm, day);
  const fitted = built.surfaces.filter((s) => s.qc_status !== "rejected").length;
  const wasmMs = mean(`wasm: ${day.label}`);
  const tsMs = mean(`ts engine: ${day.label}`);
  const vsTs = Number.isNaN(tsMs) ? "" : `   ts engine ${tsMs.toFixed(0)} ms/day (wasm ${(tsMs / wasmMs).toFixed(2)}x faster)`;
  console.log(`  ${day.label.padEnd(36)} ${day.chain.length} quotes, ${day.expiries.length} slices (${fitted} ok/repaired)   wasm ${wasmMs.toFixed(0)} ms/day, ${(wasmMs / day.expiries.length).toFixed(2)} ms/slice${vsTs}`);
}

// Fit only, per slice, against the scipy peer on the same slices (k and total variance of the OTM mids).
const day = edgeDay;
const quotesOf = (kernels: Kernels): { k: number[]; w: number[]; t: number }[] => {
  const out = new Map<string, { k: number[]; w: number[]; t: number }>();
  for (const q of day.chain) {
    if (q.isCall !== q.strike >= q.forward) continue;
    const id = `${q.underlying}|${q.expiry}`;
    const slice = out.get(id) ?? { k: [], w: [], t: q.t };
    const iv = impliedVolForward(kernels, { price: Float64Array.of(q.mid), forward: Float64Array.of(q.forward), strike: Float64Array.of(q.strike), t: Float64Array.of(q.t), df: Float64Array.of(q.df), isCall: Uint8Array.of(q.isCall ? 1 : 0) }).vol[0] ?? Number.NaN;
    if (!Number.isFinite(iv)) continue;
    slice.k.push(Math.log(q.strike / q.forward));
    slice.w.push(iv * iv * q.t);
    out.set(id, slice);
  }
  return [...out.values()].filter((s) => s.k.length >= surfaceConfig.min_quotes);
};
const slices = quotesOf(wasm);
const fitBench = new Bench({ time: 0, iterations: samples, warmupTime: 0, warmupIterations: 1 });
fitBench.add("wasm sviFitBatch", () => void wasm.sviFitBatch(slices));
await fitBench.run();
const fitTask = fitBench.tasks[0];
const fitMs = fitTask?.result.state === "completed" ? fitTask.result.latency.mean / slices.length : Number.NaN;
const venvPython = path.join(root, "bench/.out/venv-svi/bin/python");
const python = process.env["TRADEML_PYTHON"] ?? (existsSync(venvPython) ? venvPython : "python3");
const peer = spawnSync(python, [path.join(root, "bench/peers/svi_scipy.py")], { input: JSON.stringify({ slices, repeats: 1 }), encoding: "utf8", maxBuffer: 64 << 20 });
if (peer.status !== 0) {
  console.log(`scipy peer skipped (${python}): ${(peer.stderr || String(peer.error)).trim().split("\n").pop() ?? ""}`);
} else {
  const result = JSON.parse(peer.stdout) as { secondsPerSlice: number; scipy: string };
  const peerMs = result.secondsPerSlice * 1e3;
  console.log(`fit only, ${slices.length} slices of the ${day.label} day: wasm ${fitMs.toFixed(3)} ms/slice, scipy ${result.scipy} ${peerMs.toFixed(3)} ms/slice: wasm ${(peerMs / fitMs).toFixed(1)}x faster`);
}
await wasm.close();
await ts.close();
