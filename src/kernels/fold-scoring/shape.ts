/** Checks a fold-scoring input's shape on the host, so a mistake is a clear error instead of a kernel status. */
import { UsageError } from "../../domain/errors.ts";
import { DEFAULT_PERIODS_PER_YEAR, DEFAULT_QUANTILES, type FoldScoringInput } from "./types.ts";

export interface FoldScoringShape {
  readonly rows: number;
  readonly names: number;
  readonly dates: number;
  readonly paths: number;
  readonly quantiles: number;
  readonly periodsPerYear: number;
}

export function foldScoringShape(input: FoldScoringInput): FoldScoringShape {
  const { names, paths } = input;
  const quantiles = input.quantiles ?? DEFAULT_QUANTILES;
  const periodsPerYear = input.periodsPerYear ?? DEFAULT_PERIODS_PER_YEAR;
  if (!Number.isSafeInteger(names) || names < 1) throw new UsageError("fold_scoring_shape", `names must be a positive integer, not ${names}`);
  if (!Number.isSafeInteger(paths) || paths < 1) throw new UsageError("fold_scoring_shape", `paths must be a positive integer, not ${paths}`);
  if (!Number.isSafeInteger(quantiles) || quantiles < 2) throw new UsageError("fold_scoring_shape", `quantiles must be an integer >= 2, not ${quantiles}`);
  if (!(periodsPerYear > 0) || !Number.isFinite(periodsPerYear)) {
    throw new UsageError("fold_scoring_shape", `periodsPerYear must be > 0, not ${periodsPerYear}`);
  }
  const rows = input.rowDate.length;
  if (input.rowPath.length !== rows) throw new UsageError("fold_scoring_shape", `${rows} row dates but ${input.rowPath.length} row paths`);
  if (input.predictions.length !== rows * names) {
    throw new UsageError("fold_scoring_shape", `predictions hold ${input.predictions.length} values, not rows × names = ${rows} × ${names}`);
  }
  if (input.outcomes.length % names !== 0 || input.outcomes.length === 0) {
    throw new UsageError("fold_scoring_shape", `outcomes hold ${input.outcomes.length} values, not a positive multiple of ${names} names`);
  }
  const dates = input.outcomes.length / names;
  for (let r = 0; r < rows; r++) {
    const d = input.rowDate[r] ?? -1;
    if (d < 0 || d >= dates) throw new UsageError("fold_scoring_shape", `row ${r}: date ${d} is outside the ${dates} outcome dates`);
    const p = input.rowPath[r] ?? -1;
    if (p < 0 || p >= paths) throw new UsageError("fold_scoring_shape", `row ${r}: path ${p} is outside 0..${paths - 1}`);
  }
  return { rows, names, dates, paths, quantiles, periodsPerYear };
}
