/**
 * SVI calibration per expiry: the quasi-explicit method, a constrained linear least-squares problem inside a
 * Nelder–Mead search over (m, sigma). Written once for both builds (docs/kernels.md, "Writing a kernel once"): no
 * allocation, every buffer (the solver's fixed scratch included) is the caller's.
 *
 * Sources:
 * - Quasi-explicit calibration: De Marco & Martini, "Quasi-explicit calibration of Gatheral's SVI model",
 *   Zeliade white paper ZWP-0005, 2009: with y = (k - m)/sigma the slice is w = a + d*y + c*sqrt(y^2 + 1),
 *   linear in (a, d, c) = (a, rho*b*sigma, b*sigma); the hard constraints are linear in (a, d, c) except the
 *   minimum-variance one, a + sqrt(c^2 - d^2) >= 0, whose feasible set is convex (sqrt(c^2 - d^2) is concave
 *   on |d| <= c), so when the polyhedral optimum violates it the optimum lies on its surface, where the
 *   problem reduces to one dimension (see boundarySolve).
 * - Nelder–Mead with the standard coefficients (1, 2, 1/2, 1/2): Lagarias, Reeds, Wright & Wright, SIAM J.
 *   Optim. 9(1), 1998.
 */
import { loadF64, loadI32, offsetF64, storeF64, storeI32 } from "../memory.ts";
import {
  FLAG_ENFORCE_LEE, MAX_INTERVALS, OUT_A, OUT_B, OUT_INTERVAL_COUNT, OUT_ITERATIONS, OUT_M, OUT_OBJECTIVE,
  OUT_RHO, OUT_RMSE_VOL, OUT_RMSE_W, OUT_SIGMA, OUT_STRIDE, RHO_MAX, STATUS_BAD_MATURITY, STATUS_BAD_WEIGHT,
  STATUS_DEGENERATE, STATUS_NEGATIVE_VARIANCE, STATUS_NON_FINITE, STATUS_NOT_CONVERGED, STATUS_OK,
  STATUS_TOO_FEW_QUOTES, SVI_FIT_SCRATCH_PER_QUOTE,
} from "./constants.ts";
import { sviButterflyScan } from "./butterfly.ts";
import { rawW } from "./eval.ts";

// Inner problem: weighted least squares in (a, d, c) for fixed (m, sigma), exactly, under
//   rhoMax*c - d >= 0, rhoMax*c + d >= 0          (|rho| <= rhoMax < 1, which implies b >= 0)
//   S*sigma - c - d >= 0, S*sigma - c + d >= 0     (b(1 + |rho|) <= S, S = 4, or Lee's 2 when enforced)
//   a + sqrt(c^2 - d^2) >= 0                        (w >= 0 everywhere: a + b*sigma*sqrt(1 - rho^2) >= 0)
// The minimiser of a convex QP lies in the relative interior of one face; solving the equality-constrained
// problem on every face (active sets of size <= 3 in three unknowns) and keeping the best feasible point
// finds it exactly (De Marco & Martini, section 3).

const MAX_CONS: i32 = 4;
const FEAS_TOL: f64 = 1e-12;
const GOLDEN: f64 = 0.6180339887498949;
const NM_STARTS: i32 = 4;

// The solver's fixed scratch, carved out of the caller's scratch buffer by sviFitBatch (kernels are
// single-threaded per instance, so one set of pointers serves every slice of a batch):
/** Constraint rows [g0, g1, g2, h] meaning g . (a, d, c) >= h. */
let cons: usize = 0;
/** The KKT system of one face, at most 6 x 7. */
let kkt: usize = 0;
/** Normal equations: H (6 distinct entries) and f (3), plus the sum of W w^2. */
let normal: usize = 0;
/** Nelder–Mead's three vertices, (m, sigma, f) each. */
let simplex: usize = 0;
/** The active constraints' indices (i32). */
let rows: usize = 0;

let candX0: f64 = 0, candX1: f64 = 0, candX2: f64 = 0;
let innerA: f64 = 0, innerD: f64 = 0, innerC: f64 = 0;
let boxMLo: f64 = 0, boxMHi: f64 = 0, boxSLo: f64 = 0, boxSHi: f64 = 0;

function setCons(j: i32, g0: f64, g1: f64, g2: f64, h: f64): void {
  storeF64(cons, j * 4, g0); storeF64(cons, j * 4 + 1, g1); storeF64(cons, j * 4 + 2, g2); storeF64(cons, j * 4 + 3, h);
}

/** Gaussian elimination with partial pivoting on the augmented matrix in `kkt`; the solution goes to candX*. */
function gaussSolve(n: i32, cols: i32): bool {
  const m = kkt; // the global pointer once, in a local (a register in WebAssembly)
  for (let col = 0; col < n; col++) {
    let piv = col;
    let best = Math.abs(loadF64(m, col * cols + col));
    for (let r = col + 1; r < n; r++) {
      const v = Math.abs(loadF64(m, r * cols + col));
      if (v > best) { best = v; piv = r; }
    }
    if (!(best > 1e-300)) return false;
    if (piv != col) {
      for (let c = col; c < cols; c++) {
        const t = loadF64(m, col * cols + c);
        storeF64(m, col * cols + c, loadF64(m, piv * cols + c));
        storeF64(m, piv * cols + c, t);
      }
    }
    const d = loadF64(m, col * cols + col);
    for (let r = col + 1; r < n; r++) {
      const f = loadF64(m, r * cols + col) / d;
      if (f != 0) {
        for (let c = col; c < cols; c++) storeF64(m, r * cols + c, loadF64(m, r * cols + c) - f * loadF64(m, col * cols + c));
      }
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = loadF64(m, r * cols + n);
    for (let c = r + 1; c < n; c++) s -= loadF64(m, r * cols + c) * loadF64(m, c * cols + n);
    storeF64(m, r * cols + n, s / loadF64(m, r * cols + r));
  }
  const x0 = loadF64(m, n), x1 = loadF64(m, cols + n), x2 = loadF64(m, 2 * cols + n);
  if (!(isFinite(x0) && isFinite(x1) && isFinite(x2))) return false;
  candX0 = x0; candX1 = x1; candX2 = x2;
  return true;
}

/** Solves the KKT system for the active set given by `active` (a bit mask over the constraints). */
function solveFace(active: i32, ncons: i32): bool {
  const m = kkt; // the global pointer once, in a local (a register in WebAssembly)
  let p: i32 = 0;
  for (let j = 0; j < ncons; j++) {
    if ((active >> j) & 1) {
      storeI32(rows, p, j);
      p++;
    }
  }
  const n = 3 + p;
  const cols = n + 1;
  const h0 = loadF64(normal, 0), h1 = loadF64(normal, 1), h2 = loadF64(normal, 2);
  const h3 = loadF64(normal, 3), h4 = loadF64(normal, 4), h5 = loadF64(normal, 5);
  for (let e = 0; e < 6 * 7; e++) storeF64(m, e, 0.0);
  storeF64(m, 0, h0); storeF64(m, 1, h1); storeF64(m, 2, h2); storeF64(m, n, loadF64(normal, 6));
  storeF64(m, cols, h1); storeF64(m, cols + 1, h3); storeF64(m, cols + 2, h4); storeF64(m, cols + n, loadF64(normal, 7));
  storeF64(m, 2 * cols, h2); storeF64(m, 2 * cols + 1, h4); storeF64(m, 2 * cols + 2, h5); storeF64(m, 2 * cols + n, loadF64(normal, 8));
  for (let q = 0; q < p; q++) {
    const j = loadI32(rows, q);
    const g0 = loadF64(cons, j * 4), g1 = loadF64(cons, j * 4 + 1), g2 = loadF64(cons, j * 4 + 2);
    storeF64(m, 3 + q, g0); storeF64(m, cols + 3 + q, g1); storeF64(m, 2 * cols + 3 + q, g2);
    const r = (3 + q) * cols;
    storeF64(m, r, g0); storeF64(m, r + 1, g1); storeF64(m, r + 2, g2); storeF64(m, r + n, loadF64(cons, j * 4 + 3));
  }
  return gaussSolve(n, cols);
}

function feasibleLinear(ncons: i32): bool {
  for (let j = 0; j < ncons; j++) {
    const v = loadF64(cons, j * 4) * candX0 + loadF64(cons, j * 4 + 1) * candX1 + loadF64(cons, j * 4 + 2) * candX2 - loadF64(cons, j * 4 + 3);
    if (v < -FEAS_TOL) return false;
  }
  return true;
}

function objectiveOf(x0: f64, x1: f64, x2: f64): f64 {
  const h0 = loadF64(normal, 0), h1 = loadF64(normal, 1), h2 = loadF64(normal, 2);
  const h3 = loadF64(normal, 3), h4 = loadF64(normal, 4), h5 = loadF64(normal, 5);
  const quad = h0 * x0 * x0 + h3 * x1 * x1 + h5 * x2 * x2 + 2 * (h1 * x0 * x1 + h2 * x0 * x2 + h4 * x1 * x2);
  const lin = loadF64(normal, 6) * x0 + loadF64(normal, 7) * x1 + loadF64(normal, 8) * x2;
  const v = quad - 2 * lin + loadF64(normal, 9);
  return v > 0 ? v : 0;
}

function popcount(v: i32): i32 {
  let c: i32 = 0;
  let x = v;
  while (x != 0) { c += x & 1; x >>= 1; }
  return c;
}

/** Best feasible point over all faces of the polyhedron of the first `ncons` constraints, into inner*. */
function solvePolyhedral(ncons: i32): f64 {
  let bestObj: f64 = Infinity;
  // The unconstrained optimum first: it is the answer whenever it is feasible (the common case).
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

/**
 * Weighted mean squared residual of inner*, summed directly: the quadratic form x'Hx - 2f'x + w'Ww cancels
 * catastrophically near a perfect fit and would stop the outer search around 1e-8 in the parameters.
 */
function residual(w: usize, wt: usize, ys: usize, zs: usize, off: i32, n: i32): f64 {
  const a = innerA, d = innerD, c = innerC;
  let sum: f64 = 0;
  for (let i = off; i < off + n; i++) {
    const e = a + d * loadF64(ys, i) + c * loadF64(zs, i) - loadF64(w, i);
    sum += loadF64(wt, i) * e * e;
  }
  return sum;
}

function innerSolve(k: usize, w: usize, wt: usize, ys: usize, zs: usize, off: i32, n: i32, m: f64, sigma: f64, wingBound: f64): f64 {
  let s0: f64 = 0, sy: f64 = 0, sz: f64 = 0, syy: f64 = 0, syz: f64 = 0;
  let sw: f64 = 0, swy: f64 = 0, swz: f64 = 0, sww: f64 = 0;
  const inv = 1 / sigma;
  for (let i = off; i < off + n; i++) {
    const W = loadF64(wt, i);
    const y = (loadF64(k, i) - m) * inv;
    const z = Math.sqrt(y * y + 1);
    storeF64(ys, i, y);
    storeF64(zs, i, z);
    const wi = loadF64(w, i);
    const Wy = W * y;
    const Wz = W * z;
    s0 += W; sy += Wy; sz += Wz;
    syy += Wy * y; syz += Wy * z;
    sw += W * wi; swy += Wy * wi; swz += Wz * wi; sww += W * wi * wi;
  }
  storeF64(normal, 0, s0); storeF64(normal, 1, sy); storeF64(normal, 2, sz);
  storeF64(normal, 3, syy); storeF64(normal, 4, syz); storeF64(normal, 5, syy + s0);
  storeF64(normal, 6, sw); storeF64(normal, 7, swy); storeF64(normal, 8, swz); storeF64(normal, 9, sww);
  const cap = wingBound * sigma;
  setCons(0, 0, -1, RHO_MAX, 0);
  setCons(1, 0, 1, RHO_MAX, 0);
  setCons(2, 0, -1, -1, -cap);
  setCons(3, 0, 1, -1, -cap);
  solvePolyhedral(4);
  const a = innerA, d = innerD, c = innerC;
  const q = c * c - d * d;
  const root = q > 0 ? Math.sqrt(q) : 0;
  if (a + root < -FEAS_TOL) boundarySolve(cap);
  return residual(w, wt, ys, zs, off, n);
}

let boundaryC: f64 = 0;

/** Objective on the surface a = -sqrt(c^2 - d^2) at d = r c, minimised over c (which goes to boundaryC). */
function boundaryObjective(r: f64, cap: f64): f64 {
  const s0 = loadF64(normal, 0), sy = loadF64(normal, 1), sz = loadF64(normal, 2), syy = loadF64(normal, 3), syz = loadF64(normal, 4);
  const szz = loadF64(normal, 5), sw = loadF64(normal, 6), swy = loadF64(normal, 7), swz = loadF64(normal, 8), sww = loadF64(normal, 9);
  const q = Math.sqrt(1 - r * r);
  const p = r * swy + swz - q * sw;
  const qq = r * r * syy + szz + q * q * s0 + 2 * r * syz - 2 * r * q * sy - 2 * q * sz;
  let c: f64 = qq > 0 ? p / qq : 0;
  const hi = cap / (1 + (r < 0 ? -r : r));
  if (c < 0) c = 0;
  if (c > hi) c = hi;
  boundaryC = c;
  return sww - 2 * c * p + c * c * qq;
}

/**
 * The polyhedral optimum has w < 0 somewhere, so (by convexity) the optimum has a = -sqrt(c^2 - d^2).
 * On that surface, with r = d/c and q = sqrt(1 - r^2), the model is c (r y + z - q): for fixed r the best c
 * is a clamped 1-D least-squares solution whose sums follow from the normal equations, so the remaining
 * search over r in [-rhoMax, rhoMax] costs O(1) per point: a 16-cell scan, then golden section in the best
 * cell. The caps c <= S sigma/(1 + |r|) and |r| <= rhoMax are the polyhedral constraints on the surface.
 */
function boundarySolve(cap: f64): void {
  let bestR: f64 = 0, bestF: f64 = Infinity;
  const cells: i32 = 16;
  for (let j = 0; j <= cells; j++) {
    const r = -RHO_MAX + (2 * RHO_MAX * (j as f64)) / (cells as f64);
    const f = boundaryObjective(r, cap);
    if (f < bestF) { bestF = f; bestR = r; }
  }
  const h = (2 * RHO_MAX) / (cells as f64);
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
  innerA = -c * Math.sqrt(1 - r * r);
  innerD = c * r;
  innerC = c;
}

// Outer problem: Nelder–Mead over (m, sigma) inside a box; outside the box the objective is the value at the
// clamped point plus the squared distance, so the simplex is pushed back without a discontinuity.
function outerObjective(k: usize, w: usize, wt: usize, ys: usize, zs: usize, off: i32, n: i32, wing: f64, m: f64, s: f64): f64 {
  let mc = m, sc = s, pen: f64 = 0;
  if (mc < boxMLo) { pen += (boxMLo - mc) * (boxMLo - mc); mc = boxMLo; }
  if (mc > boxMHi) { pen += (mc - boxMHi) * (mc - boxMHi); mc = boxMHi; }
  if (sc < boxSLo) { pen += (boxSLo - sc) * (boxSLo - sc); sc = boxSLo; }
  if (sc > boxSHi) { pen += (sc - boxSHi) * (sc - boxSHi); sc = boxSHi; }
  return innerSolve(k, w, wt, ys, zs, off, n, mc, sc, wing) + pen;
}

function setVertex(v: i32, m: f64, s: f64, f: f64): void {
  storeF64(simplex, v * 3, m); storeF64(simplex, v * 3 + 1, s); storeF64(simplex, v * 3 + 2, f);
}

function swapVertex(i: i32, j: i32): void {
  for (let c = 0; c < 3; c++) {
    const t = loadF64(simplex, i * 3 + c);
    storeF64(simplex, i * 3 + c, loadF64(simplex, j * 3 + c));
    storeF64(simplex, j * 3 + c, t);
  }
}

/** Orders the three vertices by objective (stable: ties keep their order). */
function sortSimplex(): void {
  if (loadF64(simplex, 5) < loadF64(simplex, 2)) swapVertex(0, 1);
  if (loadF64(simplex, 8) < loadF64(simplex, 5)) swapVertex(1, 2);
  if (loadF64(simplex, 5) < loadF64(simplex, 2)) swapVertex(0, 1);
}

/** Runs Nelder–Mead from (m0, s0); returns the iterations used (negative when the budget ran out). */
function nelderMead(
  k: usize, w: usize, wt: usize, ys: usize, zs: usize, off: i32, n: i32, wing: f64,
  m0: f64, s0: f64, dm: f64, ds: f64, xtol: f64, maxIter: i32,
): i32 {
  setVertex(0, m0, s0, outerObjective(k, w, wt, ys, zs, off, n, wing, m0, s0));
  setVertex(1, m0 + dm, s0, outerObjective(k, w, wt, ys, zs, off, n, wing, m0 + dm, s0));
  setVertex(2, m0, s0 + ds, outerObjective(k, w, wt, ys, zs, off, n, wing, m0, s0 + ds));
  for (let it = 0; it < maxIter; it++) {
    sortSimplex();
    const bm = loadF64(simplex, 0), bs = loadF64(simplex, 1), bf = loadF64(simplex, 2);
    const mm = loadF64(simplex, 3), ms = loadF64(simplex, 4), mf = loadF64(simplex, 5);
    const wm = loadF64(simplex, 6), ws = loadF64(simplex, 7), wf = loadF64(simplex, 8);
    const spread = Math.max(Math.max(Math.abs(mm - bm), Math.abs(wm - bm)), Math.max(Math.abs(ms - bs), Math.abs(ws - bs)));
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

/** Validates a slice and normalises its weights into `wn`; returns a status code. */
function validateSlice(k: usize, w: usize, wt: usize, wn: usize, off: i32, n: i32, t: f64): i32 {
  if (n < 5) return STATUS_TOO_FEW_QUOTES;
  if (!(t > 0) || !isFinite(t)) return STATUS_BAD_MATURITY;
  let sum: f64 = 0;
  let positive: i32 = 0;
  for (let i = off; i < off + n; i++) {
    const ki = loadF64(k, i), wi = loadF64(w, i), W = loadF64(wt, i);
    if (!isFinite(ki) || !isFinite(wi) || !isFinite(W)) return STATUS_NON_FINITE;
    if (wi < 0) return STATUS_NEGATIVE_VARIANCE;
    if (W < 0) return STATUS_BAD_WEIGHT;
    if (W > 0) positive += 1;
    sum += W;
  }
  if (positive < 5) return positive == 0 ? STATUS_BAD_WEIGHT : STATUS_TOO_FEW_QUOTES;
  let k0: f64 = NaN, k1: f64 = NaN;
  let distinct: i32 = 0;
  for (let i = off; i < off + n; i++) {
    if (!(loadF64(wt, i) > 0)) continue;
    const ki = loadF64(k, i);
    if (distinct == 0) { k0 = ki; distinct = 1; }
    else if (distinct == 1 && ki != k0) { k1 = ki; distinct = 2; }
    else if (distinct == 2 && ki != k0 && ki != k1) { distinct = 3; break; }
  }
  if (distinct < 3) return STATUS_TOO_FEW_QUOTES; // (a, d, c) is not identified by fewer strikes
  const inv = 1 / sum;
  for (let i = off; i < off + n; i++) storeF64(wn, i, loadF64(wt, i) * inv);
  return STATUS_OK;
}

// @inline
function clamp(v: f64, lo: f64, hi: f64): f64 {
  return v < lo ? lo : v > hi ? hi : v;
}

/** Calibrates one slice (quotes off..off+n-1) into the packed row at `out`; returns the status code. */
function fitSlice(
  k: usize, w: usize, wt: usize, wn: usize, ys: usize, zs: usize, off: i32, n: i32, t: f64,
  flags: i32, maxIter: i32, out: usize, intervals: usize,
): i32 {
  for (let f = 0; f < OUT_STRIDE; f++) storeF64(out, f, NaN);
  storeF64(out, OUT_INTERVAL_COUNT, 0);
  const status = validateSlice(k, w, wt, wn, off, n, t);
  if (status != STATUS_OK) return status;
  let kmin: f64 = Infinity, kmax: f64 = -Infinity, wmin: f64 = Infinity, kAtMin: f64 = 0;
  for (let i = off; i < off + n; i++) {
    if (!(loadF64(wn, i) > 0)) continue;
    const ki = loadF64(k, i), wi = loadF64(w, i);
    if (ki < kmin) kmin = ki;
    if (ki > kmax) kmax = ki;
    if (wi < wmin) { wmin = wi; kAtMin = ki; }
  }
  const span = kmax - kmin;
  boxMLo = kmin - span; boxMHi = kmax + span; boxSLo = 1e-4 * span; boxSHi = 10 * span;
  const wing: f64 = (flags & FLAG_ENFORCE_LEE) != 0 ? 2 : 4;
  // Starts: near the lowest quote (where an SVI minimum usually is) with a tight and a wide sigma, and at the
  // quartiles of the strike range (skews whose minimum lies outside the quoted strikes).
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
    if (loadF64(simplex, 2) < bestF) { bestF = loadF64(simplex, 2); bestM = loadF64(simplex, 0); bestS = loadF64(simplex, 1); }
  }
  // Polish: restart from the best vertex with a fresh small simplex until a restart stops improving (restarts
  // cure Nelder–Mead's stagnation on a collapsed simplex; Lagarias et al. section 7).
  let converged = false;
  for (let p = 0; p < 3; p++) {
    const used = nelderMead(k, w, wn, ys, zs, off, n, wing, bestM, bestS, 1e-3 * span, 1e-2 * bestS, 1e-12 * span, maxIter);
    iterations += used < 0 ? -used : used;
    const f = loadF64(simplex, 2);
    converged = used >= 0;
    const improved = f < bestF;
    if (f <= bestF) { bestF = f; bestM = loadF64(simplex, 0); bestS = loadF64(simplex, 1); }
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
  if (!(isFinite(a) && isFinite(b) && isFinite(rho))) return STATUS_DEGENERATE;
  let sqW: f64 = 0, sqV: f64 = 0;
  let count: i32 = 0;
  for (let i = off; i < off + n; i++) {
    if (!(loadF64(wn, i) > 0)) continue;
    const fit = rawW(a, b, rho, mFit, sFit, loadF64(k, i));
    const wi = loadF64(w, i);
    const e = fit - wi;
    const v = Math.sqrt((fit > 0 ? fit : 0) / t) - Math.sqrt(wi / t);
    sqW += e * e; sqV += v * v; count += 1;
  }
  storeF64(out, OUT_A, a);
  storeF64(out, OUT_B, b);
  storeF64(out, OUT_RHO, rho);
  storeF64(out, OUT_M, mFit);
  storeF64(out, OUT_SIGMA, sFit);
  storeF64(out, OUT_RMSE_VOL, Math.sqrt(sqV / (count as f64)));
  storeF64(out, OUT_RMSE_W, Math.sqrt(sqW / (count as f64)));
  storeF64(out, OUT_ITERATIONS, iterations as f64);
  storeF64(out, OUT_OBJECTIVE, obj);
  storeF64(out, OUT_INTERVAL_COUNT, sviButterflyScan(a, b, rho, mFit, sFit, intervals, MAX_INTERVALS) as f64);
  return converged ? STATUS_OK : STATUS_NOT_CONVERGED;
}

/**
 * Calibrates nSlices slices. Slice s owns quotes offsets[s]..offsets[s+1]-1 of k, w, weight; t[s] is its
 * maturity in years (for the RMSE in vol). Writes OUT_STRIDE f64 per slice to out, an i32 status per slice,
 * and MAX_INTERVALS [from, to] pairs per slice to intervals. scratch holds SVI_FIT_SCRATCH_PER_QUOTE doubles per
 * quote plus SVI_FIT_FIXED_SCRATCH. Returns 0.
 */
export function sviFitBatch(
  nSlices: i32, offsets: usize, k: usize, w: usize, weight: usize, t: usize, flags: i32, maxIter: i32,
  out: usize, status: usize, intervals: usize, scratch: usize,
): i32 {
  const total = nSlices > 0 ? loadI32(offsets, nSlices) : 0;
  const wn = scratch;
  const ys = offsetF64(wn, total);
  const zs = offsetF64(ys, total);
  cons = offsetF64(scratch, SVI_FIT_SCRATCH_PER_QUOTE * total);
  kkt = offsetF64(cons, MAX_CONS * 4);
  normal = offsetF64(kkt, 6 * 7);
  simplex = offsetF64(normal, 10);
  rows = offsetF64(simplex, 9); // MAX_CONS i32 in the last 2 doubles of SVI_FIT_FIXED_SCRATCH
  for (let s = 0; s < nSlices; s++) {
    const off = loadI32(offsets, s);
    const n = loadI32(offsets, s + 1) - off;
    const code = fitSlice(
      k, w, weight, wn, ys, zs, off, n, loadF64(t, s), flags, maxIter,
      offsetF64(out, s * OUT_STRIDE), offsetF64(intervals, s * MAX_INTERVALS * 2),
    );
    storeI32(status, s, code);
  }
  return 0;
}
