/**
 * The TS engine: the portable kernels (portable/) as compiled by tsc, over the JavaScript memory of js-memory.ts,
 * with the WebAssembly module's export names and positional arguments (abi/). Its bsmBatch is the scalar loop of
 * portable/bsm/batch.ts (the module's pairs rows on f64x2 lanes); results differ from the module's only where the
 * host's Math.exp/log differ from AssemblyScript's (a few ulps). It is the fallback where WebAssembly is not
 * wanted and a second opinion in the tests.
 */
import type { KernelInstance } from "./instance.ts";
import { jsArenaAlloc, jsArenaReset, jsMemory } from "./js-memory.ts";
import { ABI_VERSION } from "./portable/abi-version.ts";
import { bsmBatchScalar } from "./portable/bsm/batch.ts";
import { normalisedBlackPrice } from "./portable/bsm/row.ts";
import { impliedNormalisedVol, impliedVolBatch, impliedVolScalar, impliedVolStatus } from "./portable/iv/implied-vol.ts";
import { lastSolveIterations } from "./portable/iv/lets-be-rational.ts";
import { erfc, erfcx, normCdf, normInv, normPdf } from "./portable/math/normal.ts";
import { sviButterflyScan } from "./portable/svi/butterfly.ts";
import { sviEval } from "./portable/svi/eval.ts";
import { sviFitBatch } from "./portable/svi/fit.ts";

let instance: KernelInstance | undefined;

/** The TS engine's kernels (one per realm; see js-memory.ts). */
export function tsKernelInstance(): KernelInstance {
  instance ??= {
    engine: "ts",
    memory: jsMemory,
    raw: Object.freeze({
      abiVersion: (): number => ABI_VERSION,
      arenaAlloc: jsArenaAlloc,
      arenaReset: jsArenaReset,
      bsmBatch: bsmBatchScalar,
      normalisedBlackPrice,
      impliedVolBatch,
      impliedVolScalar,
      impliedVolStatus,
      impliedVolIterations: lastSolveIterations,
      impliedNormalisedVol,
      erfc,
      erfcx,
      normCdf,
      normPdf,
      normInv,
      sviEval,
      sviButterflyScan,
      sviFitBatch,
    }),
  };
  return instance;
}
