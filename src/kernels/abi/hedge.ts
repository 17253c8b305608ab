/**
 * ABI of the hedging kernel (assembly/hedge/, AssemblyScript only; host: src/kernels/hedge/). Its columns reach
 * the kernel through pointer tables (src/kernels/hedge/layout.ts: the parameter block, the input table of IN_SLOTS
 * i32 per column, the step and path output tables), and its scratch size comes from hedgeScratchBytes, so the
 * family stages its calls itself (engine.ts) and names the arguments through bindExport.
 */
import {
  HEDGE_STATUS_NAMES, IN_COLUMNS, IN_SLOTS, PARAM_SLOTS, PATH_OUT_SLOTS, STEP_OUT_SLOTS,
} from "../hedge/layout.ts";
import { i32, input, kernelExport, scratch, type AbiExport } from "./types.ts";

const WASM_ONLY = { builds: ["wasm"] } as const;

export const HEDGE_LAYOUT_DIGEST = kernelExport(
  "hedge", "hedgeLayoutDigest", "a hash of the hedge buffer layout, checked against the host's", [], "i32", WASM_ONLY,
);

export const HEDGE_SCRATCH_BYTES = kernelExport(
  "hedge", "hedgeScratchBytes", "bytes of scratch hedgeRun needs for nLegs legs (-1: too many legs)", [i32("nLegs")], "i32",
  WASM_ONLY,
);

export const HEDGE_RUN = kernelExport(
  "hedge", "hedgeRun",
  "hedges nPaths paths of nSteps steps (columns through pointer tables); returns the paths that failed, < 0 a refused call",
  [
    i32("nPaths"), i32("nSteps"), i32("nLegs"), input("params", "f64", () => PARAM_SLOTS),
    input("inputs", "i32", () => IN_COLUMNS * IN_SLOTS), input("stepOut", "i32", () => STEP_OUT_SLOTS, true),
    input("pathOut", "i32", () => PATH_OUT_SLOTS), scratch("scratch", "u8", undefined),
  ],
  "i32", { builds: ["wasm"], statuses: HEDGE_STATUS_NAMES },
);

export const HEDGE_ABI: readonly AbiExport[] = [HEDGE_LAYOUT_DIGEST, HEDGE_SCRATCH_BYTES, HEDGE_RUN];
