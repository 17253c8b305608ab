/** ABI of the SVI kernels (src/kernels/portable/svi/). */
import { SVI_FIT_FIXED_SCRATCH, SVI_FIT_SCRATCH_PER_QUOTE } from "../portable/svi/constants.ts";
import { FIT_OUT_STRIDE, MAX_INTERVALS, SVI_STATUS_NAMES } from "../svi/status.ts";
import { f64, i32, input, kernelExport, output, scratch, size, sized, type AbiExport } from "./types.ts";

const RAW_PARAMS = [f64("a"), f64("b"), f64("rho"), f64("m"), f64("sigma")];

export const SVI_EVAL = kernelExport(
  "svi", "sviEval", "w, w', w'' and g of raw SVI at n log-moneyness values; returns 0",
  [...RAW_PARAMS, input("k", "f64", sized("n")), i32("n"), ...["w", "w1", "w2", "g"].map((name) => output(name, "f64", sized("n")))],
  "i32",
);

export const SVI_BUTTERFLY_SCAN = kernelExport(
  "svi", "sviButterflyScan", "[from, to] regions where g < 0; returns their count (maxIntervals + 1: more than listed)",
  [...RAW_PARAMS, output("intervals", "f64", (s) => 2 * Math.max(1, size(s, "maxIntervals"))), i32("maxIntervals")],
  "i32",
);

export const SVI_FIT_BATCH = kernelExport(
  "svi", "sviFitBatch", "calibrates nSlices packed slices (quasi-explicit SVI); returns 0",
  [
    i32("nSlices"), input("offsets", "i32", sized("nSlices", 1, 1)),
    input("k", "f64", sized("k")), input("w", "f64", sized("k")), input("weight", "f64", sized("k")),
    input("t", "f64", sized("nSlices")), i32("flags"), i32("maxIter"),
    output("out", "f64", sized("nSlices", FIT_OUT_STRIDE)), output("status", "i32", sized("nSlices")),
    output("intervals", "f64", sized("nSlices", MAX_INTERVALS * 2)),
    scratch("scratch", "f64", sized("k", SVI_FIT_SCRATCH_PER_QUOTE, SVI_FIT_FIXED_SCRATCH)),
  ],
  "i32", { statuses: SVI_STATUS_NAMES },
);

export const SVI_ABI: readonly AbiExport[] = [SVI_EVAL, SVI_BUTTERFLY_SCAN, SVI_FIT_BATCH];
