// Shared layout of the hedging kernel's buffers: status codes, the parameter block, the input column table and
// the two output tables. Mirrored by src/kernels/hedge/layout.ts (the host checks the two agree through
// hedgeLayoutDigest below, so a stale build fails loudly instead of misreading buffers).

// Per step and per path status codes. Codes below HEDGE_FIRST_FAILURE leave usable numbers; from it on the row's
// numbers are NaN.
export const HEDGE_OK: i32 = 0;
/** A leg's mark failed on this step and the leg was carried at its last good mark and Greeks (numbers valid). */
export const HEDGE_CARRIED: i32 = 1;
/** Spot not finite and positive, time not finite or going backwards, rate, dividend yield, borrow or a traded
 *  leg's half-spread not finite (or the half-spread negative). */
export const HEDGE_INVALID_INPUT: i32 = 2;
/** A leg's price or Greeks could not be computed (NaN or negative vol, bad mark) and carrying was off or impossible. */
export const HEDGE_MARK_FAILED: i32 = 3;
/** An earlier step of the path failed; the path's later steps are not computed. */
export const HEDGE_HALTED: i32 = 4;
/** A leg of the path's book is malformed (strike, expiry, quantity, entry price or entry/exit steps). */
export const HEDGE_INVALID_BOOK: i32 = 5;
/** No leg of the path's book has a non-zero quantity. */
export const HEDGE_EMPTY_BOOK: i32 = 6;
export const HEDGE_FIRST_FAILURE: i32 = 2;

// Call-level results (negative): nothing was written.
export const HEDGE_BAD_SHAPE: i32 = -1;
export const HEDGE_BAD_PARAMS: i32 = -2;

// Parameter block: f64 slots.
export const P_MODE: i32 = 0; // MODE_*
export const P_BAND: i32 = 1; // band half-width: shares (MODE_BAND_SHARES) or currency of delta (MODE_BAND_DOLLARS)
export const P_REBALANCE_TO: i32 = 2; // REBALANCE_*
export const P_STOCK_BPS: i32 = 3; // stock cost in basis points of the traded notional
export const P_STOCK_PER_SHARE: i32 = 4; // stock cost in currency per share traded
export const P_OPTION_BPS: i32 = 5; // option cost in basis points of the mark, per unit traded (plus the half-spread column)
export const P_CLOSE_AT_END: i32 = 6; // 1: sell every live leg and unwind the hedge at the last step
export const P_MARK_MODE: i32 = 7; // MARK_*
export const P_CARRY_BAD_MARKS: i32 = 8; // 1: a live leg whose mark fails keeps its last good mark (step flagged)
export const PARAM_SLOTS: i32 = 9;

export const MODE_NONE: i32 = 0;
export const MODE_EVERY_STEP: i32 = 1;
export const MODE_BAND_SHARES: i32 = 2;
export const MODE_BAND_DOLLARS: i32 = 3;
export const REBALANCE_TO_CENTER: i32 = 0;
export const REBALANCE_TO_EDGE: i32 = 1;
export const MARK_FROM_VOL: i32 = 0;
export const MARK_FROM_PRICE: i32 = 1;

// Input table: IN_SLOTS i32 slots per column: pointer, path stride, step stride, leg stride (in elements). The
// element for (path p, step k, leg l) is at pointer + (p*pathStride + k*stepStride + l*legStride) elements, so a
// stride of 0 broadcasts (a time grid shared by every path has path stride 0; a scalar has all strides 0).
export const IN_SLOTS: i32 = 4;
export const S_PTR: i32 = 0;
export const S_PATH: i32 = 1;
export const S_STEP: i32 = 2;
export const S_LEG: i32 = 3;
// Leg columns, addressed by (path, leg): the book (path stride 0: one book for every path).
export const IN_STRIKE: i32 = 0; // f64
export const IN_EXPIRY: i32 = 1; // f64, years on the steps' time axis
export const IN_IS_CALL: i32 = 2; // i32, non-zero: call
export const IN_QUANTITY: i32 = 3; // f64, signed units of the underlier (contracts x multiplier); 0: no leg
export const IN_ENTRY_PRICE: i32 = 4; // f64, optional (pointer 0 or NaN: the entry step's mark)
export const IN_ENTRY_STEP: i32 = 5; // i32, optional (pointer 0: step 0)
export const IN_EXIT_STEP: i32 = 6; // i32, optional (pointer 0 or -1: held to expiry or the end)
// Step columns, addressed by (path, step).
export const IN_SPOT: i32 = 7; // f64
export const IN_TIME: i32 = 8; // f64, years, non-decreasing along a path
export const IN_RATE: i32 = 9; // f64, continuously compounded, for the cash account and the pricer
export const IN_DIV: i32 = 10; // f64, continuous dividend yield
export const IN_BORROW: i32 = 11; // f64, optional: borrow fee on short stock, basis points per year
// Leg-step columns, addressed by (path, step, leg).
export const IN_VOL: i32 = 12; // f64: the mark's vol (MARK_FROM_VOL) or the vol of the Greeks (MARK_FROM_PRICE)
export const IN_MARK: i32 = 13; // f64: the mark price (MARK_FROM_PRICE only)
export const IN_HALF_SPREAD: i32 = 14; // f64, optional: option cost in currency per unit traded
export const IN_COLUMNS: i32 = 15;

// Step output table: i32 slots, each the address of an nPaths*nSteps column (path-major, p*nSteps + k) or 0 to
// skip it. Every number is a contribution to the step's PnL except hedge, cash, bookValue and bookDelta.
export const O_PNL: i32 = 0;
export const O_DELTA: i32 = 1; // (book delta + hedge) at the previous step x spot change
export const O_GAMMA: i32 = 2; // 1/2 book gamma x spot change^2
export const O_VEGA: i32 = 3; // sum of leg vega x vol change
export const O_THETA: i32 = 4; // book theta x time step
export const O_FINANCING: i32 = 5; // interest on the cash account + dividend yield on the stock held
export const O_BORROW: i32 = 6; // borrow fee on short stock (<= 0)
export const O_STOCK_COST: i32 = 7; // <= 0
export const O_OPTION_COST: i32 = 8; // <= 0
export const O_RESIDUAL: i32 = 9; // mark-to-market not explained by delta, gamma, vega, theta (entry edge included)
export const O_HEDGE: i32 = 10; // shares held after the step's rebalance
export const O_CASH: i32 = 11; // cash account after the step
export const O_BOOK_VALUE: i32 = 12; // sum of quantity x mark over the legs live after the step
export const O_BOOK_DELTA: i32 = 13; // sum of quantity x delta over the legs live after the step
export const O_STATUS: i32 = 14; // i32
export const STEP_OUT_SLOTS: i32 = 15;

// Path output table: i32 slots, each the address of an nPaths column, or 0 to skip it (status is required).
// T_PNL..T_RESIDUAL are the sums of the matching step columns.
export const T_PNL: i32 = 0;
export const T_DELTA: i32 = 1;
export const T_GAMMA: i32 = 2;
export const T_VEGA: i32 = 3;
export const T_THETA: i32 = 4;
export const T_FINANCING: i32 = 5;
export const T_BORROW: i32 = 6;
export const T_STOCK_COST: i32 = 7;
export const T_OPTION_COST: i32 = 8;
export const T_RESIDUAL: i32 = 9;
export const T_SHARES_TRADED: i32 = 10; // sum of |shares| traded in the hedge
export const T_NOTIONAL_TRADED: i32 = 11; // sum of |shares| x spot traded in the hedge
export const T_REBALANCES: i32 = 12; // i32: steps with a hedge trade
export const T_STATUS: i32 = 13; // i32, required
export const T_FAILED_STEP: i32 = 14; // i32: the step that failed, -1 when none
export const PATH_OUT_SLOTS: i32 = 15;

/** How many constants the digest folds (the length of the list below). */
const LAYOUT_CONSTANTS: i32 = 81;

/**
 * One number over every layout constant above, in declaration order (h = 31 h + value, wrapping), so the host can
 * check that its mirror (src/kernels/hedge/layout.ts) was built from the same layout.
 */
export function hedgeLayoutDigest(): i32 {
  // A static data segment (memory.data): reading it allocates nothing, so the arena is untouched.
  const values = memory.data<i32>([
    HEDGE_OK, HEDGE_CARRIED, HEDGE_INVALID_INPUT, HEDGE_MARK_FAILED, HEDGE_HALTED, HEDGE_INVALID_BOOK,
    HEDGE_EMPTY_BOOK, HEDGE_FIRST_FAILURE, HEDGE_BAD_SHAPE, HEDGE_BAD_PARAMS,
    P_MODE, P_BAND, P_REBALANCE_TO, P_STOCK_BPS, P_STOCK_PER_SHARE, P_OPTION_BPS, P_CLOSE_AT_END, P_MARK_MODE,
    P_CARRY_BAD_MARKS, PARAM_SLOTS,
    MODE_NONE, MODE_EVERY_STEP, MODE_BAND_SHARES, MODE_BAND_DOLLARS, REBALANCE_TO_CENTER, REBALANCE_TO_EDGE,
    MARK_FROM_VOL, MARK_FROM_PRICE,
    IN_SLOTS, S_PTR, S_PATH, S_STEP, S_LEG,
    IN_STRIKE, IN_EXPIRY, IN_IS_CALL, IN_QUANTITY, IN_ENTRY_PRICE, IN_ENTRY_STEP, IN_EXIT_STEP, IN_SPOT, IN_TIME,
    IN_RATE, IN_DIV, IN_BORROW, IN_VOL, IN_MARK, IN_HALF_SPREAD, IN_COLUMNS,
    O_PNL, O_DELTA, O_GAMMA, O_VEGA, O_THETA, O_FINANCING, O_BORROW, O_STOCK_COST, O_OPTION_COST, O_RESIDUAL,
    O_HEDGE, O_CASH, O_BOOK_VALUE, O_BOOK_DELTA, O_STATUS, STEP_OUT_SLOTS,
    T_PNL, T_DELTA, T_GAMMA, T_VEGA, T_THETA, T_FINANCING, T_BORROW, T_STOCK_COST, T_OPTION_COST, T_RESIDUAL,
    T_SHARES_TRADED, T_NOTIONAL_TRADED, T_REBALANCES, T_STATUS, T_FAILED_STEP, PATH_OUT_SLOTS,
  ]);
  let h: i32 = 17;
  for (let i = 0; i < LAYOUT_CONSTANTS; i++) h = h * 31 + load<i32>(values + (<usize>i << 2));
  return h;
}
