// Kernel ABI constants of the SVI family: status codes, the packed output row and the fit's limits. The host reads
// them from here too (src/kernels/abi/svi.ts names the codes). Written once for both builds.

export const STATUS_OK: i32 = 0;
export const STATUS_TOO_FEW_QUOTES: i32 = 1;
export const STATUS_NON_FINITE: i32 = 2;
export const STATUS_NEGATIVE_VARIANCE: i32 = 3;
export const STATUS_BAD_WEIGHT: i32 = 4;
export const STATUS_BAD_MATURITY: i32 = 5;
export const STATUS_NOT_CONVERGED: i32 = 8;
export const STATUS_DEGENERATE: i32 = 9;

/** Packed output row of one fitted slice. */
export const OUT_A: i32 = 0;
export const OUT_B: i32 = 1;
export const OUT_RHO: i32 = 2;
export const OUT_M: i32 = 3;
export const OUT_SIGMA: i32 = 4;
export const OUT_RMSE_VOL: i32 = 5;
export const OUT_RMSE_W: i32 = 6;
export const OUT_ITERATIONS: i32 = 7;
export const OUT_OBJECTIVE: i32 = 8;
export const OUT_INTERVAL_COUNT: i32 = 9;
export const OUT_STRIDE: i32 = 10;

export const MAX_INTERVALS: i32 = 8;
export const FLAG_ENFORCE_LEE: i32 = 1;
export const RHO_MAX: f64 = 0.9999;
export const SCAN_POINTS: i32 = 2048;

/** Scratch of sviFitBatch: the normalised weights and the two regressors, one double each per quote... */
export const SVI_FIT_SCRATCH_PER_QUOTE: i32 = 3;
/**
 * ...plus the solver's fixed part: 4 constraint rows of 4, a 6 x 7 KKT system, 10 normal-equation sums, a
 * 3-vertex simplex of 3, and 4 active-row indices (i32, in 2 doubles).
 */
export const SVI_FIT_FIXED_SCRATCH: i32 = 16 + 42 + 10 + 9 + 2;
