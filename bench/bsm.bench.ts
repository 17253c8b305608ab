/**
 * Black-Scholes-Merton price + Greeks for N options (default 1,000,000): the WASM kernel (in-thread and split
 * over worker threads), its price-only mode, the TS engine (the same kernels in JavaScript), a C -O3 build of
 * the same formulas (scalar, and -O3 -march=native -ffast-math with glibc's vector math library) and a
 * vectorised numpy/scipy peer. Ratios are against the scalar C build measured in the same run. Also the
 * worker-splitting crossover. Then the kernel call alone against the two C builds on a real-shaped chain (every
 * strike and expiry of one underlier: short dailies with far wings, where the tails and the small-t series matter).
 * Run: npx tsx bench/bsm.bench.ts [N]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Bench } from "tinybench";
import { createKernels } from "../src/kernels/index.ts";
import { BSM_BATCH, bindExport } from "../src/kernels/abi/index.ts";
import { Arena } from "../src/kernels/arena.ts";
import { loadKernelModule } from "../src/kernels/load.ts";
import { bestCpu, bestWall, chainWorkload, cpuNow, fmt, machine, optionWorkload, outDir, runC, runPython, type PeerResult } from "./kernel-peers.ts";

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

/**
 * The workload's columns staged once in a fresh module's memory, and a call of `bsmBatch` on them: price plus, with
 * `greeks`, the C peer's five Greeks (the second-order pointers 0).
 */
async function stagedBsmBatch(w: ReturnType<typeof optionWorkload>): Promise<(greeks: boolean) => number> {
  const m = w.strike.length;
  const module = await loadKernelModule({ build: "release" });
  const bsmBatch = bindExport(module, BSM_BATCH);
  const arena = new Arena(module).reset();
  const [spot, strike, t, rate, div, vol, price, delta, gamma, vega, theta, rho] = Array.from({ length: 12 }, () => arena.alloc(m, 8));
  const isCall = arena.alloc(m, 1);
  const status = arena.alloc(m, 4);
  const view = (p: number | undefined) => arena.f64(p ?? 0, m);
  view(spot).fill(w.spot);
  view(strike).set(w.strike);
  view(t).set(w.t);
  view(rate).fill(w.rate);
  view(div).fill(w.div);
  view(vol).set(w.vol);
  arena.u8(isCall, m).set(w.isCall);
  const inputs = { n: m, spot: spot ?? 0, strike: strike ?? 0, t: t ?? 0, rate: rate ?? 0, div: div ?? 0, vol: vol ?? 0, isCall, price: price ?? 0, status };
  const firstOrder = { delta: delta ?? 0, gamma: gamma ?? 0, vega: vega ?? 0, theta: theta ?? 0, rho: rho ?? 0 };
  const none = { delta: 0, gamma: 0, vega: 0, theta: 0, rho: 0 };
  return (greeks) => bsmBatch({ ...inputs, ...(greeks ? firstOrder : none), vanna: 0, volga: 0, charm: 0 });
}

// Like for like with the C peer: the kernel call alone, all columns already in the module's memory (the C peer's
// buffers are allocated and touched before it is timed), price + the C peer's five Greeks (the second-order
// pointers 0). The façade rows above also pay for copying the columns in and out and allocating the results.
{
  const call = await stagedBsmBatch(batch);
  rows.push({ name: "WASM kernel call only, price + 5 Greeks (like the C peer)", ns: await bestCpu(n, () => call(true), 5), note: "columns already in module memory" });
  rows.push({ name: "WASM kernel call only, price", ns: await bestCpu(n, () => call(false), 5), note: "columns already in module memory" });
}

// The real-shaped chain (kernel-peers.ts chainWorkload: every strike and expiry of one underlier, 6,418 options),
// kernel call only against the two C builds on the same options (read from a file), each pricing the chain
// repeatedly (about a million options per timing).
const chainRows: { name: string; ns: number | undefined; note: string }[] = [];
{
  const chain = chainWorkload();
  const m = chain.strike.length;
  const stagedCall = await stagedBsmBatch(chain);
  const inner = Math.ceil(1_000_000 / m);
  const call = (greeks: boolean) => {
    for (let j = 0; j < inner; j++) stagedCall(greeks);
  };
  const file = path.join(outDir, "bsm-chain.bin");
  mkdirSync(outDir, { recursive: true });
  const bytes = (a: Float64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  writeFileSync(file, Buffer.concat([bytes(new Float64Array(m).fill(chain.spot)), bytes(chain.strike), bytes(chain.t),
    bytes(new Float64Array(m).fill(chain.rate)), bytes(new Float64Array(m).fill(chain.div)), bytes(chain.vol), chain.isCall]));
  const peerRow = (name: string, r: PeerResult, note: string) =>
    chainRows.push(r.ok ? { name, ns: r.value["ns_per_option"], note } : { name, ns: undefined, note: `skipped: ${r.reason}` });
  peerRow("C -O3 scalar (baseline)", runC("bsm_scalar", ["-O3"], m, 5, file), "same options, read from a file");
  peerRow("C -O3 -march=native -ffast-math (libmvec)", runC("bsm_vec", ["-O3", "-march=native", "-ffast-math", "-fopenmp-simd"], m, 5, file), "");
  chainRows.push({ name: "WASM kernel call only, price + 5 Greeks", ns: await bestCpu(m * inner, () => call(true), 5), note: "columns in module memory" });
  chainRows.push({ name: "WASM kernel call only, price", ns: await bestCpu(m * inner, () => call(false), 5), note: "columns in module memory" });
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

const chainBaseline = chainRows.find((r) => r.name.startsWith("C -O3 scalar"))?.ns;
console.log(`\nBSM on a real-shaped chain (${chainWorkload().strike.length.toLocaleString("en")} options: every strike and expiry of one underlier), process CPU time\n`);
console.log("| task | per option | C scalar / task |");
console.log("|---|---|---|");
for (const r of chainRows) {
  const ratio = r.ns !== undefined && chainBaseline !== undefined ? `${(chainBaseline / r.ns).toFixed(2)}x` : "—";
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
