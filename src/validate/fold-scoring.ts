/**
 * Scoring the out-of-fold predictions of a CPCV run: the row layout (which date and path each scored row belongs
 * to) and a per-split summary. The statistics themselves come from one kernel call per batch
 * (src/kernels/fold-scoring/, assembly/validate/fold-scoring.ts).
 */
import type { FoldScores } from "../kernels/fold-scoring/types.ts";
import type { CpcvSplits } from "./cpcv.ts";

/** Rows in split order, each split's test folds in ascending order, dates ascending within a fold. */
export interface CpcvScoringLayout {
  readonly rowDate: Int32Array;
  readonly rowPath: Int32Array;
  readonly rowSplit: Int32Array;
  /** splitStart[s]..splitStart[s+1]-1 are split s's rows (nSplits + 1 entries). */
  readonly splitStart: Int32Array;
  readonly paths: number;
}

/** The prediction rows a CPCV run produces: every test date of every split, tagged with its path. */
export function cpcvScoringLayout(cv: CpcvSplits): CpcvScoringLayout {
  const total = cv.splits.reduce((sum, split) => sum + split.test.reduce((n, fold) => n + fold.length, 0), 0);
  const rowDate = new Int32Array(total);
  const rowPath = new Int32Array(total);
  const rowSplit = new Int32Array(total);
  const splitStart = new Int32Array(cv.splits.length + 1);
  let row = 0;
  cv.splits.forEach((split, s) => {
    splitStart[s] = row;
    split.test.forEach((fold, j) => {
      for (const date of fold) {
        rowDate[row] = date;
        rowPath[row] = split.pathIds[j] ?? 0;
        rowSplit[row] = s;
        row++;
      }
    });
  });
  splitStart[cv.splits.length] = row;
  return { rowDate, rowPath, rowSplit, splitStart, paths: cv.plan.nPaths };
}

export interface SplitSummary {
  readonly split: number;
  readonly rows: number;
  /** Means over the split's rows where the statistic is defined. */
  readonly meanIc: number;
  readonly meanRankIc: number;
  readonly meanLongShort: number;
  readonly meanHitRate: number;
}

function meanOver(values: Float64Array, from: number, to: number): number {
  let sum = 0;
  let n = 0;
  for (let r = from; r < to; r++) {
    const v = values[r] ?? NaN;
    if (Number.isFinite(v)) {
      sum += v;
      n++;
    }
  }
  return n > 0 ? sum / n : NaN;
}

/** Mean IC, rank IC, long-short return and hit rate of each split's rows. */
export function summariseSplits(scores: FoldScores, layout: CpcvScoringLayout): SplitSummary[] {
  const out: SplitSummary[] = [];
  for (let s = 0; s + 1 < layout.splitStart.length; s++) {
    const from = layout.splitStart[s] ?? 0;
    const to = layout.splitStart[s + 1] ?? from;
    out.push({
      split: s,
      rows: to - from,
      meanIc: meanOver(scores.ic, from, to),
      meanRankIc: meanOver(scores.rankIc, from, to),
      meanLongShort: meanOver(scores.longShort, from, to),
      meanHitRate: meanOver(scores.hitRate, from, to),
    });
  }
  return out;
}
