/**
 * The kernel ABI descriptor: every export of the kernels, in every build, with its positional parameters
 * (DESIGN, "Kernel ABI"). Every host caller goes through it: the option and SVI engines and the worker pool (by
 * way of run.ts), the benchmarks and the arm64 runner; tests/kernels/abi.test.ts checks each export's arity
 * against the compiled module and the TS engine, and that nothing is exported without an entry here.
 *
 * Adding a kernel family (docs/kernels.md, "Adding a kernel family"): describe its exports in a file of this
 * folder and add its list to KERNEL_ABI below; give it vectors in tests/arm64/vector-sets.ts.
 */
import { KernelError } from "../../domain/errors.ts";
import type { KernelInstance } from "../instance.ts";
import { ABI_VERSION } from "../portable/abi-version.ts";
import { ARENA_ABI } from "./arena.ts";
import { FOLD_SCORING_ABI } from "./fold-scoring.ts";
import { HEDGE_ABI } from "./hedge.ts";
import { LEARN_ABI } from "./learn.ts";
import { BSM_ABI, IV_ABI, MATH_ABI } from "./options.ts";
import { SVI_ABI } from "./svi.ts";
import type { AbiExport } from "./types.ts";

export const KERNEL_ABI: readonly AbiExport[] = [
  ...ARENA_ABI, ...MATH_ABI, ...BSM_ABI, ...IV_ABI, ...SVI_ABI, ...LEARN_ABI, ...FOLD_SCORING_ABI, ...HEDGE_ABI,
];

/** The ABI version the host speaks (the kernels' own constant; typed for the published declarations). */
export const EXPECTED_ABI_VERSION: number = ABI_VERSION;
export { ABI_VERSION_EXPORT, ARENA_ALLOC, ARENA_RESET } from "./arena.ts";
export { BSM_BATCH, IMPLIED_VOL_BATCH, IMPLIED_VOL_SCALAR, IMPLIED_VOL_STATUS, NORMALISED_BLACK_PRICE } from "./options.ts";
export { SVI_BUTTERFLY_SCAN, SVI_EVAL, SVI_FIT_BATCH } from "./svi.ts";
export {
  GBDT_FIT_BEGIN, GBDT_FIT_STEP, GBDT_PREDICT, GBDT_SCRATCH_BYTES, LEARN_LAYOUT_DIGEST, LINEAR_PREDICT, RIDGE_FIT,
  RIDGE_SCRATCH_BYTES,
} from "./learn.ts";
export { FOLD_SCORING_SCRATCH_BYTES, SCORE_FOLDS } from "./fold-scoring.ts";
export { HEDGE_LAYOUT_DIGEST, HEDGE_RUN, HEDGE_SCRATCH_BYTES } from "./hedge.ts";
export * from "./types.ts";
export { statusName } from "./status-name.ts";

/** The descriptor of the export `name`. */
export function abiExport(name: string): AbiExport {
  const found = KERNEL_ABI.find((e) => e.name === name);
  if (found === undefined) throw new KernelError("kernel_abi_mismatch", `no kernel export "${name}" in the ABI descriptor`);
  return found;
}

/** The function of `exp` in `instance`, called with named arguments (scalars, and pointers for buffers). */
export function bindExport(instance: KernelInstance, exp: AbiExport): (args: Readonly<Record<string, number>>) => number {
  const fn = instance.raw[exp.name];
  if (typeof fn !== "function") {
    throw new KernelError("kernel_abi_mismatch", `the ${instance.engine} kernels have no export "${exp.name}"; rebuild them`);
  }
  const names = exp.params.map((p) => p.name);
  return (args) => {
    const positional = names.map((name) => {
      const value = args[name];
      if (value === undefined) throw new KernelError("kernel_internal", `${exp.name}: argument "${name}" is missing`);
      return value;
    });
    const result: unknown = Reflect.apply(fn, undefined, positional);
    return typeof result === "number" ? result : 0;
  };
}
