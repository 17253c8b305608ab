/**
 * The SVI kernels (src/kernels/portable/svi/) behind one low-level interface: packed struct-of-arrays input,
 * packed output; the façade (index.ts) turns that into objects.
 */
import { KernelError } from "../../domain/errors.ts";
import { SVI_BUTTERFLY_SCAN, SVI_EVAL, SVI_FIT_BATCH } from "../abi/index.ts";
import { runExport } from "../abi/run.ts";
import { Arena } from "../arena.ts";
import type { EngineName, KernelInstance } from "../instance.ts";

export type SviEngineKind = EngineName;

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

/** The SVI engine on either build's kernels (instance.ts); both give the same bits (portable/svi/ uses only
 * correctly rounded arithmetic). */
export function createSviEngine(instance: KernelInstance): SviEngine {
  const arena = new Arena(instance);
  return {
    kind: instance.engine,
    fit(slices, flags, maxIter) {
      const nSlices = slices.t.length;
      const call = runExport(instance, arena, SVI_FIT_BATCH, {
        nSlices, offsets: slices.offsets, k: slices.k, w: slices.w, weight: slices.weight, t: slices.t, flags, maxIter,
      });
      if (call.result !== 0) throw new KernelError("kernel_svi_fit_failed", `sviFitBatch returned ${call.result}`);
      return { out: call.f64("out").slice(), status: call.i32("status").slice(), intervals: call.f64("intervals").slice() };
    },
    butterfly(p, maxIntervals) {
      const call = runExport(instance, arena, SVI_BUTTERFLY_SCAN, { ...p, maxIntervals });
      return { count: call.result, intervals: call.f64("intervals").slice() };
    },
    evaluate(p, k) {
      const call = runExport(instance, arena, SVI_EVAL, { ...p, k, n: k.length });
      return { w: call.f64("w").slice(), w1: call.f64("w1").slice(), w2: call.f64("w2").slice(), g: call.f64("g").slice() };
    },
  };
}
