/**
 * Per-slice outcomes of the SVI kernels and the layout of their packed output. The numbers are the kernel ABI,
 * defined once in src/kernels/portable/svi/constants.ts (the kernels' own source); the names are what the façade
 * reports to users. Codes 6, 7 and 10 are found by the host before a slice reaches the kernel.
 */
import { statusName } from "../abi/status-name.ts";
import * as K from "../portable/svi/constants.ts";

export const SVI_STATUS_NAMES = [
  "ok",
  "too_few_quotes",
  "non_finite_input",
  "negative_variance",
  "bad_weight",
  "bad_maturity",
  "crossed_quote",
  "zero_width_quote",
  "not_converged",
  "degenerate",
  "malformed_slice",
] as const;

export type SviStatus = (typeof SVI_STATUS_NAMES)[number];

export const SVI_STATUS = {
  ok: 0,
  too_few_quotes: 1,
  non_finite_input: 2,
  negative_variance: 3,
  bad_weight: 4,
  bad_maturity: 5,
  crossed_quote: 6,
  zero_width_quote: 7,
  not_converged: 8,
  degenerate: 9,
  malformed_slice: 10,
} as const satisfies Record<SviStatus, number>;

/** The name of a slice status; a code the ABI does not define is a KernelError, never a default name. */
export function sviStatusName(code: number): SviStatus {
  return statusName(SVI_STATUS_NAMES, code, "sviFitBatch");
}

/** Fields of one fitted slice in the packed output row. */
export const FIT_OUT: Readonly<Record<"a" | "b" | "rho" | "m" | "sigma" | "rmseVol" | "rmseW" | "iterations" | "objective" | "intervalCount", number>> = {
  a: K.OUT_A,
  b: K.OUT_B,
  rho: K.OUT_RHO,
  m: K.OUT_M,
  sigma: K.OUT_SIGMA,
  rmseVol: K.OUT_RMSE_VOL,
  rmseW: K.OUT_RMSE_W,
  iterations: K.OUT_ITERATIONS,
  objective: K.OUT_OBJECTIVE,
  intervalCount: K.OUT_INTERVAL_COUNT,
};
export const FIT_OUT_STRIDE: number = K.OUT_STRIDE;

/** At most this many negative-g intervals are reported per slice; more set the overflow flag. */
export const MAX_INTERVALS: number = K.MAX_INTERVALS;

/** Bit flags for the fit. */
export const FIT_FLAG_ENFORCE_LEE: number = K.FLAG_ENFORCE_LEE;

/** Default upper bound on |rho| (the constraint |rho| < 1 is strict; see docs/volatility-surfaces.md). */
export const RHO_MAX: number = K.RHO_MAX;
