// Quasi-explicit SVI calibration per expiry (De Marco & Martini, "Quasi-explicit calibration of Gatheral's
// SVI model", Zeliade white paper ZWP-0005, 2009). Mirrors src/kernels/svi/reference.ts operation by
// operation; see that file for the derivation. No allocation: scratch is static (memory.data) or the
// caller's buffer.
import { rawW } from "./eval";
import { sviButterflyScan } from "./butterfly";
import {
  FLAG_ENFORCE_LEE, MAX_INTERVALS, OUT_A, OUT_B, OUT_INTERVAL_COUNT, OUT_ITERATIONS, OUT_M, OUT_OBJECTIVE,
  OUT_RHO, OUT_RMSE_VOL, OUT_RMSE_W, OUT_SIGMA, OUT_STRIDE, RHO_MAX, STATUS_BAD_MATURITY, STATUS_BAD_WEIGHT,
  STATUS_DEGENERATE, STATUS_NEGATIVE_VARIANCE, STATUS_NON_FINITE, STATUS_NOT_CONVERGED, STATUS_OK,
  STATUS_TOO_FEW_QUOTES,
} from "./constants";

const MAX_CONS: i32 = 4;
const FEAS_TOL: f64 = 1e-12;
const GOLDEN: f64 = 0.6180339887498949;
const NM_STARTS: i32 = 4;

const cons: usize = memory.data(MAX_CONS * 4 * 8, 16);
const kkt: usize = memory.data(6 * 7 * 8, 16);
const normal: usize = memory.data(10 * 8, 16);
const simplex: usize = memory.data(9 * 8, 16);
const rows: usize = memory.data(MAX_CONS * 4, 16);

let candX0: f64 = 0, candX1: f64 = 0, candX2: f64 = 0;
let innerA: f64 = 0, innerD: f64 = 0, innerC: f64 = 0;
let boxMLo: f64 = 0, boxMHi: f64 = 0, boxSLo: f64 = 0, boxSHi: f64 = 0;

@inline function ld(ptr: usize, i: i32): f64 {
  return load<f64>(ptr + (<usize>i << 3));
}

@inline function st(ptr: usize, i: i32, v: f64): void {
  store<f64>(ptr + (<usize>i << 3), v);
}

function setCons(j: i32, g0: f64, g1: f64, g2: f64, h: f64): void {
  st(cons, j * 4, g0); st(cons, j * 4 + 1, g1); st(cons, j * 4 + 2, g2); st(cons, j * 4 + 3, h);
}

function gaussSolve(n: i32, cols: i32): bool {
  for (let col = 0; col < n; col++) {
    let piv = col;
    let best = abs<f64>(ld(kkt, col * cols + col));
    for (let r = col + 1; r < n; r++) {
      const v = abs<f64>(ld(kkt, r * cols + col));
      if (v > best) { best = v; piv = r; }
    }
    if (!(best > 1e-300)) return false;
    if (piv != col) {
      for (let c = col; c < cols; c++) {
        const t = ld(kkt, col * cols + c);
        st(kkt, col * cols + c, ld(kkt, piv * cols + c));
        st(kkt, piv * cols + c, t);
      }
    }
    const d = ld(kkt, col * cols + col);
    for (let r = col + 1; r < n; r++) {
      const f = ld(kkt, r * cols + col) / d;
      if (f != 0) {
        for (let c = col; c < cols; c++) st(kkt, r * cols + c, ld(kkt, r * cols + c) - f * ld(kkt, col * cols + c));
      }
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = ld(kkt, r * cols + n);
    for (let c = r + 1; c < n; c++) s -= ld(kkt, r * cols + c) * ld(kkt, c * cols + n);
    st(kkt, r * cols + n, s / ld(kkt, r * cols + r));
  }
  const x0 = ld(kkt, n), x1 = ld(kkt, cols + n), x2 = ld(kkt, 2 * cols + n);
  if (!(isFinite<f64>(x0) && isFinite<f64>(x1) && isFinite<f64>(x2))) return false;
  candX0 = x0; candX1 = x1; candX2 = x2;
  return true;
}

function solveFace(active: i32, ncons: i32): bool {
  let p: i32 = 0;
  for (let j = 0; j < ncons; j++) {
    if ((active >> j) & 1) {
      store<i32>(rows + (<usize>p << 2), j);
      p++;
    }
  }
  const n = 3 + p;
  const cols = n + 1;
  const h0 = ld(normal, 0), h1 = ld(normal, 1), h2 = ld(normal, 2);
  const h3 = ld(normal, 3), h4 = ld(normal, 4), h5 = ld(normal, 5);
  memory.fill(kkt, 0, 6 * 7 * 8);
  st(kkt, 0, h0); st(kkt, 1, h1); st(kkt, 2, h2); st(kkt, n, ld(normal, 6));
  st(kkt, cols, h1); st(kkt, cols + 1, h3); st(kkt, cols + 2, h4); st(kkt, cols + n, ld(normal, 7));
  st(kkt, 2 * cols, h2); st(kkt, 2 * cols + 1, h4); st(kkt, 2 * cols + 2, h5); st(kkt, 2 * cols + n, ld(normal, 8));
  for (let q = 0; q < p; q++) {
    const j = load<i32>(rows + (<usize>q << 2));
    const g0 = ld(cons, j * 4), g1 = ld(cons, j * 4 + 1), g2 = ld(cons, j * 4 + 2);
    st(kkt, 3 + q, g0); st(kkt, cols + 3 + q, g1); st(kkt, 2 * cols + 3 + q, g2);
    const r = (3 + q) * cols;
    st(kkt, r, g0); st(kkt, r + 1, g1); st(kkt, r + 2, g2); st(kkt, r + n, ld(cons, j * 4 + 3));
  }
  return gaussSolve(n, cols);
}

function feasibleLinear(ncons: i32): bool {
  for (let j = 0; j < ncons; j++) {
    const v = ld(cons, j * 4) * candX0 + ld(cons, j * 4 + 1) * candX1 + ld(cons, j * 4 + 2) * candX2 - ld(cons, j * 4 + 3);
    if (v < -FEAS_TOL) return false;
  }
  return true;
}

function objectiveOf(x0: f64, x1: f64, x2: f64): f64 {
  const h0 = ld(normal, 0), h1 = ld(normal, 1), h2 = ld(normal, 2);
  const h3 = ld(normal, 3), h4 = ld(normal, 4), h5 = ld(normal, 5);
  const quad = h0 * x0 * x0 + h3 * x1 * x1 + h5 * x2 * x2 + 2 * (h1 * x0 * x1 + h2 * x0 * x2 + h4 * x1 * x2);
  const lin = ld(normal, 6) * x0 + ld(normal, 7) * x1 + ld(normal, 8) * x2;
  const v = quad - 2 * lin + ld(normal, 9);
  return v > 0 ? v : 0;
}

function popcount(v: i32): i32 {
  let c: i32 = 0;
  let x = v;
  while (x != 0) { c += x & 1; x >>= 1; }
  return c;
}

function solvePolyhedral(ncons: i32): f64 {
  let bestObj: f64 = Infinity;
  if (solveFace(0, ncons) && feasibleLinear(ncons)) {
    innerA = candX0; innerD = candX1; innerC = candX2;
    return objectiveOf(innerA, innerD, innerC);
  }
  const full = 1 << ncons;
  for (let mask = 1; mask < full; mask++) {
    if (popcount(mask) > 3) continue;
    if (!solveFace(mask, ncons) || !feasibleLinear(ncons)) continue;
    const obj = objectiveOf(candX0, candX1, candX2);
    if (obj < bestObj) {
      bestObj = obj;
      innerA = candX0; innerD = candX1; innerC = candX2;
    }
  }
  return bestObj;
}

function residual(w: usize, wt: usize, ys: usize, zs: usize, off: i32, n: i32): f64 {
  const a = innerA, d = innerD, c = innerC;
  let sum: f64 = 0;
  for (let i = off; i < off + n; i++) {
    const e = a + d * ld(ys, i) + c * ld(zs, i) - ld(w, i);
    sum += ld(wt, i) * e * e;
  }
  return sum;
}

function innerSolve(k: usize, w: usize, wt: usize, ys: usize, zs: usize, off: i32, n: i32, m: f64, sigma: f64, wingBound: f64): f64 {
  let s0: f64 = 0, sy: f64 = 0, sz: f64 = 0, syy: f64 = 0, syz: f64 = 0;
  let sw: f64 = 0, swy: f64 = 0, swz: f64 = 0, sww: f64 = 0;
  const inv = 1 / sigma;
  for (let i = off; i < off + n; i++) {
    const W = ld(wt, i);
    const y = (ld(k, i) - m) * inv;
    const z = sqrt<f64>(y * y + 1);
    st(ys, i, y);
    st(zs, i, z);
    const wi = ld(w, i);
    const Wy = W * y;
    const Wz = W * z;
    s0 += W; sy += Wy; sz += Wz;
    syy += Wy * y; syz += Wy * z;
    sw += W * wi; swy += Wy * wi; swz += Wz * wi; sww += W * wi * wi;
  }
  st(normal, 0, s0); st(normal, 1, sy); st(normal, 2, sz);
  st(normal, 3, syy); st(normal, 4, syz); st(normal, 5, syy + s0);
  st(normal, 6, sw); st(normal, 7, swy); st(normal, 8, swz); st(normal, 9, sww);
  const cap = wingBound * sigma;
  setCons(0, 0, -1, RHO_MAX, 0);
  setCons(1, 0, 1, RHO_MAX, 0);
  setCons(2, 0, -1, -1, -cap);
  setCons(3, 0, 1, -1, -cap);
  solvePolyhedral(4);
  const a = innerA, d = innerD, c = innerC;
  const q = c * c - d * d;
  const root = q > 0 ? sqrt<f64>(q) : 0;
  if (a + root < -FEAS_TOL) boundarySolve(cap);
  return residual(w, wt, ys, zs, off, n);
}

let boundaryC: f64 = 0;

/** Objective on the surface a = -sqrt(c^2 - d^2) at d = r c, minimised over c (which goes to boundaryC). */
function boundaryObjective(r: f64, cap: f64): f64 {
  const s0 = ld(normal, 0), sy = ld(normal, 1), sz = ld(normal, 2), syy = ld(normal, 3), syz = ld(normal, 4);
  const szz = ld(normal, 5), sw = ld(normal, 6), swy = ld(normal, 7), swz = ld(normal, 8), sww = ld(normal, 9);
  const q = sqrt<f64>(1 - r * r);
  const p = r * swy + swz - q * sw;
  const qq = r * r * syy + szz + q * q * s0 + 2 * r * syz - 2 * r * q * sy - 2 * q * sz;
  let c: f64 = qq > 0 ? p / qq : 0;
  const hi = cap / (1 + (r < 0 ? -r : r));
  if (c < 0) c = 0;
  if (c > hi) c = hi;
  boundaryC = c;
  return sww - 2 * c * p + c * c * qq;
}

/** See boundarySolve in src/kernels/svi/reference.ts: the optimum on the w >= 0 surface, a 1-D search. */
function boundarySolve(cap: f64): void {
  let bestR: f64 = 0, bestF: f64 = Infinity;
  const cells: i32 = 16;
  for (let j = 0; j <= cells; j++) {
    const r = -RHO_MAX + (2 * RHO_MAX * <f64>j) / <f64>cells;
    const f = boundaryObjective(r, cap);
    if (f < bestF) { bestF = f; bestR = r; }
  }
  const h = (2 * RHO_MAX) / <f64>cells;
  let l: f64 = bestR - h > -RHO_MAX ? bestR - h : -RHO_MAX;
  let u: f64 = bestR + h < RHO_MAX ? bestR + h : RHO_MAX;
  let x1 = u - GOLDEN * (u - l), x2 = l + GOLDEN * (u - l);
  let f1 = boundaryObjective(x1, cap), f2 = boundaryObjective(x2, cap);
  for (let i = 0; i < 100; i++) {
    if (u - l <= 1e-13) break;
    if (f1 < f2) { u = x2; x2 = x1; f2 = f1; x1 = u - GOLDEN * (u - l); f1 = boundaryObjective(x1, cap); }
    else { l = x1; x1 = x2; f1 = f2; x2 = l + GOLDEN * (u - l); f2 = boundaryObjective(x2, cap); }
  }
  let r = f1 < f2 ? x1 : x2;
  if ((f1 < f2 ? f1 : f2) > bestF) r = bestR;
  boundaryObjective(r, cap);
  const c = boundaryC;
  innerA = -c * sqrt<f64>(1 - r * r);
  innerD = c * r;
  innerC = c;
}

function outerObjective(k: usize, w: usize, wt: usize, ys: usize, zs: usize, off: i32, n: i32, wing: f64, m: f64, s: f64): f64 {
  let mc = m, sc = s, pen: f64 = 0;
  if (mc < boxMLo) { pen += (boxMLo - mc) * (boxMLo - mc); mc = boxMLo; }
  if (mc > boxMHi) { pen += (mc - boxMHi) * (mc - boxMHi); mc = boxMHi; }
  if (sc < boxSLo) { pen += (boxSLo - sc) * (boxSLo - sc); sc = boxSLo; }
  if (sc > boxSHi) { pen += (sc - boxSHi) * (sc - boxSHi); sc = boxSHi; }
  return innerSolve(k, w, wt, ys, zs, off, n, mc, sc, wing) + pen;
}

function setVertex(v: i32, m: f64, s: f64, f: f64): void {
  st(simplex, v * 3, m); st(simplex, v * 3 + 1, s); st(simplex, v * 3 + 2, f);
}

function swapVertex(i: i32, j: i32): void {
  for (let c = 0; c < 3; c++) {
    const t = ld(simplex, i * 3 + c);
    st(simplex, i * 3 + c, ld(simplex, j * 3 + c));
    st(simplex, j * 3 + c, t);
  }
}

function sortSimplex(): void {
  if (ld(simplex, 5) < ld(simplex, 2)) swapVertex(0, 1);
  if (ld(simplex, 8) < ld(simplex, 5)) swapVertex(1, 2);
  if (ld(simplex, 5) < ld(simplex, 2)) swapVertex(0, 1);
}

function nelderMead(
  k: usize, w: usize, wt: usize, ys: usize, zs: usize, off: i32, n: i32, wing: f64,
  m0: f64, s0: f64, dm: f64, ds: f64, xtol: f64, maxIter: i32,
): i32 {
  setVertex(0, m0, s0, outerObjective(k, w, wt, ys, zs, off, n, wing, m0, s0));
  setVertex(1, m0 + dm, s0, outerObjective(k, w, wt, ys, zs, off, n, wing, m0 + dm, s0));
  setVertex(2, m0, s0 + ds, outerObjective(k, w, wt, ys, zs, off, n, wing, m0, s0 + ds));
  for (let it = 0; it < maxIter; it++) {
    sortSimplex();
    const bm = ld(simplex, 0), bs = ld(simplex, 1), bf = ld(simplex, 2);
    const mm = ld(simplex, 3), ms = ld(simplex, 4), mf = ld(simplex, 5);
    const wm = ld(simplex, 6), ws = ld(simplex, 7), wf = ld(simplex, 8);
    const spread = max<f64>(max<f64>(abs<f64>(mm - bm), abs<f64>(wm - bm)), max<f64>(abs<f64>(ms - bs), abs<f64>(ws - bs)));
    if (spread <= xtol || (wf - bf <= 1e-15 * bf && spread <= 1e3 * xtol)) return it;
    const cm = 0.5 * (bm + mm), cs = 0.5 * (bs + ms);
    const rm = cm + (cm - wm), rs = cs + (cs - ws);
    const rf = outerObjective(k, w, wt, ys, zs, off, n, wing, rm, rs);
    if (rf < bf) {
      const em = cm + 2 * (cm - wm), es = cs + 2 * (cs - ws);
      const ef = outerObjective(k, w, wt, ys, zs, off, n, wing, em, es);
      if (ef < rf) setVertex(2, em, es, ef);
      else setVertex(2, rm, rs, rf);
    } else if (rf < mf) {
      setVertex(2, rm, rs, rf);
    } else {
      let shrink = false;
      if (rf < wf) {
        const om = cm + 0.5 * (rm - cm), os = cs + 0.5 * (rs - cs);
        const oc = outerObjective(k, w, wt, ys, zs, off, n, wing, om, os);
        if (oc <= rf) setVertex(2, om, os, oc);
        else shrink = true;
      } else {
        const im = cm - 0.5 * (cm - wm), is = cs - 0.5 * (cs - ws);
        const iff = outerObjective(k, w, wt, ys, zs, off, n, wing, im, is);
        if (iff < wf) setVertex(2, im, is, iff);
        else shrink = true;
      }
      if (shrink) {
        const m1 = bm + 0.5 * (mm - bm), s1 = bs + 0.5 * (ms - bs);
        setVertex(1, m1, s1, outerObjective(k, w, wt, ys, zs, off, n, wing, m1, s1));
        const m2 = bm + 0.5 * (wm - bm), s2 = bs + 0.5 * (ws - bs);
        setVertex(2, m2, s2, outerObjective(k, w, wt, ys, zs, off, n, wing, m2, s2));
      }
    }
  }
  sortSimplex();
  return -maxIter;
}

function validateSlice(k: usize, w: usize, wt: usize, wn: usize, off: i32, n: i32, t: f64): i32 {
  if (n < 5) return STATUS_TOO_FEW_QUOTES;
  if (!(t > 0) || !isFinite<f64>(t)) return STATUS_BAD_MATURITY;
  let sum: f64 = 0;
  let positive: i32 = 0;
  for (let i = off; i < off + n; i++) {
    const ki = ld(k, i), wi = ld(w, i), W = ld(wt, i);
    if (!isFinite<f64>(ki) || !isFinite<f64>(wi) || !isFinite<f64>(W)) return STATUS_NON_FINITE;
    if (wi < 0) return STATUS_NEGATIVE_VARIANCE;
    if (W < 0) return STATUS_BAD_WEIGHT;
    if (W > 0) positive += 1;
    sum += W;
  }
  if (positive < 5) return positive == 0 ? STATUS_BAD_WEIGHT : STATUS_TOO_FEW_QUOTES;
  let k0: f64 = NaN, k1: f64 = NaN;
  let distinct: i32 = 0;
  for (let i = off; i < off + n; i++) {
    if (!(ld(wt, i) > 0)) continue;
    const ki = ld(k, i);
    if (distinct == 0) { k0 = ki; distinct = 1; }
    else if (distinct == 1 && ki != k0) { k1 = ki; distinct = 2; }
    else if (distinct == 2 && ki != k0 && ki != k1) { distinct = 3; break; }
  }
  if (distinct < 3) return STATUS_TOO_FEW_QUOTES;
  const inv = 1 / sum;
  for (let i = off; i < off + n; i++) st(wn, i, ld(wt, i) * inv);
  return STATUS_OK;
}

@inline function clamp(v: f64, lo: f64, hi: f64): f64 {
  return v < lo ? lo : v > hi ? hi : v;
}

function fitSlice(
  k: usize, w: usize, wt: usize, wn: usize, ys: usize, zs: usize, off: i32, n: i32, t: f64,
  flags: i32, maxIter: i32, out: usize, intervals: usize,
): i32 {
  for (let f = 0; f < OUT_STRIDE; f++) st(out, f, NaN);
  st(out, OUT_INTERVAL_COUNT, 0);
  const status = validateSlice(k, w, wt, wn, off, n, t);
  if (status != STATUS_OK) return status;
  let kmin: f64 = Infinity, kmax: f64 = -Infinity, wmin: f64 = Infinity, kAtMin: f64 = 0;
  for (let i = off; i < off + n; i++) {
    if (!(ld(wn, i) > 0)) continue;
    const ki = ld(k, i), wi = ld(w, i);
    if (ki < kmin) kmin = ki;
    if (ki > kmax) kmax = ki;
    if (wi < wmin) { wmin = wi; kAtMin = ki; }
  }
  const span = kmax - kmin;
  boxMLo = kmin - span; boxMHi = kmax + span; boxSLo = 1e-4 * span; boxSHi = 10 * span;
  const wing: f64 = (flags & FLAG_ENFORCE_LEE) != 0 ? 2 : 4;
  let bestM = kAtMin, bestS = 0.1 * span, bestF: f64 = Infinity;
  let iterations: i32 = 0;
  const startTol = 1e-4 * span;
  for (let s = 0; s < NM_STARTS; s++) {
    let m0 = kAtMin, s0 = 0.1 * span;
    if (s == 1) { s0 = 0.5 * span; }
    if (s == 2) { m0 = kmin + 0.25 * span; s0 = 0.2 * span; }
    if (s == 3) { m0 = kmax - 0.25 * span; s0 = 0.2 * span; }
    const used = nelderMead(k, w, wn, ys, zs, off, n, wing, m0, s0, 0.1 * span, 0.5 * s0, startTol, maxIter);
    iterations += used < 0 ? -used : used;
    if (ld(simplex, 2) < bestF) { bestF = ld(simplex, 2); bestM = ld(simplex, 0); bestS = ld(simplex, 1); }
  }
  let converged = false;
  for (let p = 0; p < 3; p++) {
    const used = nelderMead(k, w, wn, ys, zs, off, n, wing, bestM, bestS, 1e-3 * span, 1e-2 * bestS, 1e-12 * span, maxIter);
    iterations += used < 0 ? -used : used;
    const f = ld(simplex, 2);
    converged = used >= 0;
    const improved = f < bestF;
    if (f <= bestF) { bestF = f; bestM = ld(simplex, 0); bestS = ld(simplex, 1); }
    if (!improved && converged) break;
  }
  const mFit = clamp(bestM, boxMLo, boxMHi);
  const sFit = clamp(bestS, boxSLo, boxSHi);
  const obj = innerSolve(k, w, wn, ys, zs, off, n, mFit, sFit, wing);
  const a = innerA, d = innerD, c = innerC;
  const b = c / sFit;
  let rho: f64 = c > 0 ? d / c : 0;
  if (rho > RHO_MAX) rho = RHO_MAX;
  if (rho < -RHO_MAX) rho = -RHO_MAX;
  if (!(isFinite<f64>(a) && isFinite<f64>(b) && isFinite<f64>(rho))) return STATUS_DEGENERATE;
  let sqW: f64 = 0, sqV: f64 = 0;
  let count: i32 = 0;
  for (let i = off; i < off + n; i++) {
    if (!(ld(wn, i) > 0)) continue;
    const fit = rawW(a, b, rho, mFit, sFit, ld(k, i));
    const wi = ld(w, i);
    const e = fit - wi;
    const v = sqrt<f64>((fit > 0 ? fit : 0) / t) - sqrt<f64>(wi / t);
    sqW += e * e; sqV += v * v; count += 1;
  }
  st(out, OUT_A, a);
  st(out, OUT_B, b);
  st(out, OUT_RHO, rho);
  st(out, OUT_M, mFit);
  st(out, OUT_SIGMA, sFit);
  st(out, OUT_RMSE_VOL, sqrt<f64>(sqV / <f64>count));
  st(out, OUT_RMSE_W, sqrt<f64>(sqW / <f64>count));
  st(out, OUT_ITERATIONS, <f64>iterations);
  st(out, OUT_OBJECTIVE, obj);
  st(out, OUT_INTERVAL_COUNT, <f64>sviButterflyScan(a, b, rho, mFit, sFit, intervals, MAX_INTERVALS));
  return converged ? STATUS_OK : STATUS_NOT_CONVERGED;
}

/**
 * Calibrates nSlices slices. Slice s owns quotes offsets[s]..offsets[s+1]-1 of k, w, weight; t[s] is its
 * maturity in years (for the RMSE in vol). Writes OUT_STRIDE f64 per slice to out, an i32 status per slice,
 * and MAX_INTERVALS [from, to] pairs per slice to intervals. scratch holds 3 f64 per quote. Returns 0.
 */
export function sviFitBatch(
  nSlices: i32, offsets: usize, k: usize, w: usize, weight: usize, t: usize, flags: i32, maxIter: i32,
  out: usize, status: usize, intervals: usize, scratch: usize,
): i32 {
  const total = nSlices > 0 ? load<i32>(offsets + (<usize>nSlices << 2)) : 0;
  const wn = scratch;
  const ys = scratch + (<usize>total << 3);
  const zs = ys + (<usize>total << 3);
  for (let s = 0; s < nSlices; s++) {
    const off = load<i32>(offsets + (<usize>s << 2));
    const n = load<i32>(offsets + (<usize>(s + 1) << 2)) - off;
    const code = fitSlice(
      k, w, weight, wn, ys, zs, off, n, ld(t, s), flags, maxIter,
      out + (<usize>(s * OUT_STRIDE) << 3), intervals + (<usize>(s * MAX_INTERVALS * 2) << 3),
    );
    store<i32>(status + (<usize>s << 2), code);
  }
  return 0;
}
