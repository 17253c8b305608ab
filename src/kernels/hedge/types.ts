/**
 * Typed inputs and outputs of the hedging kernel (docs/kernels.md, "Hedging kernel"). Conventions as every kernel
 * (DESIGN, "Kernel ABI"): times in years (ACT/365) on one axis shared by the steps and the legs' expiries,
 * continuously compounded rates and dividend yields, vol as a decimal; borrow in basis points per year.
 */
import type { HedgeStatusName } from "./layout.ts";

/**
 * A per-step input: one number for every path and step; `perStep` (nSteps values, the same on every path: a time
 * grid, a rate curve); `perPath` (nPaths values, constant along each path: a borrow tier); or `perPathStep`
 * (nPaths x nSteps values, path-major: path p's step k at p * nSteps + k).
 */
export type StepSeries =
  | number
  | { readonly perStep: ArrayLike<number> }
  | { readonly perPath: ArrayLike<number> }
  | { readonly perPathStep: ArrayLike<number> };

/** A per-leg, per-step input: one StepSeries for every leg, or one per leg (`perLeg`, nLegs of them). */
export type LegSeries = StepSeries | { readonly perLeg: readonly StepSeries[] };

/**
 * The book as struct-of-arrays columns, nLegs values each (one book for every path), or nPaths x nLegs values
 * (path-major, path p's leg l at p * nLegs + l) with `perPath: true`. A leg with quantity 0 is no leg (padding a
 * path's book to nLegs).
 */
export interface HedgeBook {
  readonly strike: ArrayLike<number>;
  /** Expiry on the steps' time axis (years). A leg at or past expiry settles at its intrinsic value. */
  readonly expiry: ArrayLike<number>;
  readonly isCall: ArrayLike<boolean | number>;
  /** Signed units of the underlier per leg (contracts x multiplier): negative is short. */
  readonly quantity: ArrayLike<number>;
  /** Price paid per unit at entry; NaN or absent: the entry step's mark. */
  readonly entryPrice?: ArrayLike<number>;
  /** Step at which the leg is entered (default 0). */
  readonly entryStep?: ArrayLike<number>;
  /** Step at which the leg is sold at its mark; -1 or absent: held to expiry (or the end, see close_at_end). */
  readonly exitStep?: ArrayLike<number>;
  readonly perPath?: boolean;
}

/** One leg, for `bookFromLegs`. */
export interface HedgeLeg {
  readonly strike: number;
  readonly expiry: number;
  readonly type: "call" | "put";
  readonly quantity: number;
  readonly entryPrice?: number;
  readonly entryStep?: number;
  readonly exitStep?: number;
}

export interface HedgeInput {
  readonly paths: number;
  readonly steps: number;
  readonly book: HedgeBook;
  /** Underlier price at each step (> 0). */
  readonly spot: StepSeries;
  /** Step times (years), non-decreasing along a path. */
  readonly time: StepSeries;
  /** Continuously compounded rate: the pricer's and the cash account's. */
  readonly rate: StepSeries;
  /** Continuous dividend yield: the pricer's and the one the shares held earn (default 0). */
  readonly div?: StepSeries;
  /** Borrow fee on short stock, basis points per year (the symbol's tier; default 0). */
  readonly borrowBps?: StepSeries;
  /**
   * Each leg's vol at each step: the vol its mark is priced with, or, when `mark` is given, the vol of its Greeks
   * (vega attribution uses its changes). Ignored for a leg at or past expiry.
   */
  readonly vol: LegSeries;
  /** Mark prices per leg and step (e.g. from a surface); absent: marks are priced from `vol`. */
  readonly mark?: LegSeries;
  /** Option cost per unit traded (currency) at each entry and exit (default 0). */
  readonly halfSpread?: LegSeries;
}

export interface HedgeRunOptions {
  /** Return the per-step columns (default true); false returns the per-path totals only (no nPaths x nSteps arrays). */
  readonly steps?: boolean;
  /**
   * An earlier result of the same shape whose arrays are written over instead of allocating new ones (at 10,000 x
   * 252 steps the 15 step columns are 300 MB, and first-touching fresh memory costs about as much as copying it).
   */
  readonly out?: HedgeResult;
}

/**
 * Per path and step (path-major, nPaths x nSteps). pnl = delta + gamma + vega + theta + residual + financing +
 * borrow + stockCost + optionCost; every one of those is a PnL contribution (costs and borrow <= 0). A row whose
 * status is a failure (invalid_input and above) has NaN numbers.
 */
export interface HedgeStepColumns {
  readonly pnl: Float64Array;
  /** (book delta + hedge) at the previous step x spot change. */
  readonly delta: Float64Array;
  /** 1/2 book gamma at the previous step x spot change squared. */
  readonly gamma: Float64Array;
  /** Sum over legs of quantity x vega at the previous step x vol change. */
  readonly vega: Float64Array;
  /** Book theta at the previous step x time step. */
  readonly theta: Float64Array;
  /** Interest on the cash account and the dividend yield on the shares held. */
  readonly financing: Float64Array;
  readonly borrow: Float64Array;
  readonly stockCost: Float64Array;
  readonly optionCost: Float64Array;
  /** Mark-to-market not explained by the four Greeks (higher orders, rate moves, expiry jumps, entry edge). */
  readonly residual: Float64Array;
  /** Shares held after the step's rebalance. */
  readonly hedge: Float64Array;
  readonly cash: Float64Array;
  /** Sum of quantity x mark over the legs held after the step. */
  readonly bookValue: Float64Array;
  /** Sum of quantity x delta over the legs held after the step. */
  readonly bookDelta: Float64Array;
  readonly status: Int32Array;
}

/** Per path (nPaths): sums of the step columns, hedge turnover, status. A failed path's numbers are NaN. */
export interface HedgePathTotals {
  readonly pnl: Float64Array;
  readonly delta: Float64Array;
  readonly gamma: Float64Array;
  readonly vega: Float64Array;
  readonly theta: Float64Array;
  readonly financing: Float64Array;
  readonly borrow: Float64Array;
  readonly stockCost: Float64Array;
  readonly optionCost: Float64Array;
  readonly residual: Float64Array;
  /** Sum of |shares| traded by the hedge. */
  readonly sharesTraded: Float64Array;
  /** Sum of |shares| x spot traded by the hedge. */
  readonly notionalTraded: Float64Array;
  /** Steps with a hedge trade (counted up to a failure). */
  readonly rebalances: Int32Array;
  readonly status: Int32Array;
  /** The step that failed, -1 when none (also for an invalid or empty book, which fails every step). */
  readonly failedStep: Int32Array;
}

export interface HedgeResult {
  readonly paths: number;
  readonly steps: number;
  readonly legs: number;
  /** Absent when run with `steps: false`. */
  readonly perStep: HedgeStepColumns | undefined;
  readonly totals: HedgePathTotals;
  /** Paths whose status is a failure (their numbers are NaN). */
  readonly failed: number;
  /** Paths that carried a leg at a stale mark on some step (numbers valid, flagged). */
  readonly carried: number;
}

export type { HedgeStatusName };
