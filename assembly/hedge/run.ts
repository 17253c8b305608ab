// Delta-hedging a book of options along many paths, with the PnL of every step explained by the Greeks.
//
// Per path and step k (times t_k in years, non-decreasing), in this order:
//  1. carry over (t_{k-1}, t_k]: the cash account earns e^{r dt} - 1 at the previous step's rate, the shares held
//     earn the previous step's dividend yield (e^{q dt} - 1 on their value), short shares pay the borrow fee
//     h S_{k-1} (b / 10^4) dt (simple accrual on the notional at the start of the interval);
//  2. every leg is marked: MARK_FROM_VOL prices it with its vol, MARK_FROM_PRICE takes the given mark and computes
//     the Greeks with its vol; a leg at or past expiry (T - t_k <= 0) is worth its intrinsic value;
//  3. the mark-to-market of the legs held over the interval and of the shares is explained by the previous step's
//     Greeks: delta (book delta + hedge) dS, gamma 1/2 Gamma dS^2, vega sum_l q_l vega_l dsigma_l, theta Theta dt;
//     what remains is the residual (higher-order terms, rate changes, the jump to intrinsic at expiry, and the edge
//     of an entry price away from the mark);
//  4. legs enter (pay the entry price, or the mark), exit (at their exit step, or every leg at the last step when
//     closing at the end) or settle at intrinsic at expiry; entries and exits pay |q| (half-spread + bps x mark),
//     settlement pays nothing;
//  5. the hedge is rebalanced at S_k: to minus the book delta every step, or only when |book delta + hedge| leaves
//     the band (in shares, or in currency as |book delta + hedge| x S_k), to the centre or to the band's edge. With
//     no live leg left (or at the last step when closing) the hedge is unwound. Stock trades pay
//     |shares| (S_k bps / 10^4 + per-share).
// The portfolio value V_k = sum of live q_l m_l + h S_k + cash, starting from 0, so the step PnL is V_k - V_{k-1}
// and the sum over a path's steps is its final value.
//
// Prices and the four Greeks the attribution uses come from the kernel's own pricer (marks.ts: the textbook BSM
// price on f64x2 lanes, the scalar BSM row for rare rows), one call per step for a block of paths. Every step of
// every path is independent of the block it runs in, so results do not depend on the number of paths per call (the
// host's chunking) and are the same bits on every platform (no FMA, no relaxed SIMD, no host Math: log and expm1
// are AssemblyScript's own).
import { columnPresent, decodeColumns, readF64, readI32 } from "./columns";
import { hedgeMarks } from "./marks";
import {
  HEDGE_BAD_PARAMS, HEDGE_BAD_SHAPE, HEDGE_CARRIED, HEDGE_EMPTY_BOOK, HEDGE_FIRST_FAILURE, HEDGE_HALTED,
  HEDGE_INVALID_BOOK, HEDGE_INVALID_INPUT, HEDGE_MARK_FAILED, HEDGE_OK, IN_BORROW, IN_DIV, IN_ENTRY_PRICE,
  IN_ENTRY_STEP, IN_EXIT_STEP, IN_EXPIRY, IN_HALF_SPREAD, IN_IS_CALL, IN_MARK, IN_QUANTITY, IN_RATE, IN_SPOT,
  IN_STRIKE, IN_TIME, IN_VOL, MARK_FROM_PRICE, MARK_FROM_VOL, MODE_BAND_DOLLARS, MODE_BAND_SHARES, MODE_EVERY_STEP,
  MODE_NONE, O_BOOK_DELTA, O_BOOK_VALUE, O_BORROW, O_CASH, O_DELTA, O_FINANCING, O_GAMMA, O_HEDGE, O_OPTION_COST,
  O_PNL, O_RESIDUAL, O_STATUS, O_STOCK_COST, O_THETA, O_VEGA, P_BAND, P_CARRY_BAD_MARKS, P_CLOSE_AT_END, P_MARK_MODE,
  P_MODE, P_OPTION_BPS, P_REBALANCE_TO, P_STOCK_BPS, P_STOCK_PER_SHARE, REBALANCE_TO_CENTER, REBALANCE_TO_EDGE,
  STEP_OUT_SLOTS, T_FAILED_STEP, T_NOTIONAL_TRADED, T_REBALANCES, T_SHARES_TRADED, T_STATUS,
} from "./layout";
import {
  bEntry, bEntryPrice, bExit, bExpiry, bIsCall, blockPaths, bQty, bStrike, cHalfSpread, cMark, cVol, FLAG_CARRIED, FLAG_EXPIRING, getF, getI, layoutScratch, lDelta, LEG_DONE,
  LEG_LIVE, LEG_PENDING, lFlags, lGamma, lMark, lRow, lState, lTheta, lVega, lVol, MAX_LEGS, pB, pBPrev, pCash, pLnS, bLnK, rX,
  pFailedStep, pFlagged, pHedge, pQ, pQPrev, pR, pRebalances, pRPrev, pS, pSPrev, pStatus, pT, pTotals, pTPrev, rDelta,
  rDiv, rGamma, rIsCall, rPrice, rRate, rSpot, rStatus, rStrike, rT, rTheta, rVega, rVol, setF, setI, TOTALS,
} from "./scratch";

const BPS: f64 = 1.0e-4;

// The call's parameters and shape (one call at a time per instance).
let mode: i32 = 0;
let band: f64 = 0.0;
let toEdge: bool = false;
let stockBps: f64 = 0.0;
let perShare: f64 = 0.0;
let optionBps: f64 = 0.0;
let closeAtEnd: bool = false;
let markFromPrice: bool = false;
let carryBadMarks: bool = false;
let nStepsG: i32 = 0;
let nLegsG: i32 = 0;
let hasEntryPrice: bool = false;
let hasEntryStep: bool = false;
let hasExitStep: bool = false;
let hasBorrow: bool = false;
let hasHalfSpread: bool = false;
/** Step output column addresses (0: skipped), copied from the caller's table. */
const STEP_OUT: usize = memory.data(STEP_OUT_SLOTS * 4);

// e^{x} - 1 of the last argument seen: paths sharing a time grid and rate ask for the same value at every step.
let memoRateArg: f64 = 0.0;
let memoRateValue: f64 = 0.0;
let memoDivArg: f64 = 0.0;
let memoDivValue: f64 = 0.0;

@inline function growthRate(x: f64): f64 {
  if (x != memoRateArg) {
    memoRateArg = x;
    memoRateValue = Math.expm1(x);
  }
  return memoRateValue;
}

@inline function growthDiv(x: f64): f64 {
  if (x != memoDivArg) {
    memoDivArg = x;
    memoDivValue = Math.expm1(x);
  }
  return memoDivValue;
}

@inline function finite(x: f64): bool {
  return Math.abs(x) < Infinity;
}

@inline function stepOut(slot: i32): usize {
  return <usize>load<u32>(STEP_OUT + (<usize>slot << 2));
}

@inline function putStep(slot: i32, idx: usize, v: f64): void {
  const base = stepOut(slot);
  if (base != 0) store<f64>(base + (idx << 3), v);
}

/** Writes step k of path p as failed: status `code`, every number NaN. */
function writeFailedStep(p: i32, k: i32, code: i32): void {
  const idx = <usize>p * <usize>nStepsG + <usize>k;
  for (let slot = 0; slot < O_STATUS; slot++) putStep(slot, idx, NaN);
  const statusOut = stepOut(O_STATUS);
  if (statusOut != 0) store<i32>(statusOut + (idx << 2), code);
}

/** Fails path p (block slot i) at step k. */
function failPath(i: i32, p: i32, k: i32, code: i32): void {
  setI(pStatus, i, code);
  setI(pFailedStep, i, k);
  writeFailedStep(p, k, code);
}

/** A leg trades at step k (and pays the option cost) when it enters, or when it exits before expiry. */
@inline function legTrades(state: i32, expiring: bool, j: i32, k: i32): bool {
  if (state == LEG_PENDING) return true;
  if (expiring) return false;
  return getI(bExit, j) == k || (closeAtEnd && k == nStepsG - 1);
}

/** Resets the block's state and checks each path's book (INVALID_BOOK, EMPTY_BOOK). */
function initBlock(p0: i32, nb: i32): void {
  const nLegs = nLegsG;
  for (let i = 0; i < nb; i++) {
    const p = p0 + i;
    setF(pHedge, i, 0.0);
    setF(pCash, i, 0.0);
    setF(pSPrev, i, 0.0);
    setF(pTPrev, i, 0.0);
    setF(pRPrev, i, 0.0);
    setF(pQPrev, i, 0.0);
    setF(pBPrev, i, 0.0);
    for (let j = 0; j < TOTALS; j++) setF(pTotals, i * TOTALS + j, 0.0);
    setI(pRebalances, i, 0);
    setI(pFlagged, i, 0);
    setI(pFailedStep, i, -1);
    let status = HEDGE_OK;
    let legs = 0;
    for (let l = 0; l < nLegs; l++) {
      const j = i * nLegs + l;
      const qty = readF64(IN_QUANTITY, p, 0, l);
      const strike = readF64(IN_STRIKE, p, 0, l);
      const expiry = readF64(IN_EXPIRY, p, 0, l);
      const entryPrice = hasEntryPrice ? readF64(IN_ENTRY_PRICE, p, 0, l) : NaN;
      const entry = hasEntryStep ? readI32(IN_ENTRY_STEP, p, 0, l) : 0;
      const exit = hasExitStep ? readI32(IN_EXIT_STEP, p, 0, l) : -1;
      setF(bQty, j, qty);
      setF(bStrike, j, strike);
      setF(bLnK, j, Math.log(strike));
      setF(bExpiry, j, expiry);
      setF(bEntryPrice, j, entryPrice);
      setI(bIsCall, j, readI32(IN_IS_CALL, p, 0, l) != 0 ? 1 : 0);
      setI(bEntry, j, entry);
      setI(bExit, j, exit);
      if (qty == 0.0) {
        setI(lState, j, LEG_DONE);
        continue;
      }
      setI(lState, j, LEG_PENDING);
      const ok = strike > 0.0 && strike < Infinity && finite(expiry) && finite(qty) &&
        (isNaN(entryPrice) || (entryPrice >= 0.0 && entryPrice < Infinity)) &&
        entry >= 0 && entry < nStepsG && (exit == -1 || (exit >= entry && exit < nStepsG));
      if (!ok) status = HEDGE_INVALID_BOOK;
      legs++;
    }
    if (status == HEDGE_OK && legs == 0) status = HEDGE_EMPTY_BOOK;
    setI(pStatus, i, status);
  }
}

/**
 * Step k, part 1: reads and checks the block's step inputs, then writes one pricing row per leg to mark (live, or
 * entering now). Rows are laid out leg by leg (the block's paths for leg 0, then leg 1, ...), so neighbouring rows
 * share their strike, expiry, rate and dividend yield and the pricer (marks.ts) computes their discount factors
 * once. Returns the number of rows.
 */
function gather(p0: i32, nb: i32, k: i32): i32 {
  const nLegs = nLegsG;
  for (let i = 0; i < nb; i++) {
    if (getI(pStatus, i) >= HEDGE_FIRST_FAILURE) continue;
    const p = p0 + i;
    const S = readF64(IN_SPOT, p, k, 0);
    const t = readF64(IN_TIME, p, k, 0);
    const r = readF64(IN_RATE, p, k, 0);
    const q = readF64(IN_DIV, p, k, 0);
    const b = hasBorrow ? readF64(IN_BORROW, p, k, 0) : 0.0;
    const timeOk = finite(t) && (k == 0 || t >= getF(pTPrev, i));
    if (!(S > 0.0 && S < Infinity) || !timeOk || !finite(r) || !finite(q) || !finite(b)) {
      failPath(i, p, k, HEDGE_INVALID_INPUT);
      continue;
    }
    setF(pS, i, S);
    setF(pT, i, t);
    setF(pR, i, r);
    setF(pQ, i, q);
    setF(pB, i, b);
    setF(pLnS, i, Math.log(S));
    for (let l = 0; l < nLegs; l++) {
      const j = i * nLegs + l;
      const state = getI(lState, j);
      if (state == LEG_DONE || (state == LEG_PENDING && getI(bEntry, j) != k)) {
        setI(lRow, j, -1);
        continue;
      }
      const expiring = !(getF(bExpiry, j) - t > 0.0);
      let vol = 0.0;
      if (!expiring) {
        vol = readF64(IN_VOL, p, k, l);
        if (markFromPrice) setF(cMark, j, readF64(IN_MARK, p, k, l));
      }
      let halfSpread = 0.0;
      if (hasHalfSpread && legTrades(state, expiring, j, k)) {
        halfSpread = readF64(IN_HALF_SPREAD, p, k, l);
        if (!(halfSpread >= 0.0 && halfSpread < Infinity)) {
          failPath(i, p, k, HEDGE_INVALID_INPUT);
          break;
        }
      }
      setF(cVol, j, vol);
      setF(cHalfSpread, j, halfSpread);
      setI(lFlags, j, expiring ? FLAG_EXPIRING : 0);
      setI(lRow, j, 0); // a row is wanted; numbered below
    }
  }
  let row = 0;
  for (let l = 0; l < nLegs; l++) {
    for (let i = 0; i < nb; i++) {
      if (getI(pStatus, i) >= HEDGE_FIRST_FAILURE) continue;
      const j = i * nLegs + l;
      if (getI(lRow, j) < 0) continue;
      setI(lRow, j, row);
      const t = getF(pT, i);
      const r = getF(pR, i);
      const q = getF(pQ, i);
      // An expiring leg is priced at T = 0 and vol 0: its intrinsic value (the scalar row).
      const tau = (getI(lFlags, j) & FLAG_EXPIRING) != 0 ? 0.0 : getF(bExpiry, j) - t;
      setF(rSpot, row, getF(pS, i));
      setF(rStrike, row, getF(bStrike, j));
      setF(rT, row, tau);
      setF(rRate, row, r);
      setF(rDiv, row, q);
      setF(rVol, row, getF(cVol, j));
      setF(rX, row, (getF(pLnS, i) - getF(bLnK, j)) + (r - q) * tau);
      store<u8>(rIsCall + <usize>row, <u8>getI(bIsCall, j));
      row++;
    }
  }
  return row;
}

/**
 * Checks the marks of path slot i's legs at this step. A failed mark of a live leg is carried when allowed
 * (FLAG_CARRIED); otherwise the path fails. Returns false when it failed.
 */
function resolveMarks(i: i32, p: i32, k: i32): bool {
  const nLegs = nLegsG;
  for (let l = 0; l < nLegs; l++) {
    const j = i * nLegs + l;
    const row = getI(lRow, j);
    if (row < 0) continue;
    const flags = getI(lFlags, j);
    const expiring = (flags & FLAG_EXPIRING) != 0;
    const price = markFromPrice && !expiring ? getF(cMark, j) : getF(rPrice, row);
    let ok = getI(rStatus, row) == 0 && price >= 0.0 && price < Infinity;
    // A leg that stays live needs finite Greeks (vol 0 exactly at the money forward has an infinite gamma).
    if (ok && !expiring) {
      ok = finite(getF(rDelta, row)) && finite(getF(rGamma, row)) && finite(getF(rVega, row)) && finite(getF(rTheta, row));
    }
    if (ok) {
      setF(cMark, j, price);
    } else if (carryBadMarks && getI(lState, j) == LEG_LIVE) {
      setI(lFlags, j, flags | FLAG_CARRIED);
    } else {
      failPath(i, p, k, HEDGE_MARK_FAILED);
      return false;
    }
  }
  return true;
}

/** Step k, part 2: the accounting of every path of the block, from the BSM rows. */
function consume(p0: i32, nb: i32, k: i32): void {
  const nLegs = nLegsG;
  const last = k == nStepsG - 1;
  for (let i = 0; i < nb; i++) {
    const p = p0 + i;
    const status = getI(pStatus, i);
    if (status >= HEDGE_FIRST_FAILURE) {
      const failedAt = getI(pFailedStep, i);
      if (failedAt != k) writeFailedStep(p, k, failedAt < 0 ? status : HEDGE_HALTED);
      continue;
    }
    if (!resolveMarks(i, p, k)) continue;
    const S = getF(pS, i);
    const t = getF(pT, i);
    let h = getF(pHedge, i);
    let cash = getF(pCash, i);

    // 1. Carry over the interval.
    let dt = 0.0, dS = 0.0, financing = 0.0, borrow = 0.0, stockMtm = 0.0;
    if (k > 0) {
      const sPrev = getF(pSPrev, i);
      dt = t - getF(pTPrev, i);
      dS = S - sPrev;
      financing = cash * growthRate(getF(pRPrev, i) * dt) + h * sPrev * growthDiv(getF(pQPrev, i) * dt);
      if (h < 0.0) borrow = h * sPrev * (getF(pBPrev, i) * BPS) * dt;
      stockMtm = h * dS;
      cash = cash + financing + borrow;
    }

    // 2-4, one pass over the legs (each leg's terms in leg order, as separate passes would sum them):
    // 2-3. the mark-to-market of the legs held over the interval, explained by the previous step's Greeks;
    // 4. entries, exits and settlements, and the Greeks of the legs still held.
    let optionMtm = 0.0, bookDeltaBefore = 0.0, bookGamma = 0.0, bookTheta = 0.0, vegaPnl = 0.0;
    let carried = false;
    let optionCost = 0.0, entryEdge = 0.0, bookValue = 0.0, bookDelta = 0.0;
    let live = 0;
    for (let l = 0; l < nLegs; l++) {
      const j = i * nLegs + l;
      let state = getI(lState, j);
      if (state == LEG_DONE) continue;
      const qty = getF(bQty, j);
      const flags = getI(lFlags, j);
      const legCarried = (flags & FLAG_CARRIED) != 0;
      if (state == LEG_LIVE) {
        if (legCarried) {
          carried = true;
        } else {
          optionMtm += qty * (getF(cMark, j) - getF(lMark, j));
          // The vol of an expiring leg means nothing: its move to intrinsic stays in theta and the residual.
          if ((flags & FLAG_EXPIRING) == 0) vegaPnl += qty * getF(lVega, j) * (getF(cVol, j) - getF(lVol, j));
        }
        bookDeltaBefore += qty * getF(lDelta, j);
        bookGamma += qty * getF(lGamma, j);
        bookTheta += qty * getF(lTheta, j);
      }
      const row = getI(lRow, j);
      if (row < 0) continue;
      const mark = legCarried ? getF(lMark, j) : getF(cMark, j);
      const cost = Math.abs(qty) * (getF(cHalfSpread, j) + optionBps * BPS * mark);
      if (state == LEG_PENDING) {
        let entryPrice = getF(bEntryPrice, j);
        if (isNaN(entryPrice)) entryPrice = mark;
        cash -= qty * entryPrice;
        entryEdge += qty * (mark - entryPrice);
        optionCost -= cost;
        state = LEG_LIVE;
      }
      if ((flags & FLAG_EXPIRING) != 0) {
        cash += qty * mark; // settled at intrinsic value, no cost
        setI(lState, j, LEG_DONE);
        continue;
      }
      if (getI(bExit, j) == k || (closeAtEnd && last)) {
        cash += qty * mark;
        optionCost -= cost;
        setI(lState, j, LEG_DONE);
        continue;
      }
      setI(lState, j, state);
      if (!legCarried) {
        setF(lMark, j, mark);
        setF(lDelta, j, getF(rDelta, row));
        setF(lGamma, j, getF(rGamma, row));
        setF(lVega, j, getF(rVega, row));
        setF(lTheta, j, getF(rTheta, row));
        setF(lVol, j, getF(cVol, j));
      }
      bookValue += qty * getF(lMark, j);
      bookDelta += qty * getF(lDelta, j);
      live++;
    }
    const deltaPnl = (bookDeltaBefore + h) * dS;
    const gammaPnl = 0.5 * bookGamma * dS * dS;
    const thetaPnl = bookTheta * dt;
    cash += optionCost;

    // 5. The hedge.
    let target = h;
    if (live == 0 || (closeAtEnd && last)) {
      target = 0.0;
    } else if (mode == MODE_EVERY_STEP) {
      target = 0.0 - bookDelta;
    } else if (mode != MODE_NONE) {
      const net = bookDelta + h;
      const width = mode == MODE_BAND_SHARES ? band : band / S;
      if (Math.abs(net) > width) target = toEdge ? h - (net - (net > 0.0 ? width : -width)) : 0.0 - bookDelta;
    }
    const trade = target - h;
    let stockCost = 0.0;
    if (trade != 0.0) {
      const shares = Math.abs(trade);
      stockCost = -(shares * S * (stockBps * BPS) + shares * perShare);
      cash = cash - trade * S + stockCost;
      setI(pRebalances, i, getI(pRebalances, i) + 1);
      const tot = i * TOTALS;
      setF(pTotals, tot + T_SHARES_TRADED, getF(pTotals, tot + T_SHARES_TRADED) + shares);
      setF(pTotals, tot + T_NOTIONAL_TRADED, getF(pTotals, tot + T_NOTIONAL_TRADED) + shares * S);
    }
    h = target;

    const mtm = optionMtm + stockMtm + entryEdge;
    const residual = mtm - (deltaPnl + gammaPnl + vegaPnl + thetaPnl);
    const pnl = mtm + financing + borrow + stockCost + optionCost;
    if (carried) setI(pFlagged, i, 1);

    const idx = <usize>p * <usize>nStepsG + <usize>k;
    putStep(O_PNL, idx, pnl);
    putStep(O_DELTA, idx, deltaPnl);
    putStep(O_GAMMA, idx, gammaPnl);
    putStep(O_VEGA, idx, vegaPnl);
    putStep(O_THETA, idx, thetaPnl);
    putStep(O_FINANCING, idx, financing);
    putStep(O_BORROW, idx, borrow);
    putStep(O_STOCK_COST, idx, stockCost);
    putStep(O_OPTION_COST, idx, optionCost);
    putStep(O_RESIDUAL, idx, residual);
    putStep(O_HEDGE, idx, h);
    putStep(O_CASH, idx, cash);
    putStep(O_BOOK_VALUE, idx, bookValue);
    putStep(O_BOOK_DELTA, idx, bookDelta);
    const statusOut = stepOut(O_STATUS);
    if (statusOut != 0) store<i32>(statusOut + (idx << 2), carried ? HEDGE_CARRIED : HEDGE_OK);

    // The step columns' order T_PNL..T_RESIDUAL is that of O_PNL..O_RESIDUAL.
    const tot = i * TOTALS;
    setF(pTotals, tot + 0, getF(pTotals, tot + 0) + pnl);
    setF(pTotals, tot + 1, getF(pTotals, tot + 1) + deltaPnl);
    setF(pTotals, tot + 2, getF(pTotals, tot + 2) + gammaPnl);
    setF(pTotals, tot + 3, getF(pTotals, tot + 3) + vegaPnl);
    setF(pTotals, tot + 4, getF(pTotals, tot + 4) + thetaPnl);
    setF(pTotals, tot + 5, getF(pTotals, tot + 5) + financing);
    setF(pTotals, tot + 6, getF(pTotals, tot + 6) + borrow);
    setF(pTotals, tot + 7, getF(pTotals, tot + 7) + stockCost);
    setF(pTotals, tot + 8, getF(pTotals, tot + 8) + optionCost);
    setF(pTotals, tot + 9, getF(pTotals, tot + 9) + residual);

    setF(pHedge, i, h);
    setF(pCash, i, cash);
    setF(pSPrev, i, S);
    setF(pTPrev, i, t);
    setF(pRPrev, i, getF(pR, i));
    setF(pQPrev, i, getF(pQ, i));
    setF(pBPrev, i, getF(pB, i));
  }
}

/** Writes the block's path outputs; returns the number of failed paths. */
function finishBlock(p0: i32, nb: i32, pathOut: usize): i32 {
  let failed = 0;
  for (let i = 0; i < nb; i++) {
    const p = p0 + i;
    let status = getI(pStatus, i);
    const bad = status >= HEDGE_FIRST_FAILURE;
    if (bad) failed++;
    else if (getI(pFlagged, i) != 0) status = HEDGE_CARRIED;
    for (let j = 0; j < TOTALS; j++) {
      const base = <usize>load<u32>(pathOut + (<usize>j << 2));
      if (base != 0) store<f64>(base + (<usize>p << 3), bad ? NaN : getF(pTotals, i * TOTALS + j));
    }
    const rebalances = <usize>load<u32>(pathOut + (<usize>T_REBALANCES << 2));
    if (rebalances != 0) store<i32>(rebalances + (<usize>p << 2), getI(pRebalances, i));
    store<i32>(<usize>load<u32>(pathOut + (<usize>T_STATUS << 2)) + (<usize>p << 2), status);
    const failedStep = <usize>load<u32>(pathOut + (<usize>T_FAILED_STEP << 2));
    if (failedStep != 0) store<i32>(failedStep + (<usize>p << 2), getI(pFailedStep, i));
  }
  return failed;
}

/** Reads and checks the parameter block. */
function readParams(params: usize): bool {
  const m = load<f64>(params, P_MODE << 3);
  const to = load<f64>(params, P_REBALANCE_TO << 3);
  const markMode = load<f64>(params, P_MARK_MODE << 3);
  const close = load<f64>(params, P_CLOSE_AT_END << 3);
  const carry = load<f64>(params, P_CARRY_BAD_MARKS << 3);
  band = load<f64>(params, P_BAND << 3);
  stockBps = load<f64>(params, P_STOCK_BPS << 3);
  perShare = load<f64>(params, P_STOCK_PER_SHARE << 3);
  optionBps = load<f64>(params, P_OPTION_BPS << 3);
  const modeOk = m == <f64>MODE_NONE || m == <f64>MODE_EVERY_STEP || m == <f64>MODE_BAND_SHARES || m == <f64>MODE_BAND_DOLLARS;
  const flagsOk = (to == <f64>REBALANCE_TO_CENTER || to == <f64>REBALANCE_TO_EDGE) &&
    (markMode == <f64>MARK_FROM_VOL || markMode == <f64>MARK_FROM_PRICE) &&
    (close == 0.0 || close == 1.0) && (carry == 0.0 || carry == 1.0);
  const amountsOk = band >= 0.0 && band < Infinity && stockBps >= 0.0 && stockBps < Infinity &&
    perShare >= 0.0 && perShare < Infinity && optionBps >= 0.0 && optionBps < Infinity;
  if (!modeOk || !flagsOk || !amountsOk) return false;
  mode = <i32>m;
  toEdge = to == <f64>REBALANCE_TO_EDGE;
  markFromPrice = markMode == <f64>MARK_FROM_PRICE;
  closeAtEnd = close == 1.0;
  carryBadMarks = carry == 1.0;
  return true;
}

/**
 * Hedges the book along nPaths paths of nSteps steps. `params`: PARAM_SLOTS f64; `inputs`: the input column table
 * (IN_COLUMNS x IN_SLOTS i32); `stepOut`: STEP_OUT_SLOTS column addresses (nPaths*nSteps each, path-major), 0 to
 * skip all; `pathOut`: PATH_OUT_SLOTS column addresses (nPaths each; status required); `scratch`:
 * hedgeScratchBytes(nLegs) bytes. Required columns: strike, expiry, isCall, quantity, spot, time, rate, div, vol,
 * and mark with MARK_FROM_PRICE. Returns the number of failed paths (status >= HEDGE_FIRST_FAILURE), or
 * HEDGE_BAD_SHAPE / HEDGE_BAD_PARAMS with nothing written.
 */
export function hedgeRun(
  nPaths: i32, nSteps: i32, nLegs: i32, params: usize, inputs: usize, stepOutTable: usize, pathOut: usize, scratch: usize,
): i32 {
  if (nPaths < 0 || nSteps < 1 || nLegs < 0 || nLegs > MAX_LEGS) return HEDGE_BAD_SHAPE;
  if (params == 0 || inputs == 0 || pathOut == 0 || scratch == 0) return HEDGE_BAD_SHAPE;
  if (load<u32>(pathOut + (<usize>T_STATUS << 2)) == 0) return HEDGE_BAD_SHAPE;
  if (!decodeColumns(inputs)) return HEDGE_BAD_SHAPE;
  if (!readParams(params)) return HEDGE_BAD_PARAMS;
  if (nLegs > 0 && !(columnPresent(IN_STRIKE) && columnPresent(IN_EXPIRY) && columnPresent(IN_IS_CALL) &&
    columnPresent(IN_QUANTITY) && columnPresent(IN_VOL) && (!markFromPrice || columnPresent(IN_MARK)))) {
    return HEDGE_BAD_SHAPE;
  }
  if (!(columnPresent(IN_SPOT) && columnPresent(IN_TIME) && columnPresent(IN_RATE) && columnPresent(IN_DIV))) {
    return HEDGE_BAD_SHAPE;
  }
  for (let slot = 0; slot < STEP_OUT_SLOTS; slot++) {
    store<u32>(STEP_OUT + (<usize>slot << 2), stepOutTable == 0 ? 0 : load<u32>(stepOutTable + (<usize>slot << 2)));
  }
  nStepsG = nSteps;
  nLegsG = nLegs;
  hasEntryPrice = columnPresent(IN_ENTRY_PRICE);
  hasEntryStep = columnPresent(IN_ENTRY_STEP);
  hasExitStep = columnPresent(IN_EXIT_STEP);
  hasBorrow = columnPresent(IN_BORROW);
  hasHalfSpread = columnPresent(IN_HALF_SPREAD);
  memoRateArg = 0.0;
  memoRateValue = 0.0;
  memoDivArg = 0.0;
  memoDivValue = 0.0;
  layoutScratch(scratch, nLegs);
  const block = blockPaths(nLegs);
  let failed = 0;
  for (let p0 = 0; p0 < nPaths; p0 += block) {
    const nb = nPaths - p0 < block ? nPaths - p0 : block;
    initBlock(p0, nb);
    for (let k = 0; k < nSteps; k++) {
      const rows = gather(p0, nb, k);
      if (rows > 0) {
        hedgeMarks(rows, rSpot, rStrike, rT, rRate, rDiv, rVol, rIsCall, rX, rPrice, rDelta, rGamma, rVega, rTheta, rStatus);
      }
      consume(p0, nb, k);
    }
    failed += finishBlock(p0, nb, pathOut);
  }
  return failed;
}
