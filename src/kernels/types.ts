/**
 * The typed shapes of the option kernels, shared by the WASM engine and the TS engine (the same kernels in JS).
 * Conventions (DESIGN, "Kernel ABI"): T in years (ACT/365), continuously compounded rate and dividend yield,
 * vol as a decimal; vega per 1.00 of vol, theta per year of calendar time (-dV/dT), rho per 1.00 of rate,
 * charm = d(delta)/dt per year, vanna = d(delta)/d(vol), volga = d(vega)/d(vol).
 */

/** A numeric input column: one value per option, or a single number broadcast to every option. */
export type Column = number | ArrayLike<number>;
/** Call (true / non-zero) or put (false / 0) per option, or one flag for all. */
export type FlagColumn = boolean | ArrayLike<boolean | number>;

// Batches are type aliases (not interfaces) so they are assignable to a record of columns.
export type BsmBatch = {
  readonly spot: Column;
  readonly strike: Column;
  readonly t: Column;
  readonly rate: Column;
  readonly div: Column;
  readonly vol: Column;
  readonly isCall: FlagColumn;
};

export type IvBatch = {
  readonly price: Column;
  readonly spot: Column;
  readonly strike: Column;
  readonly t: Column;
  readonly rate: Column;
  readonly div: Column;
  readonly isCall: FlagColumn;
};

/**
 * Per-row outcome of `bsm`: 0 ok; 1 invalid input; 2 out of range (valid inputs whose result does not fit a
 * double, e.g. a discount factor e^{-rT} beyond 1.8e308). Every number of a row that is not ok is NaN.
 */
export const BSM_STATUS = { ok: 0, invalidInput: 1, outOfRange: 2 } as const;
export const BSM_STATUS_NAMES = ["ok", "invalid_input", "out_of_range"] as const;
export type BsmStatusName = (typeof BSM_STATUS_NAMES)[number];

/** Per-row outcome of `impliedVol`; every row but `ok` has vol NaN. */
export const IV_STATUS = { ok: 0, belowIntrinsic: 1, aboveMaximum: 2, noConvergence: 3, invalidInput: 4 } as const;
export const IV_STATUS_NAMES = ["ok", "below_intrinsic", "above_maximum", "no_convergence", "invalid_input"] as const;
export type IvStatusName = (typeof IV_STATUS_NAMES)[number];

export interface BsmPrices {
  readonly length: number;
  readonly price: Float64Array;
  readonly status: Int32Array;
  /** Rows whose status is not ok. */
  readonly invalid: number;
}

export interface BsmResult extends BsmPrices {
  readonly delta: Float64Array;
  readonly gamma: Float64Array;
  readonly vega: Float64Array;
  readonly theta: Float64Array;
  readonly rho: Float64Array;
  readonly vanna: Float64Array;
  readonly volga: Float64Array;
  readonly charm: Float64Array;
}

export interface IvResult {
  readonly length: number;
  readonly vol: Float64Array;
  readonly status: Int32Array;
  /** Rows whose status is not ok. */
  readonly failed: number;
}

export type OptionType = "call" | "put";

/** One option, for the object-per-option convenience API. */
export interface OptionSpec {
  readonly spot: number;
  readonly strike: number;
  readonly t: number;
  readonly rate: number;
  readonly div: number;
  readonly vol: number;
  readonly type: OptionType;
}

export interface OptionQuote {
  readonly price: number;
  readonly spot: number;
  readonly strike: number;
  readonly t: number;
  readonly rate: number;
  readonly div: number;
  readonly type: OptionType;
}

export interface OptionGreeks {
  readonly price: number;
  readonly delta: number;
  readonly gamma: number;
  readonly vega: number;
  readonly theta: number;
  readonly rho: number;
  readonly vanna: number;
  readonly volga: number;
  readonly charm: number;
  readonly status: BsmStatusName;
}

export interface ImpliedVolOutcome {
  readonly vol: number;
  readonly status: IvStatusName;
}

/**
 * What an engine computes: the same signatures on WASM and on pure TypeScript. `out`, when given, is an earlier
 * result of the same length whose arrays are overwritten and returned again instead of allocating new ones:
 * for repeated large batches that saves most of the cost outside the kernel (fresh arrays of a million rows are
 * paid for in page faults, about 3 ns per row and column on Linux; see bench/RESULTS.md).
 */
export interface OptionEngine {
  bsm(batch: BsmBatch, out?: BsmResult): BsmResult;
  bsmPrice(batch: BsmBatch, out?: BsmPrices): BsmPrices;
  impliedVol(batch: IvBatch, out?: IvResult): IvResult;
}
