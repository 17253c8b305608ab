/**
 * CPCV training of every candidate: for each combinatorial purged split (validate/panel-cpcv.ts over the panel's
 * dates, purge and embargo in sessions, label-horizon purging), fit on the training dates and predict the test
 * dates. A GBDT stops early on an inner holdout carved from the split's own training dates (its latest
 * `valid_share`, with `purge_days` sessions dropped between), never on a test fold. The out-of-fold predictions
 * are scored per split and path in one WebAssembly call (createFoldScorer) and averaged per row (a row is tested in
 * C(k−1, p−1) splits) for the backtest, the gates and calibration.
 */
import type { TrainingConfig } from "../config/schemas/training.ts";
import { DataError } from "../domain/errors.ts";
import type { FoldScorer, FoldScores } from "../kernels/fold-scoring/types.ts";
import type { LearnKernels, LearnModel, LearnPanel } from "../kernels/learn/index.ts";
import { cpcvScoringLayout, type CpcvScoringLayout } from "../validate/fold-scoring.ts";
import { panelCpcv, type PanelCpcv } from "../validate/panel-cpcv.ts";
import type { Dataset } from "./dataset.ts";

export type Candidate = TrainingConfig["candidates"][number];

export interface CandidateOof {
  readonly candidate: Candidate;
  /** Mean out-of-fold prediction of each row (NaN when no split tested it). */
  readonly oof: Float64Array;
  readonly scores: FoldScores;
  /** Mean over splits of the GBDT's best iteration (undefined for ridge). */
  readonly meanBestIteration: number | undefined;
}

export interface CrossValidation {
  readonly cv: PanelCpcv;
  readonly layout: CpcvScoringLayout;
  readonly candidates: readonly CandidateOof[];
}

export interface CrossValidateOptions {
  readonly onSplit?: (candidate: string, split: number, splits: number) => void;
}

/** Refuses panels too small for the folds before skfolio's terser check does (purge + embargo < floor(n/k) − 1). */
export function checkFoldSizes(dates: number, cpcv: TrainingConfig["cpcv"]): void {
  const perFold = Math.floor(dates / cpcv.folds);
  const needed = cpcv.purge_days + cpcv.embargo_days + 2;
  if (perFold < needed) {
    throw new DataError(
      "too_few_samples",
      `the panel has ${dates} dates: ${cpcv.folds} folds give ${perFold} dates per fold, but purge_days ${cpcv.purge_days} + embargo_days ${cpcv.embargo_days} need at least ${needed} (at least ${needed * cpcv.folds} dates); collect more history or lower cpcv.folds`,
      { details: { dates, folds: cpcv.folds } },
    );
  }
}

/** The inner holdout of one split's training rows: its latest dates, with a purge gap before them. */
export function innerHoldout(trainRows: readonly number[], group: ArrayLike<number>, share: number, gap: number): { train: number[]; valid: number[] } {
  const dates = [...new Set(trainRows.map((row) => group[row] ?? 0))].sort((a, b) => a - b);
  const validCount = Math.max(1, Math.round(dates.length * share));
  const validFrom = dates[dates.length - validCount] ?? Number.POSITIVE_INFINITY;
  const fitBefore = dates[Math.max(0, dates.length - validCount - gap)] ?? validFrom;
  const train: number[] = [];
  const valid: number[] = [];
  for (const row of trainRows) {
    const d = group[row] ?? 0;
    if (d >= validFrom) valid.push(row);
    else if (d < fitBefore) train.push(row);
  }
  return { train, valid };
}

export function fitCandidate(kernels: LearnKernels, panel: LearnPanel, candidate: Candidate, trainRows: readonly number[], gap: number): LearnModel {
  if (candidate.kind === "ridge") return kernels.fitRidge(panel, { train: trainRows }, candidate.params);
  const group = panel.group ?? [];
  const split = candidate.params.early_stopping_rounds > 0 ? innerHoldout(trainRows, group, candidate.valid_share, gap) : { train: [...trainRows], valid: [] };
  if (split.train.length === 0) throw new DataError("too_few_samples", `candidate ${candidate.name}: no training rows left after the inner holdout`);
  return kernels.fitGbdt(panel, split, candidate.params);
}

export function crossValidate(
  dataset: Dataset,
  panel: LearnPanel,
  config: Pick<TrainingConfig, "cpcv" | "candidates" | "scoring">,
  kernels: LearnKernels,
  scorer: FoldScorer,
  options: CrossValidateOptions = {},
): CrossValidation {
  checkFoldSizes(dataset.dates.length, config.cpcv);
  const cv = panelCpcv(
    { rowDates: dataset.rowDates, ...(config.cpcv.purge_label_horizon ? { labelEndDates: dataset.labelEndDates } : {}) },
    { folds: config.cpcv.folds, testFolds: config.cpcv.test_folds, purge: config.cpcv.purge_days, embargo: config.cpcv.embargo_days },
  );
  const layout = cpcvScoringLayout(cv.byDate);
  const symbols = [...new Set(dataset.names)].sort();
  const nameIndex = new Map(symbols.map((s, i) => [s, i]));
  const names = symbols.length;
  const outcomes = new Float64Array(dataset.dates.length * names).fill(Number.NaN);
  dataset.names.forEach((symbol, row) => {
    outcomes[(dataset.group[row] ?? 0) * names + (nameIndex.get(symbol) ?? 0)] = dataset.target[row] ?? Number.NaN;
  });
  const n = dataset.label.length;
  const candidates = config.candidates.map((candidate) => {
    const sum = new Float64Array(n);
    const count = new Int32Array(n);
    const predictions = new Float64Array((layout.splitStart[cv.splits.length] ?? 0) * names).fill(Number.NaN);
    let bestIterations = 0;
    cv.splits.forEach((split, s) => {
      options.onSplit?.(candidate.name, s, cv.splits.length);
      const model = fitCandidate(kernels, panel, candidate, split.trainRows, config.cpcv.purge_days);
      if (model.kind === "gbdt") bestIterations += model.training.bestIteration ?? model.training.iterations;
      const testRows = split.testRows.flat();
      const predicted = kernels.predict(model, panel, testRows);
      // Layout rows of split s: its test dates in order; map each date to its layout row.
      const layoutRowOfDate = new Map<number, number>();
      for (let r = layout.splitStart[s] ?? 0; r < (layout.splitStart[s + 1] ?? 0); r++) layoutRowOfDate.set(layout.rowDate[r] ?? 0, r);
      testRows.forEach((row, k) => {
        const p = predicted[k] ?? Number.NaN;
        sum[row] = (sum[row] ?? 0) + p;
        count[row] = (count[row] ?? 0) + 1;
        const layoutRow = layoutRowOfDate.get(dataset.group[row] ?? 0);
        if (layoutRow !== undefined) predictions[layoutRow * names + (nameIndex.get(dataset.names[row] ?? "") ?? 0)] = p;
      });
    });
    const oof = Float64Array.from(sum, (v, i) => ((count[i] ?? 0) > 0 ? v / (count[i] ?? 1) : Number.NaN));
    const scores = scorer.score({
      names, predictions, outcomes, rowDate: layout.rowDate, rowPath: layout.rowPath, paths: layout.paths,
      quantiles: config.scoring.quantiles, periodsPerYear: config.scoring.periods_per_year,
    });
    return { candidate, oof, scores, meanBestIteration: candidate.kind === "gbdt" ? bestIterations / cv.splits.length : undefined };
  });
  return { cv, layout, candidates };
}
