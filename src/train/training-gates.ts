/**
 * The promotion gates of a trained model (configs/training/<model>.yml `promotion_bars`), from its CPCV
 * out-of-fold predictions through the validation toolkit:
 *  - net_sharpe: the annualised Sharpe ratio of the equities backtest of the out-of-fold predictions, after costs
 *    and borrow;
 *  - dsr: the deflated Sharpe ratio of those daily net returns over every trial of this model in the MLflow
 *    experiment (each candidate of each run, distinct by configuration) — the selection the DSR corrects for;
 *  - pbo: the probability of backtest overfitting by CSCV over this run's candidates' daily net returns;
 *  - calibration: the expected calibration error of P(forward return > 0), a monotone map of the score,
 *    cross-fitted on the out-of-fold predictions (./probability-map.ts).
 * A value that cannot be computed (fewer than two trials, too few days) is null and fails its check.
 */
import type { TrainingConfig } from "../config/schemas/training.ts";
import type { GateCheck } from "../mlflow/promotion/gates.ts";
import { deflatedSharpe } from "../validate/deflated-sharpe.ts";
import { moments } from "../validate/numeric.ts";
import { probabilityOfBacktestOverfitting } from "../validate/pbo.ts";

export interface Trial {
  /** Hash of the candidate's configuration and dataset settings: the same configuration counts once. */
  readonly hash: string;
  /** Annualised net Sharpe ratio of its out-of-fold backtest. */
  readonly sharpe: number;
}

export interface GateInputs {
  /** Daily net returns of the selected candidate's out-of-fold backtest. */
  readonly netReturns: readonly number[];
  readonly netSharpe: number;
  /** Every trial of this model: earlier runs' and this run's. */
  readonly trials: readonly Trial[];
  /** Daily net returns of each of this run's candidates on common dates (columns), for PBO. */
  readonly candidateReturns: readonly (readonly number[])[];
  /** Cross-fitted expected calibration error. */
  readonly ece: number;
}

export interface GateValues {
  readonly checks: readonly GateCheck[];
  readonly trials: number;
  readonly trialsSharpeVar: number;
  readonly dsr: number | null;
  readonly pbo: number | null;
  readonly pboSplits: number | null;
}

function check(name: string, value: number | null, bar: number, direction: "min" | "max"): GateCheck {
  const usable = value !== null && Number.isFinite(value);
  const passed = usable && (direction === "min" ? value >= bar : value <= bar);
  return { name, value: usable ? value : null, bar, direction, passed };
}

/** The largest even number of CSCV blocks (at most 16) that leaves every block 2 rows or more. */
export function pboSplitsFor(rows: number): number | null {
  const s = Math.min(16, Math.floor(rows / 2));
  const even = s - (s % 2);
  return even >= 2 ? even : null;
}

export function distinctTrials(trials: readonly Trial[]): Trial[] {
  const byHash = new Map<string, Trial>();
  for (const trial of trials) if (Number.isFinite(trial.sharpe)) byHash.set(trial.hash, trial);
  return [...byHash.values()];
}

export function computeGates(inputs: GateInputs, bars: TrainingConfig["promotion_bars"], periodsPerYear: number): GateValues {
  const trials = distinctTrials(inputs.trials);
  const sharpes = trials.map((t) => t.sharpe);
  const meanSharpe = sharpes.reduce((s, v) => s + v, 0) / Math.max(1, sharpes.length);
  const trialsSharpeVar = sharpes.length < 2 ? Number.NaN : sharpes.reduce((s, v) => s + (v - meanSharpe) ** 2, 0) / (sharpes.length - 1);
  const { skew, kurtosis } = moments(inputs.netReturns);
  let dsr: number | null = null;
  if (trials.length >= 2 && Number.isFinite(inputs.netSharpe) && Number.isFinite(skew) && inputs.netReturns.length >= 2) {
    dsr = deflatedSharpe({
      sharpe: inputs.netSharpe, periods: inputs.netReturns.length, trials: trials.length, skew, kurtosis,
      trialsSharpeVar: Number.isFinite(trialsSharpeVar) ? trialsSharpeVar : 0, periodsPerYear,
    }).dsr;
  }
  const cols = inputs.candidateReturns.length;
  const rows = inputs.candidateReturns[0]?.length ?? 0;
  const pboSplits = pboSplitsFor(rows);
  let pbo: number | null = null;
  if (cols >= 2 && pboSplits !== null) {
    const values = new Float64Array(rows * cols);
    inputs.candidateReturns.forEach((column, c) => column.forEach((v, r) => { values[r * cols + c] = v; }));
    pbo = probabilityOfBacktestOverfitting({ values, rows, cols }, { splits: pboSplits }).pbo;
  }
  return {
    checks: [
      check("net_sharpe", inputs.netSharpe, bars.net_sharpe_min, "min"),
      check("dsr", dsr, bars.dsr_min, "min"),
      check("pbo", pbo, bars.pbo_max, "max"),
      check("calibration_ece", inputs.ece, bars.calibration_ece_max, "max"),
    ],
    trials: trials.length,
    trialsSharpeVar,
    dsr,
    pbo,
    pboSplits,
  };
}
