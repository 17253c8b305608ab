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

// Learn kernels (assembly/learn/): ridge, GBDT fits (L2 with bagging, feature sampling, missing values and early
// stopping; pairwise ranking by date with sampled pairs, which runs exp) and both predictors, on a panel made from
// an integer generator so its bits are the same on both architectures. Slot numbers follow
// assembly/learn/layout.ts (params P_*, forest F_*, bins B_*, info I_*).
{
  let state = 12345;
  const u = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) / 16777216;
  };
  const dates = 40, names = 50, p = 6, n = dates * names;
  const x = new Float64Array(p * n), y = new Float64Array(n), w = new Float64Array(n), group = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) x[j * n + i] = 2 * u() - 1;
    if (u() < 0.05) x[3 * n + i] = NaN;
    const f = (j) => x[j * n + i];
    y[i] = f(0) - f(0) * f(0) * f(0) / 3 + 0.6 * f(1) * f(2) + (Number.isNaN(f(3)) ? 0.3 : f(3) > 0.2 ? 0.4 : -0.2) + 0.5 * (u() - 0.5);
    w[i] = 0.5 + u();
    group[i] = Math.floor(i / names);
  }
  const train = Int32Array.from({ length: 30 * names }, (_, i) => i);
  const valid = Int32Array.from({ length: 8 * names }, (_, i) => 32 * names + i);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const stage = (values, bytes) => {
    const ptr = k.arenaAlloc(Math.max(values.length * bytes, 16));
    return { ptr, values, bytes };
  };
  const write = (...staged) => {
    for (const s of staged) (s.bytes === 8 ? new Float64Array(k.memory.buffer, s.ptr, s.values.length) : new Int32Array(k.memory.buffer, s.ptr, s.values.length)).set(s.values);
  };

  // Ridge: every feature but the one with missing values.
  {
    k.arenaReset();
    const xr = Float64Array.from({ length: 5 * n }, (_, i) => x[(i < 3 * n ? i : i + n)]);
    const sx = stage(xr, 8), sy = stage(y, 8), sw = stage(w, 8), sr = stage(train, 4);
    const outs = [0, 1, 2, 3].map(() => k.arenaAlloc(5 * 8));
    const intercept = k.arenaAlloc(16);
    const scratch = k.arenaAlloc(k.ridgeScratchBytes(5));
    const pred = k.arenaAlloc(n * 8);
    write(sx, sy, sw, sr);
    const status = k.ridgeFit(n, 5, sx.ptr, sy.ptr, sw.ptr, sr.ptr, train.length, 0.5, ...outs, intercept, scratch);
    k.linearPredict(n, 5, sx.ptr, 0, n, outs[2], new Float64Array(k.memory.buffer, intercept, 1)[0], pred);
    const coefs = outs.flatMap((ptr) => Array.from(new Float64Array(k.memory.buffer, ptr, 5)));
    groups["learn.ridge"] = digest([status, ...coefs, new Float64Array(k.memory.buffer, intercept, 1)[0]]);
    groups["learn.ridge.predict"] = digest(new Float64Array(k.memory.buffer, pred, n));
  }

  const gbdt = (name, params, withValid) => {
    const iterations = params[1], leaves = params[3], maxBins = params[13];
    const validRows = withValid ? valid : new Int32Array(0);
    const scratchBytes = k.gbdtScratchBytes(n, p, train.length, validRows.length, leaves, maxBins, params[18]);
    k.arenaReset();
    const sx = stage(x, 8), sy = stage(y, 8), sw = stage(w, 8), sg = stage(group, 4), st = stage(train, 4), sv = stage(validRows, 4);
    const sp = stage(Float64Array.from(params), 8);
    const binTable = k.arenaAlloc(16), numBins = k.arenaAlloc(p * 4), thresholds = k.arenaAlloc(p * maxBins * 8);
    const nodes = iterations * (leaves - 1), leafSlots = iterations * leaves;
    // F_* order: treeNodeStart, treeLeafStart, nodeFeature, nodeBin, nodeNanLeft, nodeLeft, nodeRight (i32),
    // nodeThreshold, nodeGain (f64), leafValue, leafWeight (f64), leafCount (i32).
    const sizes = [[iterations + 1, 4], [iterations + 1, 4], [nodes, 4], [nodes, 4], [nodes, 4], [nodes, 4], [nodes, 4], [nodes, 8], [nodes, 8], [leafSlots, 8], [leafSlots, 8], [leafSlots, 4]];
    const forest = k.arenaAlloc(12 * 4);
    const cols = sizes.map(([count, bytes]) => k.arenaAlloc(Math.max(count * bytes, 16)));
    const info = k.arenaAlloc(9 * 8), curve = k.arenaAlloc(iterations * 8), scratch = k.arenaAlloc(scratchBytes);
    const pred = k.arenaAlloc(n * 8);
    write(sx, sy, sw, sg, st, sv, sp);
    new Int32Array(k.memory.buffer, binTable, 2).set([numBins, thresholds]);
    new Int32Array(k.memory.buffer, forest, 12).set(cols);
    let status = k.gbdtFitBegin(n, p, sx.ptr, sy.ptr, sw.ptr, sg.ptr, st.ptr, train.length, sv.ptr, validRows.length, sp.ptr, binTable, forest, info, curve, scratch);
    for (let i = 0; status === 0 && i <= iterations; i++) if (k.gbdtFitStep() !== 0) break;
    const infoOut = new Float64Array(k.memory.buffer, info, 9);
    const trees = infoOut[1];
    k.gbdtPredict(n, p, sx.ptr, 0, n, forest, trees, infoOut[0], pred);
    const f64 = (i, count) => new Float64Array(k.memory.buffer, cols[i], count);
    const i32 = (i, count) => Array.from(new Int32Array(k.memory.buffer, cols[i], count));
    const nNodes = new Int32Array(k.memory.buffer, cols[0], iterations + 1)[trees];
    const nLeaves = new Int32Array(k.memory.buffer, cols[1], iterations + 1)[trees];
    groups[`learn.${name}.status`] = digest([status, ...infoOut]);
    groups[`learn.${name}.bins`] = digest([...new Int32Array(k.memory.buffer, numBins, p), ...new Float64Array(k.memory.buffer, thresholds, p * maxBins)]);
    groups[`learn.${name}.nodes`] = digest([...i32(2, nNodes), ...i32(3, nNodes), ...i32(4, nNodes), ...i32(5, nNodes), ...i32(6, nNodes), ...f64(7, nNodes), ...f64(8, nNodes)]);
    groups[`learn.${name}.leaves`] = digest([...f64(9, nLeaves), ...f64(10, nLeaves), ...i32(11, nLeaves)]);
    groups[`learn.${name}.curve`] = digest(new Float64Array(k.memory.buffer, curve, iterations));
    groups[`learn.${name}.predict`] = digest(new Float64Array(k.memory.buffer, pred, n));
  };
  // P_* order: objective, iterations, learning rate, leaves, max depth, min data, min hessian, lambda, min gain,
  // feature fraction, bagging fraction, bagging freq, seed, max bins, early stopping, metric, pairs per row,
  // sigmoid, bin sample count.
  gbdt("gbdt_l2", [0, 60, 0.1, 15, -1, 10, 1e-3, 0.5, 0, 0.8, 0.7, 1, 11, 63, 10, 0, 0, 1, 200000], true);
  gbdt("gbdt_rank", [1, 25, 0.1, 7, 4, 10, 1e-3, 0, 0, 1, 1, 0, 5, 255, 0, 1, 12, 1.5, 1000], true);
}

// Hedging kernel (assembly/hedge/): a per-path book with staggered entries and exits, random-walk spots and vols
// from an integer generator (arithmetic only, so the inputs are the same bits everywhere), every step, band and
// marks-from-prices runs with costs, financing, dividends and borrow, a carried mark and a failing path. Slot numbers
// follow assembly/hedge/layout.ts (params P_*, input table IN_* x 4 slots, outputs O_* and T_*).
{
  let state = 987654321;
  const u = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) / 16777216;
  };
  const paths = 300, steps = 40, legs = 4;
  const spot = new Float64Array(paths * steps), time = new Float64Array(steps), vol = new Float64Array(legs * paths * steps);
  const mark = new Float64Array(legs * paths * steps);
  for (let k2 = 0; k2 < steps; k2++) time[k2] = k2 / 365;
  for (let p = 0; p < paths; p++) {
    let s = 100;
    for (let k2 = 0; k2 < steps; k2++) {
      if (k2 > 0) s *= 1 + 0.02 * (2 * u() - 1);
      spot[p * steps + k2] = s;
      for (let l = 0; l < legs; l++) {
        vol[l * paths * steps + p * steps + k2] = 0.15 + 0.2 * u();
        mark[l * paths * steps + p * steps + k2] = 1 + 6 * u();
      }
    }
  }
  spot[7 * steps + 12] = -1; // path 7 fails at step 12
  vol[1 * paths * steps + 9 * steps + 20] = NaN; // leg 1 of path 9 has no mark at step 20 (carried when allowed)
  const book = { strike: [], expiry: [], isCall: [], quantity: [], entryStep: [], exitStep: [] };
  for (let p = 0; p < paths; p++) {
    for (let l = 0; l < legs; l++) {
      book.strike.push(85 + 30 * u());
      book.expiry.push((10 + 40 * u()) / 365);
      book.isCall.push(u() < 0.5 ? 1 : 0);
      book.quantity.push(Math.round(20 * u()) - 10 || 3);
      const entry = l === 0 ? 0 : Math.floor(20 * u());
      book.entryStep.push(entry);
      book.exitStep.push(u() < 0.5 ? -1 : Math.min(steps - 1, entry + Math.floor(15 * u())));
    }
  }
  const hedge = (name, params) => {
    k.arenaReset();
    const f64 = (values) => ({ ptr: k.arenaAlloc(Math.max(values.length * 8, 16)), values, bytes: 8 });
    const i32 = (values) => ({ ptr: k.arenaAlloc(Math.max(values.length * 4, 16)), values, bytes: 4 });
    const cols = [
      // [column, staged, path stride, step stride, leg stride]
      [0, f64(book.strike), legs, 0, 1], [1, f64(book.expiry), legs, 0, 1], [2, i32(book.isCall), legs, 0, 1],
      [3, f64(book.quantity), legs, 0, 1], [5, i32(book.entryStep), legs, 0, 1], [6, i32(book.exitStep), legs, 0, 1],
      [7, f64(spot), steps, 1, 0], [8, f64(time), 0, 1, 0], [9, f64([0.03]), 0, 0, 0], [10, f64([0.01]), 0, 0, 0],
      [11, f64([300]), 0, 0, 0], [12, f64(vol), steps, 1, paths * steps], [13, f64(mark), steps, 1, paths * steps],
      [14, f64([0.02]), 0, 0, 0],
    ];
    const sp = f64(params);
    const table = k.arenaAlloc(15 * 4 * 4), stepTable = k.arenaAlloc(15 * 4), pathTable = k.arenaAlloc(15 * 4);
    const stepCols = Array.from({ length: 15 }, () => k.arenaAlloc(paths * steps * 8));
    const pathCols = Array.from({ length: 15 }, () => k.arenaAlloc(paths * 8));
    const scratch = k.arenaAlloc(k.hedgeScratchBytes(legs));
    for (const staged of [...cols.map((c) => c[1]), sp]) {
      const View = staged.bytes === 8 ? Float64Array : Int32Array;
      new View(k.memory.buffer, staged.ptr, staged.values.length).set(staged.values);
    }
    const t = new Int32Array(k.memory.buffer, table, 60);
    t.fill(0);
    for (const [c, staged, ps, ks, ls] of cols) t.set([staged.ptr, ps, ks, ls], c * 4);
    new Int32Array(k.memory.buffer, stepTable, 15).set(stepCols);
    new Int32Array(k.memory.buffer, pathTable, 15).set(pathCols);
    const failed = k.hedgeRun(paths, steps, legs, sp.ptr, table, stepTable, pathTable, scratch);
    const steps64 = stepCols.slice(0, 14).flatMap((ptr) => Array.from(new Float64Array(k.memory.buffer, ptr, paths * steps)));
    groups[`hedge.${name}.steps`] = digest(steps64);
    groups[`hedge.${name}.stepStatus`] = digestBytes(new Int32Array(k.memory.buffer, stepCols[14], paths * steps));
    const totals = pathCols.slice(0, 12).flatMap((ptr) => Array.from(new Float64Array(k.memory.buffer, ptr, paths)));
    const ints = pathCols.slice(12).flatMap((ptr) => Array.from(new Int32Array(k.memory.buffer, ptr, paths)));
    groups[`hedge.${name}.totals`] = digest([failed, ...totals, ...ints]);
  };
  // P_* order: mode, band, rebalance to, stock bps, stock per share, option bps, close at end, mark mode, carry.
  hedge("every_step", [1, 0, 0, 2, 0.005, 10, 0, 0, 0]);
  hedge("band_edge_carry", [2, 3, 1, 5, 0, 0, 1, 0, 1]);
  hedge("dollar_band_marks", [3, 250, 0, 1, 0.01, 20, 1, 1, 1]);
}

process.stdout.write(`${JSON.stringify({ arch: process.arch, node: process.version, groups })}\n`);
