/**
 * ABI of the learn kernels (assembly/learn/, AssemblyScript only; host: src/kernels/learn/). The panel x is
 * column-major, p columns of nTotal rows; row index sets are i32. GBDT buffers reach the kernel through pointer
 * tables (the bins and forest tables of src/kernels/learn/layout.ts), and its scratch size comes from
 * gbdtScratchBytes, so those calls are staged by the family itself (engine.ts) through bindExport.
 */
import { LEARN_STATUS_NAMES } from "../learn/layout.ts";
import { f64, i32, input, output, scratch, size, sized, type AbiExport } from "./types.ts";

const WASM_ONLY = ["wasm"] as const;
const panel = (s: Readonly<Record<string, number>>): number => size(s, "p") * size(s, "nTotal");

export const LEARN_LAYOUT_DIGEST: AbiExport = {
  name: "learnLayoutDigest", family: "learn", summary: "a hash of the learn buffer layout, checked against the host's",
  params: [], result: "i32", builds: WASM_ONLY,
};

export const RIDGE_SCRATCH_BYTES: AbiExport = {
  name: "ridgeScratchBytes", family: "learn", summary: "bytes of scratch ridgeFit needs for p features",
  params: [i32("p")], result: "f64", builds: WASM_ONLY,
};

export const RIDGE_FIT: AbiExport = {
  name: "ridgeFit", family: "learn",
  summary: "weighted ridge on rows (0: the first nRows) of the panel; returns a learn status",
  params: [
    i32("nTotal"), i32("p"), input("x", "f64", panel), input("y", "f64", sized("nTotal")),
    input("w", "f64", sized("nTotal"), true), input("rows", "i32", sized("nRows"), true), i32("nRows"), f64("lambda"),
    output("mean", "f64", sized("p")), output("scale", "f64", sized("p")), output("coef", "f64", sized("p")),
    output("stdCoef", "f64", sized("p")), output("intercept", "f64", () => 1),
    scratch("scratch", "u8", undefined),
  ],
  result: "i32", builds: WASM_ONLY, statuses: LEARN_STATUS_NAMES,
};

export const LINEAR_PREDICT: AbiExport = {
  name: "linearPredict", family: "learn", summary: "intercept + x . coef on rows (0: the first nRows)",
  params: [
    i32("nTotal"), i32("p"), input("x", "f64", panel), input("rows", "i32", sized("nRows"), true), i32("nRows"),
    input("coef", "f64", sized("p")), f64("intercept"), output("out", "f64", sized("nRows")),
  ],
  result: "i32", builds: WASM_ONLY, statuses: LEARN_STATUS_NAMES,
};

export const GBDT_SCRATCH_BYTES: AbiExport = {
  name: "gbdtScratchBytes", family: "learn", summary: "bytes of scratch gbdtFitBegin needs (-1: sizes refused)",
  params: [i32("nTotal"), i32("p"), i32("nT"), i32("nV"), i32("numLeaves"), i32("bins"), i32("sampleCount")],
  result: "f64", builds: WASM_ONLY,
};

export const GBDT_FIT_BEGIN: AbiExport = {
  name: "gbdtFitBegin", family: "learn",
  summary: "starts a histogram GBDT fit (bins and forest are pointer tables); returns a learn status",
  params: [
    i32("nTotal"), i32("p"), input("x", "f64", panel), input("y", "f64", sized("nTotal")),
    input("w", "f64", sized("nTotal"), true), input("group", "i32", sized("nTotal"), true),
    input("train", "i32", sized("nT")), i32("nT"), input("valid", "i32", sized("nV")), i32("nV"),
    input("params", "f64", () => 19), input("bins", "i32", () => 2), input("forest", "i32", () => 12),
    output("info", "f64", () => 9), output("curve", "f64", undefined), scratch("scratch", "u8", undefined),
  ],
  result: "i32", builds: WASM_ONLY, statuses: LEARN_STATUS_NAMES,
};

export const GBDT_FIT_STEP: AbiExport = {
  name: "gbdtFitStep", family: "learn", summary: "grows the next tree: 0 more to come, 1 done, < 0 a kernel bug",
  params: [], result: "i32", builds: WASM_ONLY,
};

export const GBDT_PREDICT: AbiExport = {
  name: "gbdtPredict", family: "learn", summary: "base + the first `trees` trees of a forest (pointer table) on rows",
  params: [
    i32("nTotal"), i32("p"), input("x", "f64", panel), input("rows", "i32", sized("nRows"), true), i32("nRows"),
    input("forest", "i32", () => 12), i32("trees"), f64("base"), output("out", "f64", sized("nRows")),
  ],
  result: "i32", builds: WASM_ONLY, statuses: LEARN_STATUS_NAMES,
};

export const LEARN_ABI: readonly AbiExport[] = [
  LEARN_LAYOUT_DIGEST, RIDGE_SCRATCH_BYTES, RIDGE_FIT, LINEAR_PREDICT, GBDT_SCRATCH_BYTES, GBDT_FIT_BEGIN, GBDT_FIT_STEP,
  GBDT_PREDICT,
];
