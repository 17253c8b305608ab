/**
 * The learn family's arm64 vector set (assembly/learn/): ridge, GBDT fits (L2 with bagging, feature sampling,
 * missing values and early stopping; pairwise ranking by date with sampled pairs, which runs exp) and both
 * predictors, on a panel from an integer generator so its bits are the same on both architectures. The GBDT's
 * buffers reach the kernel through pointer tables, so the calls go through the family's own engine
 * (src/kernels/learn/engine.ts, which calls the exports by name through the ABI descriptor).
 */
import {
  GBDT_FIT_BEGIN, GBDT_FIT_STEP, GBDT_PREDICT, GBDT_SCRATCH_BYTES, LEARN_LAYOUT_DIGEST, LINEAR_PREDICT, RIDGE_FIT,
  RIDGE_SCRATCH_BYTES,
} from "../../src/kernels/abi/index.ts";
import type { KernelInstance } from "../../src/kernels/instance.ts";
import { createWasmLearnEngine } from "../../src/kernels/learn/engine.ts";

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
  const columns = Array.from({ length: FEATURES }, () => new Float64Array(ROWS));
  const label = new Float64Array(ROWS);
  const weight = new Float64Array(ROWS);
  const group = new Int32Array(ROWS);
  const at = (j: number, i: number): number => columns[j]?.[i] ?? Number.NaN;
  for (let i = 0; i < ROWS; i++) {
    for (let j = 0; j < FEATURES; j++) (columns[j] ?? [])[i] = 2 * u() - 1;
    if (u() < 0.05) (columns[3] ?? [])[i] = Number.NaN;
    const f3 = at(3, i);
    label[i] = at(0, i) - (at(0, i) * at(0, i) * at(0, i)) / 3 + 0.6 * at(1, i) * at(2, i) + (Number.isNaN(f3) ? 0.3 : f3 > 0.2 ? 0.4 : -0.2) + 0.5 * (u() - 0.5);
    weight[i] = 0.5 + u();
    group[i] = Math.floor(i / NAMES);
  }
  const train = Int32Array.from({ length: 30 * NAMES }, (_, i) => i);
  const valid = Int32Array.from({ length: 8 * NAMES }, (_, i) => 32 * NAMES + i);
  const all = Int32Array.from({ length: ROWS }, (_, i) => i);
  return { columns, label, weight, group, train, valid, all };
}

/** Digest groups of the learn kernels on `instance` (the engine checks the layout digest when it is created). */
export function runLearnVectors(instance: KernelInstance): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  const engine = createWasmLearnEngine(instance);
  const { columns, label, weight, group, train, valid, all } = panel();
  // Ridge on every feature but the one with missing values.
  const complete = columns.filter((_, j) => j !== 3);
  const ridge = engine.ridgeFit(complete, label, weight, train, 0.5);
  const solution = ridge.solution;
  groups.set("ridge", [ridge.status, ...(solution === undefined ? [] : [
    ...solution.mean, ...solution.scale, ...solution.coef, ...solution.stdCoef, solution.intercept,
  ])]);
  if (solution !== undefined) groups.set("ridge predict", Array.from(engine.linearPredict(complete, all, solution.coef, solution.intercept)));
  const gbdtFit = engine.gbdtFit;
  if (gbdtFit === undefined) throw new Error("the WebAssembly learn engine has no GBDT fit");
  const gbdt = (name: string, params: readonly number[]): void => {
    const fit = gbdtFit({ columns, label, weight, group, train, valid, params: Float64Array.from(params) });
    const f = fit.forest;
    groups.set(`${name} status`, [fit.status, ...fit.info]);
    groups.set(`${name} bins`, [...fit.numBins, ...fit.thresholds]);
    groups.set(`${name} nodes`, [
      ...f.treeNodeStart, ...f.treeLeafStart, ...f.nodeFeature, ...f.nodeBin, ...f.nodeNanLeft, ...f.nodeLeft,
      ...f.nodeRight, ...f.nodeThreshold, ...f.nodeGain,
    ]);
    groups.set(`${name} leaves`, [...f.leafValue, ...f.leafWeight, ...f.leafCount]);
    groups.set(`${name} curve`, Array.from(fit.validCurve));
    groups.set(`${name} predict`, Array.from(engine.gbdtPredict(columns, all, f, fit.info[0] ?? 0)));
  };
  // Parameter blocks in the order of src/kernels/learn/layout.ts PARAM: objective, iterations, learning rate,
  // leaves, max depth, min data, min hessian, lambda, min gain, feature fraction, bagging fraction, bagging freq,
  // seed, max bins, early stopping, metric, pairs per row, sigmoid, bin sample count.
  gbdt("gbdt l2", [0, 60, 0.1, 15, -1, 10, 1e-3, 0.5, 0, 0.8, 0.7, 1, 11, 63, 10, 0, 0, 1, 200000]);
  gbdt("gbdt rank", [1, 25, 0.1, 7, 4, 10, 1e-3, 0, 0, 1, 1, 0, 5, 255, 0, 1, 12, 1.5, 1000]);
  return groups;
}
