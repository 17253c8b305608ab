/** ABI of the SVI kernels (src/kernels/portable/svi/). */
import { SVI_FIT_FIXED_SCRATCH, SVI_FIT_SCRATCH_PER_QUOTE } from "../portable/svi/constants.ts";
import { FIT_OUT_STRIDE, MAX_INTERVALS, SVI_STATUS_NAMES } from "../svi/status.ts";
import { BOTH_BUILDS, f64, i32, input, output, scratch, size, sized, type AbiExport } from "./types.ts";

const RAW_PARAMS = [f64("a"), f64("b"), f64("rho"), f64("m"), f64("sigma")];

export const SVI_EVAL: AbiExport = {
  name: "sviEval", family: "svi", summary: "w, w', w'' and g of raw SVI at n log-moneyness values; returns 0",
  params: [
    ...RAW_PARAMS, input("k", "f64", sized("n")), i32("n"),
    output("w", "f64", sized("n")), output("w1", "f64", sized("n")), output("w2", "f64", sized("n")),
    output("g", "f64", sized("n")),
  ],
  result: "i32", builds: BOTH_BUILDS,
};

export const SVI_BUTTERFLY_SCAN: AbiExport = {
  name: "sviButterflyScan", family: "svi",
  summary: "[from, to] regions where g < 0; returns their count (maxIntervals + 1: more than listed)",
  params: [...RAW_PARAMS, output("intervals", "f64", (s) => 2 * Math.max(1, size(s, "maxIntervals"))), i32("maxIntervals")],
  result: "i32", builds: BOTH_BUILDS,
};

export const SVI_FIT_BATCH: AbiExport = {
  name: "sviFitBatch", family: "svi", summary: "calibrates nSlices packed slices (quasi-explicit SVI); returns 0",
  params: [
    i32("nSlices"), input("offsets", "i32", sized("nSlices", 1, 1)),
    input("k", "f64", sized("k")), input("w", "f64", sized("k")), input("weight", "f64", sized("k")),
    input("t", "f64", sized("nSlices")), i32("flags"), i32("maxIter"),
    output("out", "f64", sized("nSlices", FIT_OUT_STRIDE)), output("status", "i32", sized("nSlices")),
    output("intervals", "f64", sized("nSlices", MAX_INTERVALS * 2)),
    scratch("scratch", "f64", sized("k", SVI_FIT_SCRATCH_PER_QUOTE, SVI_FIT_FIXED_SCRATCH)),
  ],
  result: "i32", builds: BOTH_BUILDS, statuses: SVI_STATUS_NAMES,
};

export const SVI_ABI: readonly AbiExport[] = [SVI_EVAL, SVI_BUTTERFLY_SCAN, SVI_FIT_BATCH];
