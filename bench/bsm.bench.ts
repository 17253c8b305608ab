/**
 * Black-Scholes-Merton price + Greeks for N options (default 1,000,000): the WASM kernel (in-thread and split
 * over worker threads), its price-only mode, the pure-TS reference engine, a C -O3 build of the same formulas
 * (scalar, and -O3 -march=native -ffast-math with glibc's vector math library) and a vectorised numpy/scipy
 * peer. Ratios are against the scalar C build measured in the same run. Also the worker-splitting crossover.
 * Run: npx tsx bench/bsm.bench.ts [N]
 */
import { Bench } from "tinybench";
import { createKernels } from "../src/kernels/index.ts";
import { bestWall, cpuNow, fmt, machine, optionWorkload, runC, runPython, type PeerResult } from "./_kernel-peers.ts";

const n = Number(process.argv[2] ?? 1_000_000);
const batch = optionWorkload(n);
const wasm = await createKernels({ engine: "wasm", workers: 2, parallelThreshold: 1 });
const ts = await createKernels({ engine: "ts" });

// CPU time (see cpuNow): the in-thread tasks; the worker run is timed on the wall clock below.
const bench = new Bench({ time: 1500, iterations: 3, warmup: true, now: cpuNow });
bench
  .add("WASM bsm (price + 8 Greeks)", () => {
    wasm.bsm(batch);
  })
  .add("WASM bsm, price only", () => {
    wasm.bsmPrice(batch);
  })
  .add("TS reference engine bsm", () => {
    ts.bsm(batch);
  });
await bench.run();

const rows: { name: string; ns: number | undefined; note: string }[] = [];
for (const task of bench.tasks) {
  const result = task.result;
  const mean = result.state === "completed" ? result.latency.mean : undefined;
  rows.push({ name: task.name, ns: mean === undefined ? undefined : (mean * 1e6) / n, note: "" });
}
const peer = (name: string, r: PeerResult, note: string) =>
  rows.push(r.ok ? { name, ns: r.value["ns_per_option"], note } : { name, ns: undefined, note: `skipped: ${r.reason}` });
peer("C -O3 scalar (baseline)", runC("bsm_scalar", ["-O3"], n, 5), "glibc erfc/exp/log, price + 5 Greeks");
peer("C -O3 -march=native -ffast-math (libmvec)", runC("bsm_vec", ["-O3", "-march=native", "-ffast-math", "-fopenmp-simd"], n, 5), "glibc libmvec exp/log/erfc, 8 lanes (AVX-512)");
peer("numpy/scipy vectorised", runPython("bsm_numpy.py", [String(n), "3"]), "price + 5 Greeks");

rows.push({ name: "WASM bsm, 2 worker threads (wall clock)", ns: ((await bestWall(() => wasm.bsmParallel(batch), 3)) * 1e6) / n, note: "" });
const baseline = rows.find((r) => r.name.startsWith("C -O3 scalar"))?.ns;
console.log(`\nBSM, ${n.toLocaleString("en")} options, process CPU time — ${machine()}\n`);
console.log("| task | per option | C scalar / task |");
console.log("|---|---|---|");
for (const r of rows) {
  const ratio = r.ns !== undefined && baseline !== undefined ? `${(baseline / r.ns).toFixed(2)}x` : "—";
  console.log(`| ${r.name} | ${r.ns === undefined ? "—" : fmt(r.ns)} | ${ratio}${r.note ? ` (${r.note})` : ""} |`);
}

// Worker splitting: in-thread against two workers at growing sizes, wall clock (the façade's default threshold
// comes from here).
console.log("\n| rows | in-thread (wall) | 2 workers (wall) | speed-up |\n|---|---|---|---|");
for (const size of [5_000, 20_000, 50_000, 200_000]) {
  const small = optionWorkload(size);
  const inline = await bestWall(() => wasm.bsm(small), 7);
  const split = await bestWall(() => wasm.bsmParallel(small), 7);
  console.log(`| ${size.toLocaleString("en")} | ${inline.toFixed(2)} ms | ${split.toFixed(2)} ms | ${(inline / split).toFixed(2)}x |`);
}
await wasm.close();
