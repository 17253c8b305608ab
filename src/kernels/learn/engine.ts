/**
 * The learn kernels behind one low-level interface: the WebAssembly exports of assembly/learn/ and the
 * pure-TypeScript twins (ridge fit and both predictors; the GBDT fit exists only in WebAssembly). Inputs are
 * columns and index sets already checked by the façade (index.ts); outputs are raw arrays and a status code.
 *
 * WASM calls follow the kernel ABI (DESIGN, "Kernel ABI"): reset the arena, allocate every buffer of the call,
 * only then make views, copy in, call once, copy out. The kernels never allocate. Arguments are passed by name
 * through the ABI descriptor (src/kernels/abi/learn.ts); the GBDT's pointer tables are staged here.
 */
import { KernelError } from "../../domain/errors.ts";
import {
  bindExport, type AbiExport, GBDT_FIT_BEGIN, GBDT_FIT_STEP, GBDT_PREDICT, GBDT_SCRATCH_BYTES, LEARN_LAYOUT_DIGEST, LINEAR_PREDICT,
  RIDGE_FIT, RIDGE_SCRATCH_BYTES,
} from "../abi/index.ts";
import { Arena } from "../arena.ts";
import type { KernelInstance } from "../instance.ts";
import { BIN_SLOTS, BINS, FOREST, FOREST_SLOTS, INFO, INFO_SLOTS, layoutDigest, PARAM, PARAM_SLOTS } from "./layout.ts";
import { gbdtPredictReference, linearPredictReference } from "./predict-reference.ts";
import { ridgeFitReference, type RidgeSolution } from "./ridge-reference.ts";
import type { Forest } from "./types.ts";

export type LearnEngineKind = "wasm" | "ts";

export interface GbdtFitInput {
  readonly columns: readonly ArrayLike<number>[];
  readonly label: ArrayLike<number>;
  readonly weight: ArrayLike<number> | undefined;
  readonly group: ArrayLike<number> | undefined;
  readonly train: Int32Array;
  readonly valid: Int32Array;
  /** The parameter block, PARAM_SLOTS numbers (layout.ts PARAM). */
  readonly params: Float64Array;
  /** Called after each tree with its 0-based iteration and the validation metric (NaN without one). */
  readonly onIteration?: ((iteration: number, validMetric: number) => void) | undefined;
}

export interface GbdtFitOutput {
  readonly status: number;
  readonly numBins: Int32Array;
  /** maxBins numbers per feature; feature f's first numBins[f]-1 are its bin upper bounds. */
  readonly thresholds: Float64Array;
  /** The trees kept (info[INFO.trees]); arrays trimmed to them. */
  readonly forest: Forest;
  readonly info: Float64Array;
  readonly validCurve: Float64Array;
}

export interface LearnEngine {
  readonly kind: LearnEngineKind;
  ridgeFit(columns: readonly ArrayLike<number>[], label: ArrayLike<number>, weight: ArrayLike<number> | undefined,
    rows: Int32Array, lambda: number): { status: number; solution?: RidgeSolution };
  /** Undefined on the "ts" engine: GBDT training runs in WebAssembly only. */
  readonly gbdtFit: ((input: GbdtFitInput) => GbdtFitOutput) | undefined;
  linearPredict(columns: readonly ArrayLike<number>[], rows: Int32Array, coef: Float64Array, intercept: number): Float64Array;
  gbdtPredict(columns: readonly ArrayLike<number>[], rows: Int32Array, forest: Forest, baseScore: number): Float64Array;
}

export function createTsLearnEngine(): LearnEngine {
  return {
    kind: "ts",
    ridgeFit: ridgeFitReference,
    gbdtFit: undefined,
    linearPredict: linearPredictReference,
    gbdtPredict: gbdtPredictReference,
  };
}

/** Addressable bytes of a wasm32 memory; a job that needs more is refused before it starts. */
const MAX_JOB_BYTES = 4 * 2 ** 30 - 64 * 2 ** 20;

/** Panel columns staged in the arena: one column-major f64 block. */
interface StagedColumns {
  readonly ptr: number;
  readonly nTotal: number;
  copyIn(): void;
}

function stageColumns(arena: Arena, columns: readonly ArrayLike<number>[], nTotal: number): StagedColumns {
  const ptr = arena.alloc(columns.length * nTotal, 8);
  return {
    ptr,
    nTotal,
    copyIn() {
      const block = arena.f64(ptr, columns.length * nTotal);
      columns.forEach((column, j) => block.set(column, j * nTotal));
    },
  };
}

/** The rows the predictors read: every column must cover them. */
function rowsSpan(columns: readonly ArrayLike<number>[]): number {
  return columns[0]?.length ?? 0;
}

function checkBytes(bytes: number, what: string): void {
  if (!(bytes >= 0) || bytes > MAX_JOB_BYTES) {
    throw new KernelError("kernel_learn_too_large", `${what} needs ${(bytes / 2 ** 30).toFixed(1)} GiB of WebAssembly memory (at most 4 GiB): use fewer rows, features, leaves or bins`);
  }
}

export function createWasmLearnEngine(module: KernelInstance): LearnEngine {
  /** One export called by name through the ABI descriptor (src/kernels/abi/learn.ts). */
  const call = (exp: AbiExport, args: Readonly<Record<string, number>>): number => bindExport(module, exp)(args);
  const digest = call(LEARN_LAYOUT_DIGEST, {});
  if (digest !== layoutDigest()) {
    throw new KernelError("kernel_abi_mismatch", "the learn kernels' buffer layout does not match the host's; rebuild with `npm run build`");
  }
  const arena = new Arena(module);

  return {
    kind: "wasm",

    ridgeFit(columns, label, weight, rows, lambda) {
      const p = columns.length;
      const nTotal = label.length;
      checkBytes((p + 3) * nTotal * 8 + rows.length * 4, "ridge regression");
      arena.reset();
      const x = stageColumns(arena, columns, nTotal);
      const y = arena.alloc(nTotal, 8);
      const w = weight === undefined ? 0 : arena.alloc(nTotal, 8);
      const r = arena.alloc(rows.length, 4);
      const mean = arena.alloc(p, 8);
      const scale = arena.alloc(p, 8);
      const coef = arena.alloc(p, 8);
      const stdCoef = arena.alloc(p, 8);
      const intercept = arena.alloc(1, 8);
      const scratch = arena.alloc(call(RIDGE_SCRATCH_BYTES, { p }), 1);
      x.copyIn();
      arena.f64(y, nTotal).set(label);
      if (weight !== undefined) arena.f64(w, nTotal).set(weight);
      arena.i32(r, rows.length).set(rows);
      const status = call(RIDGE_FIT, {
        nTotal, p, x: x.ptr, y, w, rows: r, nRows: rows.length, lambda, mean, scale, coef, stdCoef, intercept, scratch,
      });
      if (status !== 0) return { status };
      const read = (ptr: number): Float64Array => arena.f64(ptr, p).slice();
      return {
        status,
        solution: {
          mean: read(mean), scale: read(scale), coef: read(coef), stdCoef: read(stdCoef),
          intercept: arena.f64(intercept, 1)[0] ?? Number.NaN,
        },
      };
    },

    gbdtFit(input) {
      const { columns, label, weight, group, train, valid, params } = input;
      const p = columns.length;
      const nTotal = label.length;
      const slot = (k: number): number => params[k] ?? 0;
      const iterations = slot(PARAM.numIterations);
      const leaves = slot(PARAM.numLeaves);
      const maxBins = slot(PARAM.maxBins);
      const scratchBytes = call(GBDT_SCRATCH_BYTES, {
        nTotal, p, nT: train.length, nV: valid.length, numLeaves: leaves, bins: maxBins, sampleCount: slot(PARAM.binSampleCount),
      });
      if (scratchBytes < 0) throw new KernelError("kernel_learn_bad_size", "gbdtScratchBytes refused the fit's sizes");
      const nodes = iterations * (leaves - 1);
      const leafSlots = iterations * leaves;
      checkBytes(scratchBytes + (p + 3) * nTotal * 8 + nodes * 36 + leafSlots * 20, "GBDT training");
      arena.reset();
      const x = stageColumns(arena, columns, nTotal);
      const y = arena.alloc(nTotal, 8);
      const w = weight === undefined ? 0 : arena.alloc(nTotal, 8);
      const g = group === undefined ? 0 : arena.alloc(nTotal, 4);
      const trainPtr = arena.alloc(train.length, 4);
      const validPtr = arena.alloc(valid.length, 4);
      const paramsPtr = arena.alloc(PARAM_SLOTS, 8);
      const binTable = arena.alloc(BIN_SLOTS, 4);
      const numBins = arena.alloc(p, 4);
      const thresholds = arena.alloc(p * maxBins, 8);
      const forestTable = arena.alloc(FOREST_SLOTS, 4);
      const f = {
        treeNodeStart: arena.alloc(iterations + 1, 4),
        treeLeafStart: arena.alloc(iterations + 1, 4),
        nodeFeature: arena.alloc(nodes, 4),
        nodeBin: arena.alloc(nodes, 4),
        nodeNanLeft: arena.alloc(nodes, 4),
        nodeLeft: arena.alloc(nodes, 4),
        nodeRight: arena.alloc(nodes, 4),
        nodeThreshold: arena.alloc(nodes, 8),
        nodeGain: arena.alloc(nodes, 8),
        leafValue: arena.alloc(leafSlots, 8),
        leafWeight: arena.alloc(leafSlots, 8),
        leafCount: arena.alloc(leafSlots, 4),
      };
      const info = arena.alloc(INFO_SLOTS, 8);
      const curve = arena.alloc(iterations, 8);
      const scratch = arena.alloc(scratchBytes, 1);
      x.copyIn();
      arena.f64(y, nTotal).set(label);
      if (weight !== undefined) arena.f64(w, nTotal).set(weight);
      if (group !== undefined) arena.i32(g, nTotal).set(group);
      arena.i32(trainPtr, train.length).set(train);
      arena.i32(validPtr, valid.length).set(valid);
      arena.f64(paramsPtr, PARAM_SLOTS).set(params);
      const bins = arena.i32(binTable, BIN_SLOTS);
      bins[BINS.numBins] = numBins;
      bins[BINS.thresholds] = thresholds;
      const table = arena.i32(forestTable, FOREST_SLOTS);
      for (const [name, index] of Object.entries(FOREST)) table[index] = f[name as keyof typeof f];
      const status = call(GBDT_FIT_BEGIN, {
        nTotal, p, x: x.ptr, y, w, group: g, train: trainPtr, nT: train.length, valid: validPtr, nV: valid.length,
        params: paramsPtr, bins: binTable, forest: forestTable, info, curve, scratch,
      });
      // One call per tree; the bound only guards against a kernel that never reports completion.
      for (let iteration = 0; status === 0; iteration++) {
        const step = call(GBDT_FIT_STEP, {});
        if (step < 0 || iteration >= iterations) throw new KernelError("kernel_internal", `gbdtFitStep returned ${step} at iteration ${iteration}`);
        input.onIteration?.(iteration, arena.f64(curve, iterations)[iteration] ?? Number.NaN);
        if (step === 1) break;
      }
      const infoOut = arena.f64(info, INFO_SLOTS).slice();
      const trees = status === 0 ? (infoOut[INFO.trees] ?? 0) : 0;
      const treeNodeStart = arena.i32(f.treeNodeStart, trees + 1).slice();
      const treeLeafStart = arena.i32(f.treeLeafStart, trees + 1).slice();
      const nNodes = treeNodeStart[trees] ?? 0;
      const nLeaves = treeLeafStart[trees] ?? 0;
      return {
        status,
        numBins: arena.i32(numBins, p).slice(),
        thresholds: arena.f64(thresholds, p * maxBins).slice(),
        info: infoOut,
        validCurve: arena.f64(curve, iterations).slice(),
        forest: {
          trees,
          treeNodeStart,
          treeLeafStart,
          nodeFeature: arena.i32(f.nodeFeature, nNodes).slice(),
          nodeBin: arena.i32(f.nodeBin, nNodes).slice(),
          nodeNanLeft: arena.i32(f.nodeNanLeft, nNodes).slice(),
          nodeLeft: arena.i32(f.nodeLeft, nNodes).slice(),
          nodeRight: arena.i32(f.nodeRight, nNodes).slice(),
          nodeThreshold: arena.f64(f.nodeThreshold, nNodes).slice(),
          nodeGain: arena.f64(f.nodeGain, nNodes).slice(),
          leafValue: arena.f64(f.leafValue, nLeaves).slice(),
          leafWeight: arena.f64(f.leafWeight, nLeaves).slice(),
          leafCount: arena.i32(f.leafCount, nLeaves).slice(),
        },
      };
    },

    linearPredict(columns, rows, coef, intercept) {
      const p = columns.length;
      const nTotal = rowsSpan(columns);
      checkBytes((p + 1) * nTotal * 8 + rows.length * 12, "prediction");
      arena.reset();
      const x = stageColumns(arena, columns, nTotal);
      const r = arena.alloc(rows.length, 4);
      const c = arena.alloc(p, 8);
      const out = arena.alloc(rows.length, 8);
      x.copyIn();
      arena.i32(r, rows.length).set(rows);
      arena.f64(c, p).set(coef);
      call(LINEAR_PREDICT, { nTotal, p, x: x.ptr, rows: r, nRows: rows.length, coef: c, intercept, out });
      return arena.f64(out, rows.length).slice();
    },

    gbdtPredict(columns, rows, forest, baseScore) {
      const p = columns.length;
      const nTotal = rowsSpan(columns);
      const nodes = forest.nodeFeature.length;
      const leaves = forest.leafValue.length;
      checkBytes(p * nTotal * 8 + rows.length * 12 + nodes * 36 + leaves * 20, "prediction");
      arena.reset();
      const x = stageColumns(arena, columns, nTotal);
      const r = arena.alloc(rows.length, 4);
      const out = arena.alloc(rows.length, 8);
      const forestTable = arena.alloc(FOREST_SLOTS, 4);
      const ptrs = new Map<keyof typeof FOREST, { ptr: number; values: Int32Array | Float64Array }>();
      for (const name of Object.keys(FOREST) as (keyof typeof FOREST)[]) {
        const values = forest[name];
        ptrs.set(name, { ptr: arena.alloc(values.length, values.BYTES_PER_ELEMENT), values });
      }
      x.copyIn();
      arena.i32(r, rows.length).set(rows);
      const table = arena.i32(forestTable, FOREST_SLOTS);
      for (const [name, { ptr, values }] of ptrs) {
        table[FOREST[name]] = ptr;
        if (values instanceof Int32Array) arena.i32(ptr, values.length).set(values);
        else arena.f64(ptr, values.length).set(values);
      }
      const status = call(GBDT_PREDICT, {
        nTotal, p, x: x.ptr, rows: r, nRows: rows.length, forest: forestTable, trees: forest.trees, base: baseScore, out,
      });
      if (status !== 0) throw new KernelError("kernel_learn_predict", `gbdtPredict returned status ${status}`);
      return arena.f64(out, rows.length).slice();
    },
  };
}
