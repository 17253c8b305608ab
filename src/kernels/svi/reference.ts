/**
 * Pure-TypeScript reference engine for the SVI kernels: the test oracle for assembly/svi/ and the fallback
 * when WebAssembly is not wanted. The code mirrors assembly/svi/*.ts operation by operation and uses only
 * +, -, *, / and sqrt (all correctly rounded in IEEE 754), so both engines give the same bits for the same
 * inputs on every platform.
 *
 * Sources:
 * - Raw SVI, its derivatives and the butterfly function g(k): Gatheral & Jacquier, "Arbitrage-free SVI
 *   volatility surfaces", Quantitative Finance 14(1), 2014, eqs. (3.1) and (2.1) / Lemma 2.2.
 * - Quasi-explicit calibration: De Marco & Martini, "Quasi-explicit calibration of Gatheral's SVI model",
 *   Zeliade white paper ZWP-0005, 2009: with y = (k - m)/sigma the slice is w = a + d*y + c*sqrt(y^2 + 1),
 *   linear in (a, d, c) = (a, rho*b*sigma, b*sigma); the hard constraints are linear in (a, d, c) except the
 *   minimum-variance one, a + sqrt(c^2 - d^2) >= 0, whose feasible set is convex (sqrt(c^2 - d^2) is concave
 *   on |d| <= c), so when the polyhedral optimum violates it the optimum lies on its surface, where the
 *   problem reduces to one dimension (see boundarySolve).
 * - Nelder–Mead with the standard coefficients (1, 2, 1/2, 1/2): Lagarias, Reeds, Wright & Wright, SIAM J.
 *   Optim. 9(1), 1998.
 */
import {
  FIT_FLAG_ENFORCE_LEE,
  FIT_OUT,
  FIT_OUT_STRIDE,
  MAX_INTERVALS,
  RHO_MAX,
  SCAN_POINTS,
  SVI_STATUS,
} from "./status.ts";

// ---------------------------------------------------------------------------------------------------------
// Evaluation

/** Total variance w(k) of raw SVI. */
export function rawW(a: number, b: number, rho: number, m: number, sigma: number, k: number): number {
  const x = k - m;
  return a + b * (rho * x + Math.sqrt(x * x + sigma * sigma));
}

/** Gatheral–Jacquier's g(k); NaN where w(k) <= 0 (no density exists there). */
export function rawG(a: number, b: number, rho: number, m: number, sigma: number, k: number): number {
  const x = k - m;
  const r = Math.sqrt(x * x + sigma * sigma);
  const w = a + b * (rho * x + r);
  if (!(w > 0)) return Number.NaN;
  const w1 = b * (rho + x / r);
  const w2 = (b * sigma * sigma) / (r * r * r);
  const u = 1 - (k * w1) / (2 * w);
  return u * u - ((w1 * w1) / 4) * (1 / w + 0.25) + w2 / 2;
}

/** Writes w, w', w'' and g for each k (struct of arrays). */
export function evalInto(
  a: number, b: number, rho: number, m: number, sigma: number,
  k: Float64Array, outW: Float64Array, outW1: Float64Array, outW2: Float64Array, outG: Float64Array,
): void {
  const s2 = sigma * sigma;
  for (let i = 0; i < k.length; i++) {
    const ki = k[i] ?? Number.NaN;
    const x = ki - m;
    const r = Math.sqrt(x * x + s2);
    const w = a + b * (rho * x + r);
    const w1 = b * (rho + x / r);
    const w2 = (b * s2) / (r * r * r);
    outW[i] = w;
    outW1[i] = w1;
    outW2[i] = w2;
    if (w > 0) {
      const u = 1 - (ki * w1) / (2 * w);
      outG[i] = u * u - ((w1 * w1) / 4) * (1 / w + 0.25) + w2 / 2;
    } else {
      outG[i] = Number.NaN;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Inner problem: weighted least squares in (a, d, c) for fixed (m, sigma), exactly, under
//   rhoMax*c - d >= 0, rhoMax*c + d >= 0          (|rho| <= rhoMax < 1, which implies b >= 0)
//   S*sigma - c - d >= 0, S*sigma - c + d >= 0     (b(1 + |rho|) <= S, S = 4, or Lee's 2 when enforced)
//   a + sqrt(c^2 - d^2) >= 0                        (w >= 0 everywhere: a + b*sigma*sqrt(1 - rho^2) >= 0)
// The minimiser of a convex QP lies in the relative interior of one face; solving the equality-constrained
// problem on every face (active sets of size <= 3 in three unknowns) and keeping the best feasible point
// finds it exactly (De Marco & Martini, section 3).

const MAX_CONS = 4;
const FEAS_TOL = 1e-12;
const GOLDEN = 0.6180339887498949;

/** Scratch: constraint rows [g0, g1, g2, h] meaning g . (a, d, c) >= h. */
const cons = new Float64Array(MAX_CONS * 4);
/** Scratch: KKT system, at most 6 x 7. */
const kkt = new Float64Array(6 * 7);
const cand = new Float64Array(3);
const activeRows = new Int32Array(MAX_CONS);
/** Normal equations: H (6 distinct entries) and f (3), plus sum of W*w^2. */
const normal = new Float64Array(10);
/** Result of the inner solve: (a, d, c). */
export const innerX = new Float64Array(3);

/** Solves the KKT system for the active set given by `active` (bit mask over constraints). */
function solveFace(active: number, ncons: number): boolean {
  // Unknowns: x (3) and one multiplier per active constraint.
  let p = 0;
  for (let j = 0; j < ncons; j++) {
    if ((active >> j) & 1) { activeRows[p] = j; p++; }
  }
  const n = 3 + p;
  const cols = n + 1;
  const h0 = normal[0] ?? 0, h1 = normal[1] ?? 0, h2 = normal[2] ?? 0;
  const h3 = normal[3] ?? 0, h4 = normal[4] ?? 0, h5 = normal[5] ?? 0;
  kkt.fill(0);
  // H = [[h0 h1 h2] [h1 h3 h4] [h2 h4 h5]]
  kkt[0] = h0; kkt[1] = h1; kkt[2] = h2; kkt[n] = normal[6] ?? 0;
  kkt[cols] = h1; kkt[cols + 1] = h3; kkt[cols + 2] = h4; kkt[cols + n] = normal[7] ?? 0;
  kkt[2 * cols] = h2; kkt[2 * cols + 1] = h4; kkt[2 * cols + 2] = h5; kkt[2 * cols + n] = normal[8] ?? 0;
  for (let q = 0; q < p; q++) {
    const j = activeRows[q] ?? 0;
    const g0 = cons[j * 4] ?? 0, g1 = cons[j * 4 + 1] ?? 0, g2 = cons[j * 4 + 2] ?? 0;
    kkt[3 + q] = g0; kkt[cols + 3 + q] = g1; kkt[2 * cols + 3 + q] = g2;
    const r = (3 + q) * cols;
    kkt[r] = g0; kkt[r + 1] = g1; kkt[r + 2] = g2; kkt[r + n] = cons[j * 4 + 3] ?? 0;
  }
  return gaussSolve(n, cols);
}

/** Gaussian elimination with partial pivoting on the augmented matrix in `kkt`; solution into `cand`. */
function gaussSolve(n: number, cols: number): boolean {
  for (let col = 0; col < n; col++) {
    let piv = col;
    let best = Math.abs(kkt[col * cols + col] ?? 0);
    for (let r = col + 1; r < n; r++) {
      const v = Math.abs(kkt[r * cols + col] ?? 0);
      if (v > best) { best = v; piv = r; }
    }
    if (!(best > 1e-300)) return false;
    if (piv !== col) {
      for (let c = col; c < cols; c++) {
        const t = kkt[col * cols + c] ?? 0;
        kkt[col * cols + c] = kkt[piv * cols + c] ?? 0;
        kkt[piv * cols + c] = t;
      }
    }
    const d = kkt[col * cols + col] ?? 1;
    for (let r = col + 1; r < n; r++) {
      const f = (kkt[r * cols + col] ?? 0) / d;
      if (f !== 0) {
        for (let c = col; c < cols; c++) kkt[r * cols + c] = (kkt[r * cols + c] ?? 0) - f * (kkt[col * cols + c] ?? 0);
      }
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = kkt[r * cols + n] ?? 0;
    for (let c = r + 1; c < n; c++) s -= (kkt[r * cols + c] ?? 0) * (kkt[c * cols + n] ?? 0);
    kkt[r * cols + n] = s / (kkt[r * cols + r] ?? 1);
  }
  const x0 = kkt[n] ?? Number.NaN, x1 = kkt[cols + n] ?? Number.NaN, x2 = kkt[2 * cols + n] ?? Number.NaN;
  if (!(Number.isFinite(x0) && Number.isFinite(x1) && Number.isFinite(x2))) return false;
  cand[0] = x0; cand[1] = x1; cand[2] = x2;
  return true;
}

function feasibleLinear(ncons: number): boolean {
  const x0 = cand[0] ?? 0, x1 = cand[1] ?? 0, x2 = cand[2] ?? 0;
  for (let j = 0; j < ncons; j++) {
    const v = (cons[j * 4] ?? 0) * x0 + (cons[j * 4 + 1] ?? 0) * x1 + (cons[j * 4 + 2] ?? 0) * x2 - (cons[j * 4 + 3] ?? 0);
    if (v < -FEAS_TOL) return false;
  }
  return true;
}

function objectiveOf(x0: number, x1: number, x2: number): number {
  const h0 = normal[0] ?? 0, h1 = normal[1] ?? 0, h2 = normal[2] ?? 0;
  const h3 = normal[3] ?? 0, h4 = normal[4] ?? 0, h5 = normal[5] ?? 0;
  const quad = h0 * x0 * x0 + h3 * x1 * x1 + h5 * x2 * x2 + 2 * (h1 * x0 * x1 + h2 * x0 * x2 + h4 * x1 * x2);
  const lin = (normal[6] ?? 0) * x0 + (normal[7] ?? 0) * x1 + (normal[8] ?? 0) * x2;
  const v = quad - 2 * lin + (normal[9] ?? 0);
  return v > 0 ? v : 0;
}

/** Best feasible point over all faces of the polyhedron given by the first `ncons` constraints. */
function solvePolyhedral(ncons: number): number {
  let bestObj = Number.POSITIVE_INFINITY;
  // The unconstrained optimum first: it is the answer whenever it is feasible (the common case).
  if (solveFace(0, ncons) && feasibleLinear(ncons)) {
    innerX[0] = cand[0] ?? 0; innerX[1] = cand[1] ?? 0; innerX[2] = cand[2] ?? 0;
    return objectiveOf(innerX[0] ?? 0, innerX[1] ?? 0, innerX[2] ?? 0);
  }
  const full = 1 << ncons;
  for (let mask = 1; mask < full; mask++) {
    const bits = popcount(mask);
    if (bits > 3) continue;
    if (!solveFace(mask, ncons) || !feasibleLinear(ncons)) continue;
    const obj = objectiveOf(cand[0] ?? 0, cand[1] ?? 0, cand[2] ?? 0);
    if (obj < bestObj) {
      bestObj = obj;
      innerX[0] = cand[0] ?? 0; innerX[1] = cand[1] ?? 0; innerX[2] = cand[2] ?? 0;
    }
  }
  return bestObj;
}

function popcount(v: number): number {
  let c = 0;
  let x = v;
  while (x !== 0) { c += x & 1; x >>= 1; }
  return c;
}

/**
 * Minimises sum W_i (a + d y_i + c z_i - w_i)^2 for fixed (m, sigma) under the SVI constraints; the
 * solution goes to `innerX` and the (weighted mean squared) residual is returned.
 */
export function innerSolve(
  k: Float64Array, w: Float64Array, wt: Float64Array, ys: Float64Array, zs: Float64Array, off: number, n: number,
  m: number, sigma: number, wingBound: number,
): number {
  let s0 = 0, sy = 0, sz = 0, syy = 0, syz = 0, sw = 0, swy = 0, swz = 0, sww = 0;
  const inv = 1 / sigma;
  for (let i = off; i < off + n; i++) {
    const W = wt[i] ?? 0;
    const y = ((k[i] ?? 0) - m) * inv;
    const z = Math.sqrt(y * y + 1);
    ys[i] = y;
    zs[i] = z;
    const wi = w[i] ?? 0;
    const Wy = W * y;
    const Wz = W * z;
    s0 += W; sy += Wy; sz += Wz;
    syy += Wy * y; syz += Wy * z;
    sw += W * wi; swy += Wy * wi; swz += Wz * wi; sww += W * wi * wi;
  }
  normal[0] = s0; normal[1] = sy; normal[2] = sz;
  normal[3] = syy; normal[4] = syz; normal[5] = syy + s0; // z^2 = y^2 + 1
  normal[6] = sw; normal[7] = swy; normal[8] = swz; normal[9] = sww;
  const cap = wingBound * sigma;
  setCons(0, 0, -1, RHO_MAX, 0);
  setCons(1, 0, 1, RHO_MAX, 0);
  setCons(2, 0, -1, -1, -cap);
  setCons(3, 0, 1, -1, -cap);
  solvePolyhedral(4);
  const a = innerX[0] ?? 0, d = innerX[1] ?? 0, c = innerX[2] ?? 0;
  const q = c * c - d * d;
  const root = q > 0 ? Math.sqrt(q) : 0;
  if (a + root < -FEAS_TOL) boundarySolve(cap);
  return residual(w, wt, ys, zs, off, n);
}

/**
 * The polyhedral optimum has w < 0 somewhere, so (by convexity) the optimum has a = -sqrt(c^2 - d^2).
 * On that surface, with r = d/c and q = sqrt(1 - r^2), the model is c (r y + z - q): for fixed r the best c
 * is a clamped 1-D least-squares solution whose sums follow from the normal equations, so the remaining
 * search over r in [-rhoMax, rhoMax] costs O(1) per point: a 16-cell scan, then golden section in the best
 * cell. The caps c <= S sigma/(1 + |r|) and |r| <= rhoMax are the polyhedral constraints on the surface.
 */
function boundarySolve(cap: number): void {
  let bestR = 0, bestF = Number.POSITIVE_INFINITY;
  const cells = 16;
  for (let j = 0; j <= cells; j++) {
    const r = -RHO_MAX + (2 * RHO_MAX * j) / cells;
    const f = boundaryObjective(r, cap);
    if (f < bestF) { bestF = f; bestR = r; }
  }
  const h = (2 * RHO_MAX) / cells;
  let l = bestR - h > -RHO_MAX ? bestR - h : -RHO_MAX;
  let u = bestR + h < RHO_MAX ? bestR + h : RHO_MAX;
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
  innerX[0] = -c * Math.sqrt(1 - r * r);
  innerX[1] = c * r;
  innerX[2] = c;
}

let boundaryC = 0;

/** Objective on the surface a = -sqrt(c^2 - d^2) at d = r c, minimised over c (which goes to boundaryC). */
function boundaryObjective(r: number, cap: number): number {
  const s0 = normal[0] ?? 0, sy = normal[1] ?? 0, sz = normal[2] ?? 0, syy = normal[3] ?? 0, syz = normal[4] ?? 0;
  const szz = normal[5] ?? 0, sw = normal[6] ?? 0, swy = normal[7] ?? 0, swz = normal[8] ?? 0, sww = normal[9] ?? 0;
  const q = Math.sqrt(1 - r * r);
  const p = r * swy + swz - q * sw;
  const qq = r * r * syy + szz + q * q * s0 + 2 * r * syz - 2 * r * q * sy - 2 * q * sz;
  let c = qq > 0 ? p / qq : 0;
  const hi = cap / (1 + (r < 0 ? -r : r));
  if (c < 0) c = 0;
  if (c > hi) c = hi;
  boundaryC = c;
  return sww - 2 * c * p + c * c * qq;
}

/**
 * Weighted mean squared residual of innerX, summed directly: the quadratic form x'Hx - 2f'x + w'Ww cancels
 * catastrophically near a perfect fit and would stop the outer search around 1e-8 in the parameters.
 */
function residual(w: Float64Array, wt: Float64Array, ys: Float64Array, zs: Float64Array, off: number, n: number): number {
  const a = innerX[0] ?? 0, d = innerX[1] ?? 0, c = innerX[2] ?? 0;
  let sum = 0;
  for (let i = off; i < off + n; i++) {
    const e = a + d * (ys[i] ?? 0) + c * (zs[i] ?? 0) - (w[i] ?? 0);
    sum += (wt[i] ?? 0) * e * e;
  }
  return sum;
}

function setCons(j: number, g0: number, g1: number, g2: number, h: number): void {
  cons[j * 4] = g0; cons[j * 4 + 1] = g1; cons[j * 4 + 2] = g2; cons[j * 4 + 3] = h;
}

// ---------------------------------------------------------------------------------------------------------
// Outer problem: Nelder–Mead over (m, sigma) inside a box; outside the box the objective is the value at the
// clamped point plus the squared distance, so the simplex is pushed back without a discontinuity.

interface Box { mLo: number; mHi: number; sLo: number; sHi: number }

const simplex = new Float64Array(9); // 3 vertices x (m, sigma, f)

function outerObjective(
  k: Float64Array, w: Float64Array, wt: Float64Array, ys: Float64Array, zs: Float64Array, off: number, n: number,
  box: Box, wing: number, m: number, s: number,
): number {
  let mc = m, sc = s, pen = 0;
  if (mc < box.mLo) { pen += (box.mLo - mc) * (box.mLo - mc); mc = box.mLo; }
  if (mc > box.mHi) { pen += (mc - box.mHi) * (mc - box.mHi); mc = box.mHi; }
  if (sc < box.sLo) { pen += (box.sLo - sc) * (box.sLo - sc); sc = box.sLo; }
  if (sc > box.sHi) { pen += (sc - box.sHi) * (sc - box.sHi); sc = box.sHi; }
  return innerSolve(k, w, wt, ys, zs, off, n, mc, sc, wing) + pen;
}

/** Runs Nelder–Mead from (m0, s0); returns iterations used (negative when the budget ran out). */
function nelderMead(
  k: Float64Array, w: Float64Array, wt: Float64Array, ys: Float64Array, zs: Float64Array, off: number, n: number,
  box: Box, wing: number, m0: number, s0: number, dm: number, ds: number, xtol: number, maxIter: number,
): number {
  simplex[0] = m0; simplex[1] = s0; simplex[2] = outerObjective(k, w, wt, ys, zs, off, n, box, wing, m0, s0);
  simplex[3] = m0 + dm; simplex[4] = s0; simplex[5] = outerObjective(k, w, wt, ys, zs, off, n, box, wing, m0 + dm, s0);
  simplex[6] = m0; simplex[7] = s0 + ds; simplex[8] = outerObjective(k, w, wt, ys, zs, off, n, box, wing, m0, s0 + ds);
  for (let it = 0; it < maxIter; it++) {
    sortSimplex();
    const bm = simplex[0] ?? 0, bs = simplex[1] ?? 0, bf = simplex[2] ?? 0;
    const mm = simplex[3] ?? 0, ms = simplex[4] ?? 0, mf = simplex[5] ?? 0;
    const wm = simplex[6] ?? 0, ws = simplex[7] ?? 0, wf = simplex[8] ?? 0;
    const spread = Math.max(Math.abs(mm - bm), Math.abs(wm - bm), Math.abs(ms - bs), Math.abs(ws - bs));
    if (spread <= xtol || (wf - bf <= 1e-15 * bf && spread <= 1e3 * xtol)) return it;
    const cm = 0.5 * (bm + mm), cs = 0.5 * (bs + ms);
    const rm = cm + (cm - wm), rs = cs + (cs - ws);
    const rf = outerObjective(k, w, wt, ys, zs, off, n, box, wing, rm, rs);
    if (rf < bf) {
      const em = cm + 2 * (cm - wm), es = cs + 2 * (cs - ws);
      const ef = outerObjective(k, w, wt, ys, zs, off, n, box, wing, em, es);
      if (ef < rf) setVertex(2, em, es, ef); else setVertex(2, rm, rs, rf);
    } else if (rf < mf) {
      setVertex(2, rm, rs, rf);
    } else {
      let shrink = false;
      if (rf < wf) {
        const om = cm + 0.5 * (rm - cm), os = cs + 0.5 * (rs - cs);
        const oc = outerObjective(k, w, wt, ys, zs, off, n, box, wing, om, os);
        if (oc <= rf) setVertex(2, om, os, oc); else shrink = true;
      } else {
        const im = cm - 0.5 * (cm - wm), is = cs - 0.5 * (cs - ws);
        const iff = outerObjective(k, w, wt, ys, zs, off, n, box, wing, im, is);
        if (iff < wf) setVertex(2, im, is, iff); else shrink = true;
      }
      if (shrink) {
        const m1 = bm + 0.5 * (mm - bm), s1 = bs + 0.5 * (ms - bs);
        setVertex(1, m1, s1, outerObjective(k, w, wt, ys, zs, off, n, box, wing, m1, s1));
        const m2 = bm + 0.5 * (wm - bm), s2 = bs + 0.5 * (ws - bs);
        setVertex(2, m2, s2, outerObjective(k, w, wt, ys, zs, off, n, box, wing, m2, s2));
      }
    }
  }
  sortSimplex();
  return -maxIter;
}

function setVertex(v: number, m: number, s: number, f: number): void {
  simplex[v * 3] = m; simplex[v * 3 + 1] = s; simplex[v * 3 + 2] = f;
}

function swapVertex(i: number, j: number): void {
  for (let c = 0; c < 3; c++) {
    const t = simplex[i * 3 + c] ?? 0;
    simplex[i * 3 + c] = simplex[j * 3 + c] ?? 0;
    simplex[j * 3 + c] = t;
  }
}

/** Orders the three vertices by objective (stable: ties keep their order). */
function sortSimplex(): void {
  if ((simplex[5] ?? 0) < (simplex[2] ?? 0)) swapVertex(0, 1);
  if ((simplex[8] ?? 0) < (simplex[5] ?? 0)) swapVertex(1, 2);
  if ((simplex[5] ?? 0) < (simplex[2] ?? 0)) swapVertex(0, 1);
}

// ---------------------------------------------------------------------------------------------------------
// One slice

/** Validates a slice and normalises its weights into `wn`; returns a status code. */
function validateSlice(
  k: Float64Array, w: Float64Array, wt: Float64Array, wn: Float64Array, off: number, n: number, t: number,
): number {
  if (n < 5) return SVI_STATUS.too_few_quotes;
  if (!(t > 0) || !Number.isFinite(t)) return SVI_STATUS.bad_maturity;
  let sum = 0;
  let positive = 0;
  for (let i = off; i < off + n; i++) {
    const ki = k[i] ?? Number.NaN, wi = w[i] ?? Number.NaN, W = wt[i] ?? Number.NaN;
    if (!Number.isFinite(ki) || !Number.isFinite(wi) || !Number.isFinite(W)) return SVI_STATUS.non_finite_input;
    if (wi < 0) return SVI_STATUS.negative_variance;
    if (W < 0) return SVI_STATUS.bad_weight;
    if (W > 0) positive += 1;
    sum += W;
  }
  if (positive < 5) return positive === 0 ? SVI_STATUS.bad_weight : SVI_STATUS.too_few_quotes;
  // At least three distinct strikes carry weight, or (a, d, c) is not identified.
  let k0 = Number.NaN, k1 = Number.NaN, distinct = 0;
  for (let i = off; i < off + n; i++) {
    if (!((wt[i] ?? 0) > 0)) continue;
    const ki = k[i] ?? 0;
    if (distinct === 0) { k0 = ki; distinct = 1; } else if (distinct === 1 && ki !== k0) { k1 = ki; distinct = 2; } else if (distinct === 2 && ki !== k0 && ki !== k1) { distinct = 3; break; }
  }
  if (distinct < 3) return SVI_STATUS.too_few_quotes;
  const inv = 1 / sum;
  for (let i = off; i < off + n; i++) wn[i] = (wt[i] ?? 0) * inv;
  return SVI_STATUS.ok;
}

const NM_STARTS = 4;

/**
 * Calibrates one slice (quotes off..off+n-1) and writes the packed result row; returns the status code.
 * `wn` is scratch of the same length as k for the normalised weights.
 */
export function fitSlice(
  k: Float64Array, w: Float64Array, wt: Float64Array, wn: Float64Array, ys: Float64Array, zs: Float64Array,
  off: number, n: number, t: number,
  flags: number, maxIter: number, out: Float64Array, outOff: number, intervals: Float64Array, intOff: number,
): number {
  for (let f = 0; f < FIT_OUT_STRIDE; f++) out[outOff + f] = Number.NaN;
  out[outOff + FIT_OUT.intervalCount] = 0;
  const status = validateSlice(k, w, wt, wn, off, n, t);
  if (status !== SVI_STATUS.ok) return status;
  let kmin = Number.POSITIVE_INFINITY, kmax = Number.NEGATIVE_INFINITY, wmin = Number.POSITIVE_INFINITY, kAtMin = 0;
  for (let i = off; i < off + n; i++) {
    if (!((wn[i] ?? 0) > 0)) continue;
    const ki = k[i] ?? 0, wi = w[i] ?? 0;
    if (ki < kmin) kmin = ki;
    if (ki > kmax) kmax = ki;
    if (wi < wmin) { wmin = wi; kAtMin = ki; }
  }
  const span = kmax - kmin;
  const box: Box = { mLo: kmin - span, mHi: kmax + span, sLo: 1e-4 * span, sHi: 10 * span };
  const wing = (flags & FIT_FLAG_ENFORCE_LEE) !== 0 ? 2 : 4;
  // Starts: near the lowest quote (where an SVI minimum usually is) with a tight and a wide sigma, and at
  // the quartiles of the strike range (skews whose minimum lies outside the quoted strikes).
  let bestM = kAtMin, bestS = 0.1 * span, bestF = Number.POSITIVE_INFINITY;
  let iterations = 0;
  const startTol = 1e-4 * span;
  for (let st = 0; st < NM_STARTS; st++) {
    let m0 = kAtMin, s0 = 0.1 * span;
    if (st === 1) { s0 = 0.5 * span; }
    if (st === 2) { m0 = kmin + 0.25 * span; s0 = 0.2 * span; }
    if (st === 3) { m0 = kmax - 0.25 * span; s0 = 0.2 * span; }
    const used = nelderMead(k, w, wn, ys, zs, off, n, box, wing, m0, s0, 0.1 * span, 0.5 * s0, startTol, maxIter);
    iterations += used < 0 ? -used : used;
    if ((simplex[2] ?? 0) < bestF) { bestF = simplex[2] ?? 0; bestM = simplex[0] ?? 0; bestS = simplex[1] ?? 0; }
  }
  // Polish: restart from the best vertex with a fresh small simplex until a restart stops improving
  // (restarts cure Nelder–Mead's stagnation on a collapsed simplex; Lagarias et al. section 7).
  let converged = false;
  for (let p = 0; p < 3; p++) {
    const used = nelderMead(k, w, wn, ys, zs, off, n, box, wing, bestM, bestS, 1e-3 * span, 1e-2 * bestS, 1e-12 * span, maxIter);
    iterations += used < 0 ? -used : used;
    const f = simplex[2] ?? 0;
    converged = used >= 0;
    const improved = f < bestF;
    if (f <= bestF) { bestF = f; bestM = simplex[0] ?? 0; bestS = simplex[1] ?? 0; }
    if (!improved && converged) break;
  }
  const mFit = clamp(bestM, box.mLo, box.mHi);
  const sFit = clamp(bestS, box.sLo, box.sHi);
  const obj = innerSolve(k, w, wn, ys, zs, off, n, mFit, sFit, wing);
  const a = innerX[0] ?? 0, d = innerX[1] ?? 0, c = innerX[2] ?? 0;
  const b = c / sFit;
  let rho = c > 0 ? d / c : 0;
  if (rho > RHO_MAX) rho = RHO_MAX;
  if (rho < -RHO_MAX) rho = -RHO_MAX;
  if (!(Number.isFinite(a) && Number.isFinite(b) && Number.isFinite(rho))) return SVI_STATUS.degenerate;
  let sqW = 0, sqV = 0, count = 0;
  for (let i = off; i < off + n; i++) {
    if (!((wn[i] ?? 0) > 0)) continue;
    const fit = rawW(a, b, rho, mFit, sFit, k[i] ?? 0);
    const wi = w[i] ?? 0;
    const e = fit - wi;
    const v = Math.sqrt((fit > 0 ? fit : 0) / t) - Math.sqrt(wi / t);
    sqW += e * e; sqV += v * v; count += 1;
  }
  out[outOff + FIT_OUT.a] = a;
  out[outOff + FIT_OUT.b] = b;
  out[outOff + FIT_OUT.rho] = rho;
  out[outOff + FIT_OUT.m] = mFit;
  out[outOff + FIT_OUT.sigma] = sFit;
  out[outOff + FIT_OUT.rmseVol] = Math.sqrt(sqV / count);
  out[outOff + FIT_OUT.rmseW] = Math.sqrt(sqW / count);
  out[outOff + FIT_OUT.iterations] = iterations;
  out[outOff + FIT_OUT.objective] = obj;
  out[outOff + FIT_OUT.intervalCount] = butterflyScan(a, b, rho, mFit, sFit, intervals, intOff, MAX_INTERVALS);
  return converged ? SVI_STATUS.ok : SVI_STATUS.not_converged;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** Fits every slice of a packed batch; slice s owns quotes offsets[s]..offsets[s+1]-1. */
export function fitBatch(
  nSlices: number, offsets: Int32Array, k: Float64Array, w: Float64Array, wt: Float64Array, t: Float64Array,
  flags: number, maxIter: number, out: Float64Array, status: Int32Array, intervals: Float64Array,
): void {
  const wn = new Float64Array(k.length);
  const ys = new Float64Array(k.length);
  const zs = new Float64Array(k.length);
  for (let s = 0; s < nSlices; s++) {
    const off = offsets[s] ?? 0;
    const n = (offsets[s + 1] ?? 0) - off;
    status[s] = fitSlice(k, w, wt, wn, ys, zs, off, n, t[s] ?? Number.NaN, flags, maxIter, out, s * FIT_OUT_STRIDE, intervals, s * MAX_INTERVALS * 2);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Butterfly scan: where is g(k) < 0 (or w(k) <= 0)?
// A grid on k = m + S*tau/(1 - tau^2), tau uniform in (-1, 1), is dense near m and reaches |k - m| ~ S*N/2.
// Sign changes are refined by bisection; local minima of g that stay positive on the grid are refined by a
// golden-section search, which catches negative regions thinner than the grid step. Beyond the grid, the
// wing limits g(+-inf) = 1/4 - b^2 (1 +- rho)^2 / 16 decide (Gatheral & Jacquier 2014, section 3, and Lee's
// moment formula): a negative limit means the region runs to infinity, found by doubling outwards.

function isBad(a: number, b: number, rho: number, m: number, sigma: number, k: number): boolean {
  const g = rawG(a, b, rho, m, sigma, k);
  return !(g >= 0);
}

function bisectBoundary(a: number, b: number, rho: number, m: number, sigma: number, lo: number, hi: number, loBad: boolean): number {
  let l = lo, h = hi;
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (l + h);
    if (mid <= l || mid >= h) break;
    if (h - l <= 1e-13 * (1 + Math.abs(mid))) break;
    if (isBad(a, b, rho, m, sigma, mid) === loBad) l = mid; else h = mid;
  }
  return 0.5 * (l + h);
}


/** Golden-section minimum of g on [lo, hi]; writes the argmin into scanMin[0] and returns g there. */
const scanMin = new Float64Array(1);
function goldenMin(a: number, b: number, rho: number, m: number, sigma: number, lo: number, hi: number): number {
  let l = lo, h = hi;
  let x1 = h - GOLDEN * (h - l), x2 = l + GOLDEN * (h - l);
  let f1 = rawG(a, b, rho, m, sigma, x1), f2 = rawG(a, b, rho, m, sigma, x2);
  for (let i = 0; i < 200; i++) {
    if (h - l <= 1e-12 * (1 + Math.abs(l))) break;
    if (f1 < f2) { h = x2; x2 = x1; f2 = f1; x1 = h - GOLDEN * (h - l); f1 = rawG(a, b, rho, m, sigma, x1); }
    else { l = x1; x1 = x2; f1 = f2; x2 = l + GOLDEN * (h - l); f2 = rawG(a, b, rho, m, sigma, x2); }
  }
  if (f1 < f2) { scanMin[0] = x1; return f1; }
  scanMin[0] = x2;
  return f2;
}

/**
 * Writes [from, to] pairs (from < to, +-Infinity for unbounded wings) of the regions where the slice has
 * butterfly arbitrage into `out` at `off`; returns how many there are (at most `maxIntervals`; one more than
 * that means "more than maxIntervals", only the first maxIntervals are written).
 */
export function butterflyScan(
  a: number, b: number, rho: number, m: number, sigma: number, out: Float64Array, off: number, maxIntervals: number,
): number {
  const scale = sigma > 0.05 ? sigma : 0.05;
  const N = SCAN_POINTS;
  let count = 0;
  let open = false;
  let from = 0;
  let kPrev2 = 0, gPrev2 = 0, kPrev = 0, gPrev = 0, badPrev = false;
  for (let j = 0; j < N; j++) {
    const tau = -1 + (2 * j + 1) / N;
    const kj = m + (scale * tau) / (1 - tau * tau);
    const gj = rawG(a, b, rho, m, sigma, kj);
    const bad = !(gj >= 0);
    if (j === 0) {
      if (bad) {
        open = true;
        from = extendOutward(a, b, rho, m, sigma, kj, -1);
      }
    } else {
      if (bad !== badPrev) {
        const edge = bisectBoundary(a, b, rho, m, sigma, kPrev, kj, badPrev);
        if (bad) { open = true; from = edge; } else {
          count = pushInterval(out, off, count, maxIntervals, from, edge);
          open = false;
        }
      } else if (!bad && j >= 2 && !badPrev && gPrev < gPrev2 && gPrev <= gj) {
        // A local minimum on the grid that stayed positive: look between the neighbours for a hidden dip.
        const gm = goldenMin(a, b, rho, m, sigma, kPrev2, kj);
        if (gm < 0) {
          const km = scanMin[0] ?? kPrev;
          const left = bisectBoundary(a, b, rho, m, sigma, kPrev2, km, false);
          const right = bisectBoundary(a, b, rho, m, sigma, km, kj, true);
          count = pushInterval(out, off, count, maxIntervals, left, right);
        }
      }
    }
    kPrev2 = kPrev; gPrev2 = gPrev;
    kPrev = kj; gPrev = gj; badPrev = bad;
  }
  if (open) {
    count = pushInterval(out, off, count, maxIntervals, from, extendOutward(a, b, rho, m, sigma, kPrev, 1));
  } else {
    // The right wing beyond the grid: a negative limit of g means arbitrage from some k onwards.
    const limR = 0.25 - (b * (1 + rho)) * (b * (1 + rho)) / 16;
    if (limR < 0) {
      const edge = findOutward(a, b, rho, m, sigma, kPrev, 1);
      if (edge === edge) count = pushInterval(out, off, count, maxIntervals, edge, Number.POSITIVE_INFINITY);
    }
  }
  // The left wing beyond the grid, when the first grid point was fine.
  const k0 = m + (scale * (-1 + 1 / N)) / (1 - (-1 + 1 / N) * (-1 + 1 / N));
  const limL = 0.25 - (b * (1 - rho)) * (b * (1 - rho)) / 16;
  if (limL < 0 && !isBad(a, b, rho, m, sigma, k0)) {
    const edge = findOutward(a, b, rho, m, sigma, k0, -1);
    if (edge === edge) count = prependInterval(out, off, count, maxIntervals, Number.NEGATIVE_INFINITY, edge);
  }
  return count;
}

/** From a bad point, walks outwards (dir = +-1) doubling the step until g is fine again; +-Infinity if never. */
function extendOutward(a: number, b: number, rho: number, m: number, sigma: number, k0: number, dir: number): number {
  let step = 1;
  let inner = k0;
  for (let i = 0; i < 40; i++) {
    const kk = k0 + dir * step;
    if (!isBad(a, b, rho, m, sigma, kk)) {
      return dir > 0 ? bisectBoundary(a, b, rho, m, sigma, inner, kk, true) : bisectBoundary(a, b, rho, m, sigma, kk, inner, false);
    }
    inner = kk;
    step *= 2;
  }
  return dir * Number.POSITIVE_INFINITY;
}

/** From a fine point, walks outwards doubling the step until g turns bad; returns the boundary or NaN. */
function findOutward(a: number, b: number, rho: number, m: number, sigma: number, k0: number, dir: number): number {
  let step = 1;
  let inner = k0;
  for (let i = 0; i < 60; i++) {
    const kk = k0 + dir * step;
    if (isBad(a, b, rho, m, sigma, kk)) {
      return dir > 0 ? bisectBoundary(a, b, rho, m, sigma, inner, kk, false) : bisectBoundary(a, b, rho, m, sigma, kk, inner, true);
    }
    inner = kk;
    step *= 2;
  }
  return Number.NaN;
}

function pushInterval(out: Float64Array, off: number, count: number, max: number, from: number, to: number): number {
  if (count < max) { out[off + 2 * count] = from; out[off + 2 * count + 1] = to; }
  return count + 1 <= max + 1 ? count + 1 : max + 1;
}

function prependInterval(out: Float64Array, off: number, count: number, max: number, from: number, to: number): number {
  const keep = count < max ? count : max - 1;
  for (let i = keep; i > 0; i--) {
    out[off + 2 * i] = out[off + 2 * (i - 1)] ?? 0;
    out[off + 2 * i + 1] = out[off + 2 * (i - 1) + 1] ?? 0;
  }
  out[off] = from; out[off + 1] = to;
  return count + 1 <= max + 1 ? count + 1 : max + 1;
}
