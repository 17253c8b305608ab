/**
 * ABI of the fold-scoring kernel (assembly/validate/, AssemblyScript only; host: src/kernels/fold-scoring/, whose
 * TypeScript twin reference.ts is an independent implementation, not a build of these exports). Panels are
 * row-major: predictions rows × names, outcomes dates × names. The scratch size comes from
 * foldScoringScratchBytes, so the caller passes it as the scratch buffer's length (abi/run.ts).
 */
import { FOLD_SCORING_STATUS_NAMES } from "../fold-scoring/types.ts";
import { f64, i32, input, kernelExport, output, scratch, size, sized, type AbiExport } from "./types.ts";

const WASM_ONLY = { builds: ["wasm"] } as const;

export const FOLD_SCORING_SCRATCH_BYTES = kernelExport(
  "validate", "foldScoringScratchBytes", "bytes of scratch scoreFolds needs for `names` names and `dates` dates",
  [i32("names"), i32("dates")], "i32", WASM_ONLY,
);

export const SCORE_FOLDS = kernelExport(
  "validate", "scoreFolds", "IC, rank IC, long-short and hit rate of each prediction row, Sharpe of each path; returns a status",
  [
    i32("rows"), i32("names"), i32("dates"), i32("paths"), i32("quantiles"), f64("periodsPerYear"),
    input("pred", "f64", (s) => size(s, "rows") * size(s, "names")),
    input("outcome", "f64", (s) => size(s, "dates") * size(s, "names")),
    input("rowDate", "i32", sized("rows")), input("rowPath", "i32", sized("rows")),
    scratch("scratch", "u8", undefined),
    ...["ic", "rankIc", "longShort", "hitRate"].map((name) => output(name, "f64", sized("rows"))),
    output("count", "i32", sized("rows")),
    ...["pathSharpe", "pathMean", "pathStd"].map((name) => output(name, "f64", sized("paths"))),
    output("pathCount", "i32", sized("paths")),
  ],
  "i32", { builds: ["wasm"], statuses: FOLD_SCORING_STATUS_NAMES },
);

export const FOLD_SCORING_ABI: readonly AbiExport[] = [FOLD_SCORING_SCRATCH_BYTES, SCORE_FOLDS];
