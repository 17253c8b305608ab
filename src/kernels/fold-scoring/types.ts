/**
 * Fold scoring: out-of-fold prediction rows scored against their dates' outcomes (assembly/validate/fold-scoring.ts
 * defines every statistic). Shared by the WebAssembly engine and its TypeScript twin.
 */

export interface FoldScoringInput {
  /** Names per cross-section (columns of both panels). */
  readonly names: number;
  /** rows × names predictions, row-major; NaN where a name has no prediction. */
  readonly predictions: Float64Array;
  /** dates × names outcomes (e.g. next-period returns), row-major; NaN where a name is absent that date. */
  readonly outcomes: Float64Array;
  /** The date (row of `outcomes`) of each prediction row. */
  readonly rowDate: Int32Array;
  /** The backtest path of each prediction row. */
  readonly rowPath: Int32Array;
  /** Number of paths (path ids run 0..paths-1). */
  readonly paths: number;
  /** Quantiles for the long-short return (default 5: top fifth minus bottom fifth). */
  readonly quantiles?: number;
  /** Periods per year that annualise the path Sharpe ratios (default 252). */
  readonly periodsPerYear?: number;
}

export interface FoldScores {
  /** Per row: Pearson correlation of prediction and outcome. */
  readonly ic: Float64Array;
  /** Per row: correlation of average ranks (Spearman). */
  readonly rankIc: Float64Array;
  /** Per row: mean outcome of the top prediction quantile minus the bottom one. */
  readonly longShort: Float64Array;
  /** Per row: share of names whose prediction and outcome share a sign (among non-zero pairs). */
  readonly hitRate: Float64Array;
  /** Per row: names with both a finite prediction and a finite outcome. */
  readonly validNames: Int32Array;
  /** Per path: annualised Sharpe ratio of its rows' long-short returns. */
  readonly pathSharpe: Float64Array;
  /** Per path: mean and sample standard deviation (per period) of those returns, and how many there were. */
  readonly pathMean: Float64Array;
  readonly pathStd: Float64Array;
  readonly pathCount: Int32Array;
}

export const DEFAULT_QUANTILES = 5;
export const DEFAULT_PERIODS_PER_YEAR = 252;

/** The kernel's status codes by code (assembly/validate/fold-scoring.ts), and what each means. */
export const FOLD_SCORING_STATUS_NAMES = ["ok", "bad_shape", "bad_row_date", "bad_row_path"] as const;
export type FoldScoringStatusName = (typeof FOLD_SCORING_STATUS_NAMES)[number];
export const FOLD_SCORING_STATUS: Readonly<Record<FoldScoringStatusName, string>> = {
  ok: "ok",
  bad_shape: "bad shape: names, dates and paths must be >= 1, quantiles >= 2 and periodsPerYear > 0",
  bad_row_date: "a row's date is outside the outcome panel",
  bad_row_path: "a row's path is outside 0..paths-1",
};
export interface FoldScorer {
  readonly engine: "wasm" | "ts";
  score(input: FoldScoringInput): FoldScores;
}
