/**
 * Black-Scholes-Merton price + Greeks for N options (default 1,000,000): the WASM kernel (in-thread and split
 * over worker threads), its price-only mode, the TS engine (the same kernels in JavaScript), a C -O3 build of
 * the same formulas (scalar, and -O3 -march=native -ffast-math with glibc's vector math library) and a
 * vectorised numpy/scipy peer. Ratios are against the scalar C build measured in the same run. Also the
 * worker-splitting crossover.
 * Run: npx tsx bench/bsm.bench.ts [N]
 */
import { Bench } from "tinybench";
import { createKernels } from "../src/kernels/index.ts";
import { BSM_BATCH, bindExport } from "../src/kernels/abi/index.ts";
import { Arena } from "../src/kernels/arena.ts";
import { loadKernelModule } from "../src/kernels/load.ts";
import { bestCpu, bestWall, cpuNow, fmt, machine, optionWorkload, runC, runPython, type PeerResult } from "./kernel-peers.ts";

const n = Number(process.argv[2] ?? 1_000_000);
const batch = optionWorkload(n);
const wasm = await createKernels({ engine: "wasm", workers: 2, parallelThreshold: 1 });
const ts = await createKernels({ engine: "ts" });

// Results handed back as `out` on the next call: no fresh arrays (whose first-touch page faults are most of the
// façade's cost at a million rows).
let reusedGreeks = wasm.bsm(batch);
let reusedPrices = wasm.bsmPrice(batch);

// CPU time (see cpuNow): the in-thread tasks; the worker run is timed on the wall clock below.
const bench = new Bench({ time: 1500, iterations: 3, warmup: true, now: cpuNow });
bench
  .add("WASM bsm (price + 8 Greeks)", () => {
    wasm.bsm(batch);
  })
  .add("WASM bsm, price only", () => {
    wasm.bsmPrice(batch);
  })
  .add("WASM bsm, into the last result's arrays (out)", () => {
    reusedGreeks = wasm.bsm(batch, reusedGreeks);
  })
  .add("WASM bsm price only, into the last result's arrays (out)", () => {
    reusedPrices = wasm.bsmPrice(batch, reusedPrices);
  })
  .add("TS engine bsm", () => {
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

// Like for like with the C peer: the kernel call alone, all columns already in the module's memory (the C peer's
// buffers are allocated and touched before it is timed), price + the C peer's five Greeks (the second-order
// pointers 0). The façade rows above also pay for copying the columns in and out and allocating the results.
{
  const module = await loadKernelModule({ build: "release" });
  const bsmBatch = bindExport(module, BSM_BATCH);
  const arena = new Arena(module).reset();
  const [spot, strike, t, rate, div, vol, price, delta, gamma, vega, theta, rho] = Array.from({ length: 12 }, () => arena.alloc(n, 8));
  const isCall = arena.alloc(n, 1);
  const status = arena.alloc(n, 4);
  const view = (p: number | undefined) => arena.f64(p ?? 0, n);
  view(spot).fill(100);
  view(strike).set(batch.strike);
  view(t).set(batch.t);
  view(rate).fill(0.03);
  view(div).fill(0.01);
  view(vol).set(batch.vol);
  arena.u8(isCall, n).set(batch.isCall);
  const inputs = { n, spot: spot ?? 0, strike: strike ?? 0, t: t ?? 0, rate: rate ?? 0, div: div ?? 0, vol: vol ?? 0, isCall, price: price ?? 0, status };
  const firstOrder = { delta: delta ?? 0, gamma: gamma ?? 0, vega: vega ?? 0, theta: theta ?? 0, rho: rho ?? 0 };
  const none = { delta: 0, gamma: 0, vega: 0, theta: 0, rho: 0 };
  const call = (greeks: boolean) => bsmBatch({ ...inputs, ...(greeks ? firstOrder : none), vanna: 0, volga: 0, charm: 0 });
  rows.push({ name: "WASM kernel call only, price + 5 Greeks (like the C peer)", ns: await bestCpu(n, () => call(true), 5), note: "columns already in module memory" });
  rows.push({ name: "WASM kernel call only, price", ns: await bestCpu(n, () => call(false), 5), note: "columns already in module memory" });
}

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
