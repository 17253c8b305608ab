// Kernel ABI constants of the SVI family; src/kernels/svi/status.ts holds the same numbers for the host.

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
