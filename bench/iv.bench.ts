/**
 * Implied volatility for N out-of-the-money options (default 1,000,000; the side whose price carries the time
 * value): the WASM Let's Be Rational kernel (in-thread and on 2 worker threads) and the TS engine, against
 * py_lets_be_rational (Python, one option per call) and a vectorised numpy Newton solver, plus DuckDB's
 * implied_vol() over a table of the same options against the same kernel called outside SQL.
 * Run: npx tsx bench/iv.bench.ts [N]
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { createKernels } from "../src/kernels/index.ts";
import { registerKernelFunctions } from "../src/kernels/sql-functions.ts";
import { Bench } from "tinybench";
import { bestCpu, bestWall, cpuNow, fmt, machine, optionWorkload, runPython } from "./kernel-peers.ts";

const n = Number(process.argv[2] ?? 1_000_000);
const w = optionWorkload(n);
const wasm = await createKernels({ engine: "wasm", workers: 2, parallelThreshold: 1 });
const ts = await createKernels({ engine: "ts" });
// Out-of-the-money side: a call where K >= F, else a put.
const isCall = new Uint8Array(n);
for (let i = 0; i < n; i++) {
  const F = 100 * Math.exp((0.03 - 0.01) * (w.t[i] ?? 0));
  isCall[i] = (w.strike[i] ?? 0) >= F ? 1 : 0;
}
const price = wasm.bsmPrice({ ...w, isCall }).price;
const quotes = { price, spot: 100, strike: w.strike, t: w.t, rate: 0.03, div: 0.01, isCall };

/** CPU ns per option (the machine is shared; see cpuNow in kernel-peers.ts). */
const best = (f: () => unknown, reps = 3) => bestCpu(n, f, reps);

function worstError(vol: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    if (!((price[i] ?? 0) > 1e-12 * 100)) continue;
    const want = w.vol[i] ?? NaN;
    worst = Math.max(worst, Math.abs((vol[i] ?? NaN) - want) / want);
  }
  return worst;
}

const rows: [string, number | undefined, string][] = [];
const bench = new Bench({ time: 1500, iterations: 3, warmup: true, now: cpuNow });
bench.add("wasm", () => {
  wasm.impliedVol(quotes);
});
await bench.run();
const task = bench.tasks[0]?.result;
const inline = task?.state === "completed" ? (task.latency.mean * 1e6) / n : await best(() => wasm.impliedVol(quotes));
rows.push(["WASM Let's Be Rational (baseline)", inline, `worst rel. error ${worstError(wasm.impliedVol(quotes).vol).toExponential(1)}`]);
let reused = wasm.impliedVol(quotes);
rows.push(["WASM, into the last result's arrays (out)", await best(() => { reused = wasm.impliedVol(quotes, reused); }, 5), "no fresh arrays"]);
rows.push(["WASM, 2 worker threads (wall clock)", ((await bestWall(() => wasm.impliedVolParallel(quotes), 3)) * 1e6) / n, ""]);
rows.push(["TS engine", await best(() => ts.impliedVol(quotes), 1), `worst rel. error ${worstError(ts.impliedVol(quotes).vol).toExponential(1)}`]);

const nPy = Math.min(n, 200_000);
const py = runPython("iv_peers.py", [String(nPy), "20000"]);
if (py.ok) {
  rows.push(["numpy vectorised Newton", py.value["numpy_newton_ns"], `${nPy.toLocaleString("en")} options, worst rel. error ${py.value["numpy_newton_worst_rel_err"]?.toExponential(1)}`]);
  const lbr = py.value["lets_be_rational_ns"];
  rows.push(["py_lets_be_rational (Python)", lbr, lbr === undefined ? "not installed" : `20,000 options, worst rel. error ${py.value["lets_be_rational_worst_rel_err"]?.toExponential(1)}`]);
} else {
  rows.push(["Python peers", undefined, `skipped: ${py.reason}`]);
}

// DuckDB: implied_vol() over a table holding the same options, against the same kernel outside SQL.
const instance = await DuckDBInstance.create(":memory:");
const connection = await instance.connect();
registerKernelFunctions(connection, wasm);
await connection.run("CREATE TABLE q (price DOUBLE, spot DOUBLE, strike DOUBLE, t DOUBLE, rate DOUBLE, div DOUBLE, is_call BOOLEAN)");
const appender = await connection.createAppender("q");
for (let i = 0; i < n; i++) {
  appender.appendDouble(price[i] ?? NaN);
  appender.appendDouble(100);
  appender.appendDouble(w.strike[i] ?? NaN);
  appender.appendDouble(w.t[i] ?? NaN);
  appender.appendDouble(0.03);
  appender.appendDouble(0.01);
  appender.appendBoolean(isCall[i] === 1);
  appender.endRow();
}
appender.closeSync();
const sqlNs = await best(() => connection.run("SELECT sum(implied_vol(price, spot, strike, t, rate, div, is_call)) FROM q"), 2);
const sumNs = await best(() => connection.run("SELECT sum(price + spot + strike + t + rate + div) FROM q"), 2);
rows.push(["DuckDB implied_vol() over the table", sqlNs, `scan alone ${fmt(sumNs)} per row`]);
connection.closeSync();
instance.closeSync();
await wasm.close();

console.log(`\nImplied vol, ${n.toLocaleString("en")} options, process CPU time — ${machine()}\n`);
console.log("| task | per option | task / WASM | note |\n|---|---|---|---|");
for (const [name, ns, note] of rows) {
  const ratio = ns === undefined ? "—" : `${(ns / inline).toFixed(2)}x`;
  console.log(`| ${name} | ${ns === undefined ? "—" : fmt(ns)} | ${ratio} | ${note} |`);
}
