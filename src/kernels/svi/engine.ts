/**
 * The two SVI engines behind one low-level interface: the WebAssembly kernels (assembly/svi/) and the
 * pure-TypeScript reference (reference.ts). Both take packed struct-of-arrays input and return packed
 * output; the façade (index.ts) turns that into objects.
 */
import { KernelError } from "../../domain/errors.ts";
import { Arena } from "../arena.ts";
import { requireFunction, type KernelModule } from "../load.ts";
import { butterflyScan, evalInto, fitBatch } from "./reference.ts";
import { FIT_OUT_STRIDE, MAX_INTERVALS } from "./status.ts";

export type SviEngineKind = "wasm" | "ts";

export interface RawSviParams {
  readonly a: number;
  readonly b: number;
  readonly rho: number;
  readonly m: number;
  readonly sigma: number;
}

/** Slices packed back to back: slice s owns quotes offsets[s]..offsets[s+1]-1. */
export interface PackedSlices {
  readonly offsets: Int32Array;
  readonly k: Float64Array;
  readonly w: Float64Array;
  readonly weight: Float64Array;
  readonly t: Float64Array;
}

export interface PackedFit {
  /** FIT_OUT_STRIDE numbers per slice (see FIT_OUT in status.ts). */
  readonly out: Float64Array;
  readonly status: Int32Array;
  /** MAX_INTERVALS [from, to] pairs per slice. */
  readonly intervals: Float64Array;
}

export interface SviDerivatives {
  readonly w: Float64Array;
  readonly w1: Float64Array;
  readonly w2: Float64Array;
  readonly g: Float64Array;
}

export interface SviEngine {
  readonly kind: SviEngineKind;
  fit(slices: PackedSlices, flags: number, maxIter: number): PackedFit;
  /** Negative-g intervals as [from, to] pairs and their count (count > max means overflow). */
  butterfly(p: RawSviParams, maxIntervals: number): { count: number; intervals: Float64Array };
  evaluate(p: RawSviParams, k: Float64Array): SviDerivatives;
}

export function createTsSviEngine(): SviEngine {
  return {
    kind: "ts",
    fit(slices, flags, maxIter) {
      const n = slices.t.length;
      const out = new Float64Array(n * FIT_OUT_STRIDE);
      const status = new Int32Array(n);
      const intervals = new Float64Array(n * MAX_INTERVALS * 2);
      fitBatch(n, slices.offsets, slices.k, slices.w, slices.weight, slices.t, flags, maxIter, out, status, intervals);
      return { out, status, intervals };
    },
    butterfly(p, maxIntervals) {
      const intervals = new Float64Array(Math.max(1, maxIntervals) * 2);
      const count = butterflyScan(p.a, p.b, p.rho, p.m, p.sigma, intervals, 0, maxIntervals);
      return { count, intervals };
    },
    evaluate(p, k) {
      const n = k.length;
      const res = { w: new Float64Array(n), w1: new Float64Array(n), w2: new Float64Array(n), g: new Float64Array(n) };
      evalInto(p.a, p.b, p.rho, p.m, p.sigma, k, res.w, res.w1, res.w2, res.g);
      return res;
    },
  };
}

type FitBatchFn = (
  nSlices: number, offsets: number, k: number, w: number, weight: number, t: number, flags: number,
  maxIter: number, out: number, status: number, intervals: number, scratch: number,
) => number;
type ScanFn = (a: number, b: number, rho: number, m: number, sigma: number, out: number, maxIntervals: number) => number;
type EvalFn = (
  a: number, b: number, rho: number, m: number, sigma: number,
  k: number, n: number, outW: number, outW1: number, outW2: number, outG: number,
) => number;

export function createWasmSviEngine(module: KernelModule): SviEngine {
  const fitFn = requireFunction<FitBatchFn>(module.raw, "sviFitBatch");
  const scanFn = requireFunction<ScanFn>(module.raw, "sviButterflyScan");
  const evalFn = requireFunction<EvalFn>(module.raw, "sviEval");
  const arena = new Arena(module);
  return {
    kind: "wasm",
    fit(slices, flags, maxIter) {
      const nSlices = slices.t.length;
      const total = slices.k.length;
      arena.reset();
      const pOff = arena.alloc(nSlices + 1, 4);
      const pK = arena.alloc(total, 8);
      const pW = arena.alloc(total, 8);
      const pWt = arena.alloc(total, 8);
      const pT = arena.alloc(nSlices, 8);
      const pOut = arena.alloc(nSlices * FIT_OUT_STRIDE, 8);
      const pStatus = arena.alloc(nSlices, 4);
      const pInt = arena.alloc(nSlices * MAX_INTERVALS * 2, 8);
      const pScratch = arena.alloc(total * 3, 8);
      arena.i32(pOff, nSlices + 1).set(slices.offsets);
      arena.f64(pK, total).set(slices.k);
      arena.f64(pW, total).set(slices.w);
      arena.f64(pWt, total).set(slices.weight);
      arena.f64(pT, nSlices).set(slices.t);
      const rc = fitFn(nSlices, pOff, pK, pW, pWt, pT, flags, maxIter, pOut, pStatus, pInt, pScratch);
      if (rc !== 0) throw new KernelError("kernel_svi_fit_failed", `sviFitBatch returned ${rc}`);
      return {
        out: arena.f64(pOut, nSlices * FIT_OUT_STRIDE).slice(),
        status: arena.i32(pStatus, nSlices).slice(),
        intervals: arena.f64(pInt, nSlices * MAX_INTERVALS * 2).slice(),
      };
    },
    butterfly(p, maxIntervals) {
      arena.reset();
      const size = Math.max(1, maxIntervals) * 2;
      const pOut = arena.alloc(size, 8);
      const count = scanFn(p.a, p.b, p.rho, p.m, p.sigma, pOut, maxIntervals);
      return { count, intervals: arena.f64(pOut, size).slice() };
    },
    evaluate(p, k) {
      const n = k.length;
      arena.reset();
      const pK = arena.alloc(n, 8);
      const pW = arena.alloc(n, 8);
      const pW1 = arena.alloc(n, 8);
      const pW2 = arena.alloc(n, 8);
      const pG = arena.alloc(n, 8);
      arena.f64(pK, n).set(k);
      evalFn(p.a, p.b, p.rho, p.m, p.sigma, pK, n, pW, pW1, pW2, pG);
      return {
        w: arena.f64(pW, n).slice(),
        w1: arena.f64(pW1, n).slice(),
        w2: arena.f64(pW2, n).slice(),
        g: arena.f64(pG, n).slice(),
      };
    },
  };
}
