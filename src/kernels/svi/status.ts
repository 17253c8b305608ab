/**
 * Per-slice outcomes of the SVI kernels. The numeric codes are the kernel ABI (assembly/svi/constants.ts
 * holds the same numbers); the names are what the façade reports to users.
 */
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

export function sviStatusName(code: number): SviStatus {
  const name = SVI_STATUS_NAMES[code];
  if (name === undefined) return "degenerate";
  return name;
}

/** Fields of one fitted slice in the packed output row (kernel ABI, see assembly/svi/constants.ts). */
export const FIT_OUT = {
  a: 0,
  b: 1,
  rho: 2,
  m: 3,
  sigma: 4,
  rmseVol: 5,
  rmseW: 6,
  iterations: 7,
  objective: 8,
  intervalCount: 9,
} as const;
export const FIT_OUT_STRIDE = 10;

/** At most this many negative-g intervals are reported per slice; more set the overflow flag. */
export const MAX_INTERVALS = 8;

/** Bit flags for the fit. */
export const FIT_FLAG_ENFORCE_LEE = 1;

/** Default upper bound on |rho| (the constraint |rho| < 1 is strict; see docs/volatility-surfaces.md). */
export const RHO_MAX = 0.9999;

/** Grid size of the butterfly scan (points on a rational map of the real line, refined by bisection). */
export const SCAN_POINTS = 2048;
