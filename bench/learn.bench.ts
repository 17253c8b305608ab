/**
 * GBDT training and prediction against LightGBM single-threaded (num_threads=1), same data, same settings, same
 * run. Workload: the synthetic cross-sectional panel of tests/learn/synthetic-panel.ts (planted nonlinear signal, 5 %
 * missing values in one feature), default 250 dates x 400 names = 100,000 rows x 20 features; train on the first
 * 70 % of dates, predict every row. GBDT: L2, 200 trees, 31 leaves, learning rate 0.05, 255 bins, min 20 rows
 * per leaf, no bagging. Times are process CPU time (the machine is shared, so wall time mostly measures the
 * neighbours), best of 3; the peer times itself inside Python (Dataset construction + train, i.e. binning
 * included on both sides). Goal (issue 14): GBDT training within 2x of LightGBM.
 * Run: npx tsx bench/learn.bench.ts [dates] [names] [features]
 */
import { gbdtParamsSchema } from "../src/config/schemas/model.ts";
import { createKernels } from "../src/kernels/index.ts";
import { runLightgbm } from "../tests/learn/lightgbm-peer.ts";
import { meanRankIc, rowsOfDates, syntheticPanel } from "../tests/learn/synthetic-panel.ts";
import { cpuNow, machine, pypeersPython } from "./kernel-peers.ts";

const dates = Number(process.argv[2] ?? 250);
const names = Number(process.argv[3] ?? 400);
const features = Number(process.argv[4] ?? 20);
const panel = syntheticPanel({ dates, names, features, noise: 1.5, seed: 99 });
const n = panel.label.length;
const train = rowsOfDates(panel, 0, Math.floor(dates * 0.7));
const test = rowsOfDates(panel, Math.floor(dates * 0.7), dates);
const every = Int32Array.from({ length: n }, (_, i) => i);
const params = gbdtParamsSchema.parse({ num_iterations: 200, learning_rate: 0.05, num_leaves: 31, min_data_in_leaf: 20, max_bins: 255 });

const wasm = await createKernels({ engine: "wasm" });
const ts = await createKernels({ engine: "ts" });

/** Best-of-`reps` CPU seconds of f, and its last result. */
function bestCpuSeconds<T>(reps: number, f: () => T): { seconds: number; result: T } {
  let best = Number.POSITIVE_INFINITY;
  let result: T | undefined;
  for (let i = 0; i < reps; i++) {
    const t0 = cpuNow();
    result = f();
    best = Math.min(best, (cpuNow() - t0) / 1000);
  }
  if (result === undefined) throw new Error("no repetition ran");
  return { seconds: best, result };
}

console.log(`\nGBDT, ${n.toLocaleString("en")} rows (${train.length.toLocaleString("en")} train) x ${features} features, ${params.num_iterations} trees of ${params.num_leaves} leaves — ${machine()} (shared with other jobs)\n`);

// Cold: the first fit in a fresh module includes the engine's compilation and tier-up of the kernels.
const cold = bestCpuSeconds(1, () => wasm.fitGbdt(panel, { train }, params));
const warm = bestCpuSeconds(3, () => wasm.fitGbdt(panel, { train }, params));
const model = warm.result;
const python = pypeersPython();
const peer: ReturnType<typeof runLightgbm> = python === undefined
  ? { ok: false, reason: "no Python test peers (scripts/test-services.sh install pypeers) and no TRADEML_PYTHON" }
  : runLightgbm(python, panel, { train, valid: new Int32Array(0), test: every }, params, 3);

// The ranking objective on the same trees (no LightGBM row: its lambdarank needs integer relevance grades).
const rank = bestCpuSeconds(1, () => wasm.fitGbdt(panel, { train }, { ...params, objective: "rank_pairwise" }));

const fitRows: [string, number | undefined, string][] = [
  ["trademl WASM fitGbdt, first fit (cold)", cold.seconds, ""],
  ["trademl WASM fitGbdt (warm)", warm.seconds, ""],
  [`trademl WASM fitGbdt, rank_pairwise (${params.rank_pairs_per_row} pairs per row)`, rank.seconds, "another objective: for scale only"],
  peer.ok ? [`LightGBM ${peer.version}, num_threads=1 (baseline)`, peer.fitCpuS, ""] : ["LightGBM", undefined, `skipped: ${peer.reason}`],
];
const baseline = peer.ok ? peer.fitCpuS : undefined;
console.log("| training | CPU time | / LightGBM |\n|---|---|---|");
for (const [name, seconds, note] of fitRows) {
  const ratio = seconds !== undefined && baseline !== undefined ? `${(seconds / baseline).toFixed(2)}x` : "—";
  console.log(`| ${name} | ${seconds === undefined ? "—" : `${seconds.toFixed(3)} s`} | ${ratio}${note ? ` (${note})` : ""} |`);
}

// Prediction throughput over every row of the panel with the 200-tree model.
const wasmPredict = bestCpuSeconds(5, () => wasm.predict(model, panel, every));
const tsPredict = bestCpuSeconds(3, () => ts.predict(model, panel, every));
const rate = (seconds: number): string => `${(n / seconds / 1e6).toFixed(2)} M rows/s`;
console.log("\n| prediction (200 trees, every row) | CPU time | throughput | / LightGBM |\n|---|---|---|---|");
const predictBaseline = peer.ok ? peer.predictCpuS : undefined;
const predictRows: [string, number | undefined][] = [
  ["trademl WASM predict", wasmPredict.seconds],
  ["trademl TS predict (reference engine)", tsPredict.seconds],
  [peer.ok ? `LightGBM ${peer.version} predict, num_threads=1 (baseline)` : "LightGBM predict (skipped)", predictBaseline],
];
for (const [name, seconds] of predictRows) {
  const ratio = seconds !== undefined && predictBaseline !== undefined ? `${(seconds / predictBaseline).toFixed(2)}x` : "—";
  console.log(`| ${name} | ${seconds === undefined ? "—" : `${(seconds * 1000).toFixed(1)} ms`} | ${seconds === undefined ? "—" : rate(seconds)} | ${ratio} |`);
}

// The same models must be comparable for the timing to mean anything: held-out rank IC of both.
const ours = meanRankIc(panel, test, wasm.predict(model, panel, test));
if (peer.ok) {
  const theirs = meanRankIc(panel, test, peer.predictions.subarray(test[0] ?? 0));
  console.log(`\nheld-out rank IC: trademl ${ours.toFixed(4)}, LightGBM ${theirs.toFixed(4)} (${(ours / theirs).toFixed(3)}x)`);
} else {
  console.log(`\nheld-out rank IC: trademl ${ours.toFixed(4)}`);
}
await wasm.close();
