// Scratch of hedgeRun, carved out of the one caller-provided buffer (the kernel never allocates). Paths are run in
// blocks: per step, the legs of a block's paths are priced in one hedgeMarks call (marks.ts). Blocks are small on purpose: the
// step columns are path-major, so each step of a block reads and writes one cache line per path and column, and
// those lines must survive the 8 steps that fill them. At 256 paths a block touched ~3,600 output lines per step
// and missed L1 twice as often (cachegrind, 1,024 paths x 252 steps x 4 legs: 27 vs 15 D1 misses per mark) as at
// the 32 paths used now; smaller blocks only add pricing calls.

/** Target leg rows per block (about 250 bytes of scratch each) and the most paths a block holds. */
const BLOCK_ROWS: i32 = 128;
const MAX_BLOCK_PATHS: i32 = 32;
/** Legs per book at most: bounds the scratch (a block of one path then prices this many rows). */
export const MAX_LEGS: i32 = 4096;

/** Accumulated per-path totals, in T_PNL..T_NOTIONAL_TRADED order (layout.ts). */
export const TOTALS: i32 = 12;

// Leg states.
export const LEG_PENDING: i32 = 0; // before its entry step
export const LEG_LIVE: i32 = 1; // entered at an earlier step and still held
export const LEG_DONE: i32 = 2; // expired, exited, or zero quantity
// Leg flags of the current step.
export const FLAG_EXPIRING: i32 = 1; // time to expiry <= 0: settles at intrinsic value
export const FLAG_CARRIED: i32 = 2; // mark failed; carried at the last good mark and Greeks

// Per path (f64): hedge shares, cash, the previous step's and this step's spot, time, rate, dividend yield, borrow.
export let pHedge: usize = 0;
export let pCash: usize = 0;
export let pSPrev: usize = 0;
export let pTPrev: usize = 0;
export let pRPrev: usize = 0;
export let pQPrev: usize = 0;
export let pBPrev: usize = 0;
export let pS: usize = 0;
export let pT: usize = 0;
export let pR: usize = 0;
export let pQ: usize = 0;
export let pB: usize = 0;
/** ln S of this step (the legs' x = ln S - ln K + (r - q)T share it). */
export let pLnS: usize = 0;
/** TOTALS f64 per path, at i * TOTALS. */
export let pTotals: usize = 0;
// Per path (i32).
export let pStatus: usize = 0;
export let pFailedStep: usize = 0;
export let pRebalances: usize = 0;
export let pFlagged: usize = 0;
// Per path and leg, at i * nLegs + l (f64): the last good mark, its Greeks and vol; this step's vol, mark, half-spread.
export let lMark: usize = 0;
export let lDelta: usize = 0;
export let lGamma: usize = 0;
export let lVega: usize = 0;
export let lTheta: usize = 0;
export let lVol: usize = 0;
export let cVol: usize = 0;
export let cMark: usize = 0;
export let cHalfSpread: usize = 0;
// Per path and leg: the book, decoded once per block (f64 quantity, strike, expiry, entry price; i32 call flag,
// entry step, exit step).
export let bQty: usize = 0;
export let bStrike: usize = 0;
export let bExpiry: usize = 0;
export let bEntryPrice: usize = 0;
export let bIsCall: usize = 0;
export let bEntry: usize = 0;
export let bExit: usize = 0;
/** ln K of each leg. */
export let bLnK: usize = 0;
// Per path and leg (i32): state, this step's BSM row (-1: none), flags.
export let lState: usize = 0;
export let lRow: usize = 0;
export let lFlags: usize = 0;
// Pricing rows of a step (struct of arrays, hedgeMarks' buffers), leg by leg.
export let rSpot: usize = 0;
export let rStrike: usize = 0;
export let rT: usize = 0;
export let rRate: usize = 0;
export let rDiv: usize = 0;
export let rVol: usize = 0;
export let rIsCall: usize = 0;
/** x = ln(F/K) of each row. */
export let rX: usize = 0;
export let rPrice: usize = 0;
export let rDelta: usize = 0;
export let rGamma: usize = 0;
export let rVega: usize = 0;
export let rTheta: usize = 0;
export let rStatus: usize = 0;

/** Paths per block for a book of nLegs legs. */
export function blockPaths(nLegs: i32): i32 {
  if (nLegs <= 0) return MAX_BLOCK_PATHS;
  const b = BLOCK_ROWS / nLegs;
  return b < 1 ? 1 : b > MAX_BLOCK_PATHS ? MAX_BLOCK_PATHS : b;
}

@inline function take(at: usize, bytes: usize): usize {
  return at + ((bytes + 15) & ~(<usize>15));
}

/** Points every array above into scratch (base 0 just measures) and returns the bytes used. */
export function layoutScratch(base: usize, nLegs: i32): usize {
  const b = <usize>blockPaths(nLegs);
  const rows = b * <usize>(nLegs > 0 ? nLegs : <i32>1);
  const f = b << 3;
  const n = b << 2;
  const rf = rows << 3;
  const rn = rows << 2;
  let at = base;
  pHedge = at; at = take(at, f);
  pCash = at; at = take(at, f);
  pSPrev = at; at = take(at, f);
  pTPrev = at; at = take(at, f);
  pRPrev = at; at = take(at, f);
  pQPrev = at; at = take(at, f);
  pBPrev = at; at = take(at, f);
  pS = at; at = take(at, f);
  pT = at; at = take(at, f);
  pR = at; at = take(at, f);
  pQ = at; at = take(at, f);
  pB = at; at = take(at, f);
  pLnS = at; at = take(at, f);
  pTotals = at; at = take(at, f * <usize>TOTALS);
  pStatus = at; at = take(at, n);
  pFailedStep = at; at = take(at, n);
  pRebalances = at; at = take(at, n);
  pFlagged = at; at = take(at, n);
  lMark = at; at = take(at, rf);
  lDelta = at; at = take(at, rf);
  lGamma = at; at = take(at, rf);
  lVega = at; at = take(at, rf);
  lTheta = at; at = take(at, rf);
  lVol = at; at = take(at, rf);
  cVol = at; at = take(at, rf);
  cMark = at; at = take(at, rf);
  cHalfSpread = at; at = take(at, rf);
  bQty = at; at = take(at, rf);
  bStrike = at; at = take(at, rf);
  bExpiry = at; at = take(at, rf);
  bEntryPrice = at; at = take(at, rf);
  bIsCall = at; at = take(at, rn);
  bEntry = at; at = take(at, rn);
  bExit = at; at = take(at, rn);
  bLnK = at; at = take(at, rf);
  lState = at; at = take(at, rn);
  lRow = at; at = take(at, rn);
  lFlags = at; at = take(at, rn);
  rSpot = at; at = take(at, rf);
  rStrike = at; at = take(at, rf);
  rT = at; at = take(at, rf);
  rRate = at; at = take(at, rf);
  rDiv = at; at = take(at, rf);
  rVol = at; at = take(at, rf);
  rIsCall = at; at = take(at, rows);
  rX = at; at = take(at, rf);
  rPrice = at; at = take(at, rf);
  rDelta = at; at = take(at, rf);
  rGamma = at; at = take(at, rf);
  rVega = at; at = take(at, rf);
  rTheta = at; at = take(at, rf);
  rStatus = at; at = take(at, rn);
  return at - base;
}

/** Bytes of scratch hedgeRun needs for a book of nLegs legs (whatever the number of paths), or -1 past MAX_LEGS. */
export function hedgeScratchBytes(nLegs: i32): i32 {
  if (nLegs < 0 || nLegs > MAX_LEGS) return -1;
  return <i32>layoutScratch(0, nLegs);
}

// Typed access to the arrays above.
@inline export function getF(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}
@inline export function setF(base: usize, i: i32, v: f64): void {
  store<f64>(base + (<usize>i << 3), v);
}
@inline export function getI(base: usize, i: i32): i32 {
  return load<i32>(base + (<usize>i << 2));
}
@inline export function setI(base: usize, i: i32, v: i32): void {
  store<i32>(base + (<usize>i << 2), v);
}
