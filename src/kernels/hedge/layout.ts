/**
 * The hedging kernel's buffer layout and status codes, mirrored from assembly/hedge/layout.ts. `layoutDigest()`
 * folds every constant in the same order as the module's `hedgeLayoutDigest` export; the engine checks the two
 * agree when it is created, so a stale build or a one-sided edit fails loudly instead of misreading buffers.
 */
import { statusName } from "../abi/status-name.ts";

/** Per-step and per-path status codes, by code. Codes from `invalid_input` (2) on leave the row's numbers NaN. */
export const HEDGE_STATUS_NAMES = [
  "ok", "carried", "invalid_input", "mark_failed", "halted", "invalid_book", "empty_book",
] as const;
export type HedgeStatusName = (typeof HEDGE_STATUS_NAMES)[number];
export const HEDGE_STATUS = {
  ok: 0, carried: 1, invalid_input: 2, mark_failed: 3, halted: 4, invalid_book: 5, empty_book: 6,
} as const satisfies Record<HedgeStatusName, number>;
/** The first code whose numbers are NaN. */
export const HEDGE_FIRST_FAILURE = 2;
/** Call-level results of hedgeRun (nothing written). */
export const HEDGE_BAD_SHAPE = -1;
export const HEDGE_BAD_PARAMS = -2;

/** Parameter block: f64 slots. */
export const PARAM = {
  mode: 0, band: 1, rebalanceTo: 2, stockBps: 3, stockPerShare: 4, optionBps: 5, closeAtEnd: 6, markMode: 7,
  carryBadMarks: 8,
} as const;
export const PARAM_SLOTS = 9;
export const MODE_CODE = { none: 0, every_step: 1, band_shares: 2, band_dollars: 3 } as const;
export const REBALANCE_TO_CODE = { center: 0, edge: 1 } as const;
export const MARK_CODE = { vol: 0, price: 1 } as const;

/** Input table: IN_SLOTS i32 per column (pointer, path stride, step stride, leg stride), columns in this order. */
export const IN_SLOTS = 4;
export const SLOT = { ptr: 0, path: 1, step: 2, leg: 3 } as const;
export const IN = {
  strike: 0, expiry: 1, isCall: 2, quantity: 3, entryPrice: 4, entryStep: 5, exitStep: 6, spot: 7, time: 8, rate: 9,
  div: 10, borrow: 11, vol: 12, mark: 13, halfSpread: 14,
} as const;
export const IN_COLUMNS = 15;

/** Step output table: column addresses (nPaths x nSteps, path-major); `status` is i32, the rest f64. */
export const STEP_OUT = {
  pnl: 0, delta: 1, gamma: 2, vega: 3, theta: 4, financing: 5, borrow: 6, stockCost: 7, optionCost: 8, residual: 9,
  hedge: 10, cash: 11, bookValue: 12, bookDelta: 13, status: 14,
} as const;
export const STEP_OUT_SLOTS = 15;

/** Path output table: column addresses (nPaths); rebalances, status and failedStep are i32, the rest f64. */
export const PATH_OUT = {
  pnl: 0, delta: 1, gamma: 2, vega: 3, theta: 4, financing: 5, borrow: 6, stockCost: 7, optionCost: 8, residual: 9,
  sharesTraded: 10, notionalTraded: 11, rebalances: 12, status: 13, failedStep: 14,
} as const;
export const PATH_OUT_SLOTS = 15;

export function layoutDigest(): number {
  const values = [
    ...HEDGE_STATUS_NAMES.map((_, code) => code), HEDGE_FIRST_FAILURE, HEDGE_BAD_SHAPE, HEDGE_BAD_PARAMS,
    ...Object.values(PARAM), PARAM_SLOTS,
    ...Object.values(MODE_CODE), ...Object.values(REBALANCE_TO_CODE), ...Object.values(MARK_CODE),
    IN_SLOTS, ...Object.values(SLOT),
    ...Object.values(IN), IN_COLUMNS,
    ...Object.values(STEP_OUT), STEP_OUT_SLOTS,
    ...Object.values(PATH_OUT), PATH_OUT_SLOTS,
  ];
  let h = 17;
  for (const v of values) h = (Math.imul(h, 31) + v) | 0;
  return h;
}

/** The name of a hedge status code; a code the layout lacks is a KernelError (a kernel and host out of step). */
export function hedgeStatusName(code: number): HedgeStatusName {
  return statusName(HEDGE_STATUS_NAMES, code, "hedgeRun");
}
