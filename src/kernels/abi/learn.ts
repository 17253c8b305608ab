/**
 * ABI of the learn kernels (assembly/learn/, AssemblyScript only; host: src/kernels/learn/). The panel x is
 * column-major, p columns of nTotal rows; row index sets are i32. GBDT buffers reach the kernel through pointer
 * tables (the bins and forest tables of src/kernels/learn/layout.ts), and its scratch size comes from
 * gbdtScratchBytes, so those calls are staged by the family itself (engine.ts) through bindExport.
 */
import { LEARN_STATUS_NAMES } from "../learn/layout.ts";
import { f64, i32, input, kernelExport, output, scratch, size, sized, type AbiExport } from "./types.ts";

const WASM_ONLY = { builds: ["wasm"] } as const;
const STATUS = { builds: ["wasm"], statuses: LEARN_STATUS_NAMES } as const;
const panel = (s: Readonly<Record<string, number>>): number => size(s, "p") * size(s, "nTotal");

export const LEARN_LAYOUT_DIGEST = kernelExport(
  "learn", "learnLayoutDigest", "a hash of the learn buffer layout, checked against the host's", [], "i32", WASM_ONLY,
);

export const RIDGE_SCRATCH_BYTES = kernelExport(
  "learn", "ridgeScratchBytes", "bytes of scratch ridgeFit needs for p features", [i32("p")], "f64", WASM_ONLY,
);

export const RIDGE_FIT = kernelExport(
  "learn", "ridgeFit", "weighted ridge on rows (0: the first nRows) of the panel; returns a learn status",
  [
    i32("nTotal"), i32("p"), input("x", "f64", panel), input("y", "f64", sized("nTotal")),
    input("w", "f64", sized("nTotal"), true), input("rows", "i32", sized("nRows"), true), i32("nRows"), f64("lambda"),
    ...["mean", "scale", "coef", "stdCoef"].map((name) => output(name, "f64", sized("p"))),
    output("intercept", "f64", () => 1), scratch("scratch", "u8", undefined),
  ],
  "i32", STATUS,
);

export const LINEAR_PREDICT = kernelExport(
  "learn", "linearPredict", "intercept + x . coef on rows (0: the first nRows)",
  [
    i32("nTotal"), i32("p"), input("x", "f64", panel), input("rows", "i32", sized("nRows"), true), i32("nRows"),
    input("coef", "f64", sized("p")), f64("intercept"), output("out", "f64", sized("nRows")),
  ],
  "i32", STATUS,
);

export const GBDT_SCRATCH_BYTES = kernelExport(
  "learn", "gbdtScratchBytes", "bytes of scratch gbdtFitBegin needs (-1: sizes refused)",
  ["nTotal", "p", "nT", "nV", "numLeaves", "bins", "sampleCount"].map((name) => i32(name)), "f64", WASM_ONLY,
);

export const GBDT_FIT_BEGIN = kernelExport(
  "learn", "gbdtFitBegin", "starts a histogram GBDT fit (bins and forest are pointer tables); returns a learn status",
  [
    i32("nTotal"), i32("p"), input("x", "f64", panel), input("y", "f64", sized("nTotal")),
    input("w", "f64", sized("nTotal"), true), input("group", "i32", sized("nTotal"), true),
    input("train", "i32", sized("nT")), i32("nT"), input("valid", "i32", sized("nV")), i32("nV"),
    input("params", "f64", () => 19), input("bins", "i32", () => 2), input("forest", "i32", () => 12),
    output("info", "f64", () => 9), output("curve", "f64", undefined), scratch("scratch", "u8", undefined),
  ],
  "i32", STATUS,
);

export const GBDT_FIT_STEP = kernelExport(
  "learn", "gbdtFitStep", "grows the next tree: 0 more to come, 1 done, < 0 a kernel bug", [], "i32", WASM_ONLY,
);

export const GBDT_PREDICT = kernelExport(
  "learn", "gbdtPredict", "base + the first `trees` trees of a forest (pointer table) on rows",
  [
    i32("nTotal"), i32("p"), input("x", "f64", panel), input("rows", "i32", sized("nRows"), true), i32("nRows"),
    input("forest", "i32", () => 12), i32("trees"), f64("base"), output("out", "f64", sized("nRows")),
  ],
  "i32", STATUS,
);

export const LEARN_ABI: readonly AbiExport[] = [
  LEARN_LAYOUT_DIGEST, RIDGE_SCRATCH_BYTES, RIDGE_FIT, LINEAR_PREDICT, GBDT_SCRATCH_BYTES, GBDT_FIT_BEGIN, GBDT_FIT_STEP,
  GBDT_PREDICT,
];
