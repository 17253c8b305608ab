/**
 * The fold-scoring family's arm64 vector set (assembly/validate/): a small and a large cross-section with absent
 * names, ties and zeros, from an integer generator so the inputs are the same bits on both architectures, scored
 * through the family's WebAssembly engine (src/kernels/fold-scoring/wasm.ts, which stages scoreFolds from the ABI
 * descriptor; its scratch size comes from foldScoringScratchBytes).
 */
import { FOLD_SCORING_SCRATCH_BYTES, SCORE_FOLDS } from "../../src/kernels/abi/index.ts";
import { createWasmFoldScorer } from "../../src/kernels/fold-scoring/wasm.ts";
import type { KernelInstance } from "../../src/kernels/instance.ts";

export const FOLD_SCORING_EXPORTS = [FOLD_SCORING_SCRATCH_BYTES, SCORE_FOLDS].map((e) => e.name);

/** [label, names, dates, rows, paths, quantiles] */
const PANELS = [["small", 7, 40, 180, 3, 3], ["large", 503, 60, 240, 4, 5]] as const;

export function runFoldScoringVectors(instance: KernelInstance): Map<string, number[]> {
  // A 32-bit LCG (Numerical Recipes constants): the same panel on every machine.
  let seed = 20240613;
  const u = (): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 4294967296;
  };
  const scorer = createWasmFoldScorer(instance);
  const groups = new Map<string, number[]>();
  for (const [label, names, dates, rows, paths, quantiles] of PANELS) {
    const outcomes = Float64Array.from({ length: dates * names }, () =>
      u() < 0.04 ? Number.NaN : u() < 0.2 ? Math.round((u() - 0.5) * 8) / 100 : (u() - 0.5) * 0.1);
    const rowDate = new Int32Array(rows);
    const rowPath = new Int32Array(rows);
    for (let r = 0; r < rows; r++) {
      rowDate[r] = Math.floor(u() * dates);
      rowPath[r] = r % paths;
    }
    const predictions = Float64Array.from({ length: rows * names }, (_, i) => {
      const y = outcomes[(rowDate[Math.floor(i / names)] ?? 0) * names + (i % names)] ?? Number.NaN;
      return u() < 0.03 ? Number.NaN : u() < 0.05 ? 0 : u() < 0.3 ? Math.round(u() * 6) : 0.3 * (Number.isNaN(y) ? 0 : y) + (u() - 0.5) * 0.1;
    });
    const s = scorer.score({ names, predictions, outcomes, rowDate, rowPath, paths, quantiles, periodsPerYear: 252 });
    for (const [key, values] of Object.entries(s)) groups.set(`${label} ${key}`, Array.from(values));
  }
  return groups;
}
