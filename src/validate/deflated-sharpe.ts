/**
 * The probabilistic and the deflated Sharpe ratio (Bailey & López de Prado, "The Deflated Sharpe Ratio: Correcting
 * for Selection Bias, Backtest Overfitting and Non-Normality", Journal of Portfolio Management 40(5), 2014):
 * - PSR(SR*) = Φ((SR − SR*)·√(T − 1) / √(1 − γ₃·SR + (γ₄ − 1)/4·SR²)), eq. (2), with SR per period, γ₃ the
 *   skewness and γ₄ the (non-excess) kurtosis of the returns;
 * - SR₀ = √V[SR_n]·((1 − γ)·Φ⁻¹(1 − 1/N) + γ·Φ⁻¹(1 − 1/(N·e))), the expected maximum Sharpe ratio of N trials
 *   under the null of no skill (γ the Euler–Mascheroni constant), eq. (3);
 * - DSR = PSR(SR₀).
 * The paper's worked example (SR 2.5 a year over 1,250 daily returns, 100 trials, skew −3, kurtosis 10, variance of
 * the trials' annualised SR 0.5) gives DSR 0.9004 with 250 returns a year and 0.8997 with 252.
 */
import { UsageError } from "../domain/errors.ts";
import { normCdf, normInv } from "../kernels/ts/normal.ts";

/** The Euler–Mascheroni constant γ. */
const EULER_GAMMA = 0.5772156649015329;

export interface PsrInput {
  /** Observed Sharpe ratio, per period. */
  readonly sharpe: number;
  /** Number of returns T. */
  readonly periods: number;
  /** Skewness γ₃ of the returns. */
  readonly skew: number;
  /** Kurtosis γ₄ of the returns (non-excess: 3 for a normal distribution). */
  readonly kurtosis: number;
  /** The benchmark Sharpe ratio SR*, per period (default 0). */
  readonly benchmark?: number;
}

export interface DsrInput {
  /** Observed Sharpe ratio, annualised. */
  readonly sharpe: number;
  /** Number of returns T. */
  readonly periods: number;
  /** Number of independent trials N (at least 2: the best of one trial is no selection). */
  readonly trials: number;
  readonly skew: number;
  /** Non-excess kurtosis. */
  readonly kurtosis: number;
  /** Variance of the trials' annualised Sharpe ratios V[SR_n]. */
  readonly trialsSharpeVar: number;
  /** Returns per year that annualise the inputs (1 when they are per period already). */
  readonly periodsPerYear: number;
}

export interface DsrResult {
  /** The deflated Sharpe ratio: the probability that the true Sharpe ratio exceeds SR₀. */
  readonly dsr: number;
  /** Expected maximum Sharpe ratio of the trials under the null, per period. */
  readonly sr0: number;
  /** SR₀ annualised (× √periodsPerYear). */
  readonly sr0Annualised: number;
  /** The observed Sharpe ratio per period. */
  readonly sharpePerPeriod: number;
  /** The standardised statistic inside Φ. */
  readonly z: number;
}

function finite(name: string, value: number): number {
  if (!Number.isFinite(value)) throw new UsageError("dsr_bad_input", `${name} must be a finite number, not ${value}`);
  return value;
}

function psrStatistic(input: PsrInput): number {
  const sr = finite("sharpe", input.sharpe);
  const periods = finite("periods", input.periods);
  if (periods < 2) throw new UsageError("dsr_bad_input", `periods must be at least 2, not ${periods}`);
  const skew = finite("skew", input.skew);
  const kurtosis = finite("kurtosis", input.kurtosis);
  const benchmark = finite("benchmark", input.benchmark ?? 0);
  const variance = 1 - skew * sr + ((kurtosis - 1) / 4) * sr * sr;
  if (!(variance > 0)) {
    throw new UsageError(
      "dsr_bad_moments",
      `1 - skew*SR + (kurtosis-1)/4*SR^2 = ${variance} is not positive: skew ${skew} and kurtosis ${kurtosis} are inconsistent (kurtosis is the non-excess one, 3 for normal returns)`,
    );
  }
  return ((sr - benchmark) * Math.sqrt(periods - 1)) / Math.sqrt(variance);
}

/** PSR(SR*): the probability that the true Sharpe ratio exceeds the benchmark, all per period. */
export function probabilisticSharpe(input: PsrInput): number {
  return normCdf(psrStatistic(input));
}

/** SR₀ of N trials whose Sharpe ratios have variance `trialsSharpeVar` (both in the same units). */
export function expectedMaxSharpe(trials: number, trialsSharpeVar: number): number {
  if (!Number.isSafeInteger(trials) || trials < 2) throw new UsageError("dsr_bad_trials", `trials must be an integer >= 2, not ${trials}`);
  if (!(trialsSharpeVar >= 0) || !Number.isFinite(trialsSharpeVar)) {
    throw new UsageError("dsr_bad_input", `the variance of the trials' Sharpe ratios must be finite and >= 0, not ${trialsSharpeVar}`);
  }
  return Math.sqrt(trialsSharpeVar) * ((1 - EULER_GAMMA) * normInv(1 - 1 / trials) + EULER_GAMMA * normInv(1 - 1 / (trials * Math.E)));
}

/** The deflated Sharpe ratio from annualised inputs. */
export function deflatedSharpe(input: DsrInput): DsrResult {
  const perYear = finite("periodsPerYear", input.periodsPerYear);
  if (!(perYear > 0)) throw new UsageError("dsr_bad_input", `periodsPerYear must be > 0, not ${perYear}`);
  const root = Math.sqrt(perYear);
  const sharpePerPeriod = finite("sharpe", input.sharpe) / root;
  const sr0 = expectedMaxSharpe(input.trials, finite("trialsSharpeVar", input.trialsSharpeVar) / perYear);
  const z = psrStatistic({ sharpe: sharpePerPeriod, periods: input.periods, skew: input.skew, kurtosis: input.kurtosis, benchmark: sr0 });
  return { dsr: normCdf(z), sr0, sr0Annualised: sr0 * root, sharpePerPeriod, z };
}
