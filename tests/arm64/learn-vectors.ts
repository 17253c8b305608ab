/**
 * The learn family's arm64 vector set (assembly/learn/): ridge, GBDT fits (L2 with bagging, feature sampling,
 * missing values and early stopping; pairwise ranking by date with sampled pairs, which runs exp) and both
 * predictors, on a panel from an integer generator so its bits are the same on both architectures. The GBDT's
 * buffers reach the kernel through pointer tables (src/kernels/learn/layout.ts), so this set stages its calls
 * itself; the exports are still called by name through the ABI descriptor.
 */
import {
  bindExport, GBDT_FIT_BEGIN, GBDT_FIT_STEP, GBDT_PREDICT, GBDT_SCRATCH_BYTES, LEARN_LAYOUT_DIGEST, LINEAR_PREDICT,
  RIDGE_FIT, RIDGE_SCRATCH_BYTES,
} from "../../src/kernels/abi/index.ts";
import type { Arena } from "../../src/kernels/arena.ts";
import type { KernelInstance } from "../../src/kernels/instance.ts";
import { BIN_SLOTS, BINS, FOREST, FOREST_SLOTS, INFO, INFO_SLOTS, PARAM, PARAM_SLOTS } from "../../src/kernels/learn/layout.ts";

export const LEARN_EXPORTS = [
  LEARN_LAYOUT_DIGEST, RIDGE_SCRATCH_BYTES, RIDGE_FIT, LINEAR_PREDICT, GBDT_SCRATCH_BYTES, GBDT_FIT_BEGIN, GBDT_FIT_STEP,
  GBDT_PREDICT,
].map((e) => e.name);

const DATES = 40;
const NAMES = 50;
const FEATURES = 6;
const ROWS = DATES * NAMES;

function panel() {
  let state = 12345;
  const u = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) / 16777216;
  };
  const x = new Float64Array(FEATURES * ROWS);
  const y = new Float64Array(ROWS);
  const w = new Float64Array(ROWS);
  const group = new Int32Array(ROWS);
  for (let i = 0; i < ROWS; i++) {
    for (let j = 0; j < FEATURES; j++) x[j * ROWS + i] = 2 * u() - 1;
    if (u() < 0.05) x[3 * ROWS + i] = Number.NaN;
    const f = (j: number): number => x[j * ROWS + i] ?? Number.NaN;
    const f3 = f(3);
    y[i] = f(0) - (f(0) * f(0) * f(0)) / 3 + 0.6 * f(1) * f(2) + (Number.isNaN(f3) ? 0.3 : f3 > 0.2 ? 0.4 : -0.2) + 0.5 * (u() - 0.5);
    w[i] = 0.5 + u();
    group[i] = Math.floor(i / NAMES);
  }
  const train = Int32Array.from({ length: 30 * NAMES }, (_, i) => i);
  const valid = Int32Array.from({ length: 8 * NAMES }, (_, i) => 32 * NAMES + i);
  return { x, y, w, group, train, valid };
}

/** Digest groups of the learn kernels on `instance`. */
export function runLearnVectors(instance: KernelInstance, arena: Arena): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  const { x, y, w, group, train, valid } = panel();
  const call = (exp: Parameters<typeof bindExport>[1], args: Record<string, number>): number => bindExport(instance, exp)(args);
  groups.set("layout digest", [call(LEARN_LAYOUT_DIGEST, {})]);

  // Ridge on every feature but the one with missing values.
  {
    const p = 5;
    const xr = Float64Array.from({ length: p * ROWS }, (_, i) => x[i < 3 * ROWS ? i : i + ROWS] ?? Number.NaN);
    const scratchBytes = call(RIDGE_SCRATCH_BYTES, { p });
    arena.reset();
    const px = arena.alloc(xr.length, 8), py = arena.alloc(ROWS, 8), pw = arena.alloc(ROWS, 8), pr = arena.alloc(train.length, 4);
    const outs = [0, 1, 2, 3].map(() => arena.alloc(p, 8));
    const intercept = arena.alloc(1, 8), scratch = arena.alloc(scratchBytes, 1), pred = arena.alloc(ROWS, 8);
    arena.f64(px, xr.length).set(xr);
    arena.f64(py, ROWS).set(y);
    arena.f64(pw, ROWS).set(w);
    arena.i32(pr, train.length).set(train);
    const [mean = 0, scale = 0, coef = 0, stdCoef = 0] = outs;
    const status = call(RIDGE_FIT, { nTotal: ROWS, p, x: px, y: py, w: pw, rows: pr, nRows: train.length, lambda: 0.5, mean, scale, coef, stdCoef, intercept, scratch });
    const b = arena.f64(intercept, 1)[0] ?? Number.NaN;
    call(LINEAR_PREDICT, { nTotal: ROWS, p, x: px, rows: 0, nRows: ROWS, coef, intercept: b, out: pred });
    groups.set("ridge", [status, ...outs.flatMap((ptr) => Array.from(arena.f64(ptr, p))), b, scratchBytes]);
    groups.set("ridge predict", Array.from(arena.f64(pred, ROWS)));
  }

  const gbdt = (name: string, params: readonly number[]): void => {
    const slot = (k: number): number => params[k] ?? 0;
    const iterations = slot(PARAM.numIterations), leaves = slot(PARAM.numLeaves), maxBins = slot(PARAM.maxBins);
    const scratchBytes = call(GBDT_SCRATCH_BYTES, {
      nTotal: ROWS, p: FEATURES, nT: train.length, nV: valid.length, numLeaves: leaves, bins: maxBins, sampleCount: slot(PARAM.binSampleCount),
    });
    arena.reset();
    const px = arena.alloc(x.length, 8), py = arena.alloc(ROWS, 8), pw = arena.alloc(ROWS, 8), pg = arena.alloc(ROWS, 4);
    const pt = arena.alloc(train.length, 4), pv = arena.alloc(valid.length, 4), pp = arena.alloc(PARAM_SLOTS, 8);
    const binTable = arena.alloc(BIN_SLOTS, 4), numBins = arena.alloc(FEATURES, 4), thresholds = arena.alloc(FEATURES * maxBins, 8);
    const nodes = iterations * (leaves - 1), leafSlots = iterations * leaves;
    const columns: Record<keyof typeof FOREST, number> = {
      treeNodeStart: arena.alloc(iterations + 1, 4), treeLeafStart: arena.alloc(iterations + 1, 4),
      nodeFeature: arena.alloc(nodes, 4), nodeBin: arena.alloc(nodes, 4), nodeNanLeft: arena.alloc(nodes, 4),
      nodeLeft: arena.alloc(nodes, 4), nodeRight: arena.alloc(nodes, 4), nodeThreshold: arena.alloc(nodes, 8),
      nodeGain: arena.alloc(nodes, 8), leafValue: arena.alloc(leafSlots, 8), leafWeight: arena.alloc(leafSlots, 8),
      leafCount: arena.alloc(leafSlots, 4),
    };
    const forest = arena.alloc(FOREST_SLOTS, 4), info = arena.alloc(INFO_SLOTS, 8), curve = arena.alloc(iterations, 8);
    const scratch = arena.alloc(scratchBytes, 1), pred = arena.alloc(ROWS, 8);
    arena.f64(px, x.length).set(x);
    arena.f64(py, ROWS).set(y);
    arena.f64(pw, ROWS).set(w);
    arena.i32(pg, ROWS).set(group);
    arena.i32(pt, train.length).set(train);
    arena.i32(pv, valid.length).set(valid);
    arena.f64(pp, PARAM_SLOTS).set(params);
    const bins = arena.i32(binTable, BIN_SLOTS);
    bins[BINS.numBins] = numBins;
    bins[BINS.thresholds] = thresholds;
    const table = arena.i32(forest, FOREST_SLOTS);
    for (const [key, index] of Object.entries(FOREST)) table[index] = columns[key as keyof typeof FOREST];
    const status = call(GBDT_FIT_BEGIN, {
      nTotal: ROWS, p: FEATURES, x: px, y: py, w: pw, group: pg, train: pt, nT: train.length, valid: pv, nV: valid.length,
      params: pp, bins: binTable, forest, info, curve, scratch,
    });
    for (let i = 0; status === 0 && i <= iterations; i++) if (call(GBDT_FIT_STEP, {}) !== 0) break;
    const infoOut = Array.from(arena.f64(info, INFO_SLOTS));
    const trees = infoOut[INFO.trees] ?? 0;
    call(GBDT_PREDICT, { nTotal: ROWS, p: FEATURES, x: px, rows: 0, nRows: ROWS, forest, trees, base: infoOut[INFO.baseScore] ?? 0, out: pred });
    const f64 = (ptr: number, count: number): number[] => Array.from(arena.f64(ptr, count));
    const i32 = (ptr: number, count: number): number[] => Array.from(arena.i32(ptr, count));
    const nNodes = arena.i32(columns.treeNodeStart, iterations + 1)[trees] ?? 0;
    const nLeaves = arena.i32(columns.treeLeafStart, iterations + 1)[trees] ?? 0;
    groups.set(`${name} status`, [status, scratchBytes, ...infoOut]);
    groups.set(`${name} bins`, [...i32(numBins, FEATURES), ...f64(thresholds, FEATURES * maxBins)]);
    groups.set(`${name} nodes`, [
      ...i32(columns.nodeFeature, nNodes), ...i32(columns.nodeBin, nNodes), ...i32(columns.nodeNanLeft, nNodes),
      ...i32(columns.nodeLeft, nNodes), ...i32(columns.nodeRight, nNodes), ...f64(columns.nodeThreshold, nNodes),
      ...f64(columns.nodeGain, nNodes),
    ]);
    groups.set(`${name} leaves`, [...f64(columns.leafValue, nLeaves), ...f64(columns.leafWeight, nLeaves), ...i32(columns.leafCount, nLeaves)]);
    groups.set(`${name} curve`, f64(curve, iterations));
    groups.set(`${name} predict`, f64(pred, ROWS));
  };
  // Parameter blocks in PARAM order: objective, iterations, learning rate, leaves, max depth, min data, min hessian,
  // lambda, min gain, feature fraction, bagging fraction, bagging freq, seed, max bins, early stopping, metric,
  // pairs per row, sigmoid, bin sample count.
  gbdt("gbdt l2", [0, 60, 0.1, 15, -1, 10, 1e-3, 0.5, 0, 0.8, 0.7, 1, 11, 63, 10, 0, 0, 1, 200000]);
  gbdt("gbdt rank", [1, 25, 0.1, 7, 4, 10, 1e-3, 0, 0, 1, 1, 0, 5, 255, 0, 1, 12, 1.5, 1000]);
  return groups;
}
