/**
 * Non-negative least squares: min ‖W^½(A x − y)‖² subject to x ≥ 0, by the active-set method of Lawson and
 * Hanson ("Solving Least Squares Problems", 1974, ch. 23, algorithm NNLS), the method behind
 * scipy.optimize.nnls. It works on the normal equations (G = AᵀWA, c = AᵀWy): a blender has a handful of
 * inputs and many rows, so the k×k Gram matrix is all the solver needs, and each passive-set subproblem is one
 * Cholesky solve. The outer loop adds the coordinate with the largest positive gradient; the inner loop steps
 * back along the segment to the last feasible point when an unconstrained solution turns a weight negative.
 */
import { choleskySolve } from "../../kernels/learn/ridge-reference.ts";

export interface NnlsResult {
  readonly x: Float64Array;
  /** Outer iterations used (each adds one coordinate to the passive set). */
  readonly iterations: number;
  /** Residual sum of squares (weighted), from the normal equations: yᵀWy − 2xᵀc + xᵀGx. */
  readonly rss: number;
}

/** Gram matrix and right-hand side of weighted least squares over the rows where every value is finite. */
export function normalEquations(columns: readonly ArrayLike<number>[], y: ArrayLike<number>, weight?: ArrayLike<number>): { gram: Float64Array; rhs: Float64Array; yy: number; rows: number } {
  const k = columns.length;
  const gram = new Float64Array(k * k);
  const rhs = new Float64Array(k);
  const row = new Float64Array(k);
  let yy = 0;
  let rows = 0;
  for (let r = 0; r < y.length; r++) {
    const yr = y[r] ?? Number.NaN;
    const wr = weight === undefined ? 1 : (weight[r] ?? Number.NaN);
    if (!Number.isFinite(yr) || !(wr > 0)) continue;
    let complete = true;
    for (let j = 0; j < k; j++) {
      const v = columns[j]?.[r] ?? Number.NaN;
      if (!Number.isFinite(v)) complete = false;
      row[j] = v;
    }
    if (!complete) continue;
    rows++;
    yy += wr * yr * yr;
    for (let i = 0; i < k; i++) {
      const wi = wr * (row[i] ?? 0);
      rhs[i] = (rhs[i] ?? 0) + wi * yr;
      for (let j = 0; j <= i; j++) gram[i * k + j] = (gram[i * k + j] ?? 0) + wi * (row[j] ?? 0);
    }
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) gram[j * k + i] = gram[i * k + j] ?? 0;
  return { gram, rhs, yy, rows };
}

/** Solves G_PP z = c_P for the passive set; undefined when G_PP is not positive definite (collinear inputs). */
function solvePassive(gram: Float64Array, rhs: Float64Array, k: number, passive: readonly number[]): Float64Array | undefined {
  const p = passive.length;
  const a = new Float64Array(p * p);
  const b = new Float64Array(p);
  passive.forEach((gi, i) => {
    b[i] = rhs[gi] ?? 0;
    passive.forEach((gj, j) => (a[i * p + j] = gram[gi * k + gj] ?? 0));
  });
  if (!choleskySolve(a, b, p)) return undefined;
  const z = new Float64Array(k);
  passive.forEach((g, i) => (z[g] = b[i] ?? 0));
  return z;
}

/**
 * NNLS on the normal equations. `tolerance` is relative to the largest |c| (scipy uses 10·max(m, n)·ε·‖A‖₁ on A;
 * the Gram form needs its own scale). A coordinate whose column is a linear combination of the passive ones is
 * left at zero rather than failing the fit.
 */
export function nnlsGram(gram: Float64Array, rhs: Float64Array, yy = 0, options: { readonly tolerance?: number } = {}): NnlsResult {
  const k = rhs.length;
  const scale = Math.max(1e-300, ...Array.from(rhs, Math.abs), ...Array.from({ length: k }, (_, i) => Math.abs(gram[i * k + i] ?? 0)));
  const tol = (options.tolerance ?? 1e-12) * scale;
  const x = new Float64Array(k);
  const passive: number[] = [];
  const excluded = new Set<number>();
  const gradient = (): Float64Array => {
    const w = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      let s = rhs[i] ?? 0;
      for (let j = 0; j < k; j++) s -= (gram[i * k + j] ?? 0) * (x[j] ?? 0);
      w[i] = s;
    }
    return w;
  };
  let iterations = 0;
  // Lawson–Hanson terminate in finitely many steps; 3k outer iterations (scipy's default bound) guard the loop.
  for (; iterations < 3 * k + 1; iterations++) {
    const w = gradient();
    let best = -1;
    for (let j = 0; j < k; j++) {
      if (passive.includes(j) || excluded.has(j)) continue;
      if ((w[j] ?? 0) > tol && (best < 0 || (w[j] ?? 0) > (w[best] ?? 0))) best = j;
    }
    if (best < 0) break;
    passive.push(best);
    for (let inner = 0; inner <= k; inner++) {
      const z = solvePassive(gram, rhs, k, passive);
      if (z === undefined) {
        // The new column adds nothing independent: keep it out and continue with the others.
        const at = passive.indexOf(best);
        if (at >= 0) passive.splice(at, 1);
        excluded.add(best);
        break;
      }
      if (passive.every((j) => (z[j] ?? 0) > 0)) {
        x.set(z);
        break;
      }
      let alpha = Number.POSITIVE_INFINITY;
      for (const j of passive) {
        const zj = z[j] ?? 0;
        const xj = x[j] ?? 0;
        if (zj <= 0) alpha = Math.min(alpha, xj / (xj - zj));
      }
      for (let j = 0; j < k; j++) x[j] = (x[j] ?? 0) + alpha * ((z[j] ?? 0) - (x[j] ?? 0));
      for (let i = passive.length - 1; i >= 0; i--) {
        const j = passive[i] ?? 0;
        if ((x[j] ?? 0) <= tol * 1e-3) {
          x[j] = 0;
          passive.splice(i, 1);
        }
      }
    }
  }
  let rss = yy;
  for (let i = 0; i < k; i++) {
    rss -= 2 * (x[i] ?? 0) * (rhs[i] ?? 0);
    for (let j = 0; j < k; j++) rss += (x[i] ?? 0) * (gram[i * k + j] ?? 0) * (x[j] ?? 0);
  }
  return { x, iterations, rss: Math.max(0, rss) };
}

/** NNLS over columns (rows with a missing value or a non-positive weight are left out). */
export function nnls(columns: readonly ArrayLike<number>[], y: ArrayLike<number>, weight?: ArrayLike<number>): NnlsResult & { readonly rows: number } {
  const { gram, rhs, yy, rows } = normalEquations(columns, y, weight);
  return { ...nnlsGram(gram, rhs, yy), rows };
}
