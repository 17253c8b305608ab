/**
 * One training cycle's computation, without I/O to MLflow: CPCV of every candidate on the dataset, the
 * out-of-fold backtest of each (costs and borrow), the selection of the best by net Sharpe, calibration, the
 * gates, and the selected candidate refitted on every row. The caller (./trainer-run.ts) builds the dataset
 * before and logs and registers after.
 */
import { createHash } from "node:crypto";
import { isCrossSectionTraining, type OptionsVolTrainingConfig, type TrainingConfig } from "../config/schemas/training.ts";
import { simulateEquitiesBacktest, type BacktestResult, type BorrowFees } from "../backtest/equities/index.ts";
import { DataError } from "../domain/errors.ts";
import type { FoldScorer } from "../kernels/fold-scoring/types.ts";
import type { LearnKernels, LearnModel } from "../kernels/learn/index.ts";
import { calibrationReport, type CalibrationReport } from "../validate/calibration.ts";
import { crossValidate, fitCandidate, type Candidate, type CrossValidation } from "./cross-validate.ts";
import type { Dataset } from "./dataset.ts";
import { modelPanel } from "./model-features.ts";
import { crossFittedProbabilities, fitProbabilityMap, type ProbabilityMap } from "./probability-map.ts";
import { computeGates, type GateValues, type Trial } from "./training-gates.ts";

export interface CandidateResult {
  readonly candidate: Candidate;
  readonly trialHash: string;
  readonly backtest: BacktestResult;
  readonly meanRankIc: number;
  readonly pathSharpe: readonly number[];
  readonly meanBestIteration: number | undefined;
}

export interface TrainingOutcome {
  readonly cv: CrossValidation;
  readonly candidates: readonly CandidateResult[];
  readonly selected: CandidateResult;
  readonly selectedOof: Float64Array;
  readonly calibration: CalibrationReport;
  readonly probabilityMap: ProbabilityMap;
  readonly gates: GateValues;
  readonly model: LearnModel;
}

export interface TrainModelInput {
  readonly dataset: Dataset;
  readonly config: TrainingConfig | OptionsVolTrainingConfig;
  readonly kernels: LearnKernels;
  readonly scorer: FoldScorer;
  readonly borrow: BorrowFees;
  /** Trials of this model recorded by earlier runs (MLflow). */
  readonly earlierTrials: readonly Trial[];
  readonly progress?: (line: string) => void;
}

/** A trial is a configuration: the candidate with everything that shapes its out-of-fold returns. */
export function trialHash(candidate: Candidate, config: Pick<TrainingConfig | OptionsVolTrainingConfig, "dataset" | "cpcv" | "time_decay" | "backtest">): string {
  const text = JSON.stringify({ candidate, dataset: config.dataset, cpcv: config.cpcv, time_decay: config.time_decay, backtest: config.backtest });
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

function advColumn(dataset: Dataset): Float64Array {
  const index = dataset.featureNames.indexOf("log_adv_20");
  const column = dataset.features[index];
  return column === undefined ? new Float64Array(dataset.label.length).fill(Number.NaN) : Float64Array.from(column, (v) => Math.exp(v));
}

function meanFinite(values: ArrayLike<number>): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? Number.NaN;
    if (Number.isFinite(v)) {
      sum += v;
      n++;
    }
  }
  return n === 0 ? Number.NaN : sum / n;
}

export function trainModel(input: TrainModelInput): TrainingOutcome {
  const { dataset, config, kernels } = input;
  const progress = input.progress ?? (() => undefined);
  if (isCrossSectionTraining(config) && config.dataset.horizon_days !== 1) {
    throw new DataError("backtest_horizon", `the equities backtester rebalances daily and needs dataset.horizon_days: 1 (got ${config.dataset.horizon_days})`);
  }
  const panel = modelPanel(dataset);
  const cv = crossValidate(dataset, panel, config, kernels, input.scorer, {
    onSplit: (name, split, splits) => {
      if (split === 0 || (split + 1) % 10 === 0) progress(`  cpcv ${name}: split ${split + 1}/${splits}`);
    },
  });
  const adv = advColumn(dataset);
  const candidates = cv.candidates.map((result): CandidateResult => {
    const backtest = simulateEquitiesBacktest(
      { dates: dataset.dates, group: dataset.group, names: dataset.names, score: result.oof, forwardReturn: dataset.backtestReturn ?? dataset.target, adv, exitDates: dataset.labelEndDates },
      config.backtest,
      input.borrow,
      config.scoring.periods_per_year,
    );
    return {
      candidate: result.candidate,
      trialHash: trialHash(result.candidate, config),
      backtest,
      meanRankIc: meanFinite(result.scores.rankIc),
      pathSharpe: Array.from(result.scores.pathSharpe),
      meanBestIteration: result.meanBestIteration,
    };
  });
  const score = (c: CandidateResult): number => (Number.isFinite(c.backtest.summary.netSharpe) ? c.backtest.summary.netSharpe : Number.NEGATIVE_INFINITY);
  const selected = candidates.reduce((best, c) => (score(c) > score(best) ? c : best));
  const selectedIndex = candidates.indexOf(selected);
  const selectedOof = cv.candidates[selectedIndex]?.oof ?? new Float64Array(0);

  // Calibration of P(forward return > 0), cross-fitted by halves of the dates.
  const positive = Float64Array.from(dataset.target, (r) => (r > 0 ? 1 : 0));
  const forecasts = crossFittedProbabilities(selectedOof, positive, dataset.group, dataset.dates.length);
  const y: number[] = [];
  const p: number[] = [];
  forecasts.forEach((value, row) => {
    if (Number.isFinite(value)) {
      y.push(positive[row] ?? 0);
      p.push(value);
    }
  });
  if (y.length === 0) throw new DataError("too_few_samples", "no out-of-fold prediction could be calibrated");
  const calibration = calibrationReport(y, p, 10);
  const probabilityMap = fitProbabilityMap(selectedOof, positive);

  // Gates: PBO over the candidates' daily net returns (one column each; every candidate trades the same dates).
  const candidateReturns = candidates.map((c) => c.backtest.days.map((d) => d.net));
  const gates = computeGates(
    {
      netReturns: selected.backtest.days.map((d) => d.net),
      netSharpe: selected.backtest.summary.netSharpe,
      trials: [...input.earlierTrials, ...candidates.map((c) => ({ hash: c.trialHash, sharpe: c.backtest.summary.netSharpe }))],
      candidateReturns,
      ece: calibration.ece,
    },
    config.promotion_bars,
    config.scoring.periods_per_year,
  );

  progress(`  refitting ${selected.candidate.name} on all ${dataset.label.length} rows`);
  const allRows = Array.from({ length: dataset.label.length }, (_, i) => i);
  const model = fitCandidate(kernels, panel, selected.candidate, allRows, config.cpcv.purge_days);
  return { cv, candidates, selected, selectedOof, calibration, probabilityMap, gates, model };
}
