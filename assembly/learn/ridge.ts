// Ridge regression on standardised features, closed form (Hoerl & Kennard, "Ridge regression: biased estimation
// for nonorthogonal problems", Technometrics 12(1), 1970; Hastie, Tibshirani & Friedman, "The Elements of
// Statistical Learning", 2nd ed., 3.4.1). With weights w rescaled to mean 1 (so lambda means the same with and
// without weights), features standardised by their weighted mean and standard deviation, z_j = (x_j - mu_j)/s_j,
// it minimises  sum_i w_i (y_i - b - z_i . beta)^2 + lambda |beta|^2.  Centring makes the unpenalised intercept
// b = weighted mean of y, and beta solves (Z'WZ + lambda I) beta = Z'W(y - ybar), by Cholesky. Coefficients are
// returned on the raw scale: coef_j = beta_j / s_j, intercept = ybar - sum_j coef_j mu_j.
// Mirrored operation by operation by src/kernels/learn/ridge-reference.ts (bit-identical).
import { LEARN_BAD_PARAMS, LEARN_BAD_SHAPE, LEARN_NON_FINITE_FEATURE, LEARN_NON_FINITE_LABEL, LEARN_OK, LEARN_SINGULAR, LEARN_ZERO_WEIGHT } from "./layout";
import { ldf, ldi, stf } from "./memory";

/** A feature whose standard deviation is below this fraction of its mean's magnitude is constant (coef 0). */
const CONSTANT_REL: f64 = 1e-10;
/** A Cholesky pivot below this fraction of the largest diagonal entry means a singular system. */
const PIVOT_REL: f64 = 1e-13;

@inline function rowAt(rows: usize, i: i32): i32 {
  return rows == 0 ? i : ldi(rows, i);
}

@inline function weightAt(w: usize, r: i32): f64 {
  return w == 0 ? 1.0 : ldf(w, r);
}

/** Bytes of scratch ridgeFit needs for p features. */
export function ridgeScratchBytes(p: i32): f64 {
  return <f64>(p * p + p + 2) * 8;
}

/**
 * Fits ridge on rows[0..nRows-1] (rows = 0: the first nRows rows) of the column-major panel x (p columns of
 * nTotal f64), label y and weights w (0: unit weights). Writes mean, scale (0 for a constant feature),
 * coef (raw scale), stdCoef (standardised scale), intercept[0]. Returns a LEARN_* status.
 */
export function ridgeFit(
  nTotal: i32, p: i32, x: usize, y: usize, w: usize, rows: usize, nRows: i32, lambda: f64,
  outMean: usize, outScale: usize, outCoef: usize, outStdCoef: usize, outIntercept: usize, scratch: usize,
): i32 {
  if (nTotal <= 0 || p <= 0 || nRows <= 0 || (rows == 0 && nRows > nTotal)) return LEARN_BAD_SHAPE;
  if (!(lambda >= 0) || !isFinite<f64>(lambda)) return LEARN_BAD_PARAMS;
  let wsum: f64 = 0;
  for (let i = 0; i < nRows; i++) {
    const r = rowAt(rows, i);
    if (r < 0 || r >= nTotal) return LEARN_BAD_SHAPE;
    const wi = weightAt(w, r);
    if (!isFinite<f64>(wi) || wi < 0 || !isFinite<f64>(ldf(y, r))) return LEARN_NON_FINITE_LABEL;
    for (let j = 0; j < p; j++) {
      if (!isFinite<f64>(ldf(x, j * nTotal + r))) return LEARN_NON_FINITE_FEATURE;
    }
    wsum += wi;
  }
  if (!(wsum > 0)) return LEARN_ZERO_WEIGHT;
  const c = <f64>nRows / wsum;
  let sw: f64 = 0;
  let sy: f64 = 0;
  for (let i = 0; i < nRows; i++) {
    const r = rowAt(rows, i);
    const wi = weightAt(w, r) * c;
    sw += wi;
    sy += wi * ldf(y, r);
  }
  const ybar = sy / sw;
  for (let j = 0; j < p; j++) {
    const col = x + (<usize>(j * nTotal) << 3);
    let s: f64 = 0;
    for (let i = 0; i < nRows; i++) {
      const r = rowAt(rows, i);
      s += weightAt(w, r) * c * ldf(col, r);
    }
    const mean = s / sw;
    let v: f64 = 0;
    for (let i = 0; i < nRows; i++) {
      const r = rowAt(rows, i);
      const d = ldf(col, r) - mean;
      v += weightAt(w, r) * c * d * d;
    }
    let scale = Math.sqrt(v / sw);
    if (!(scale > CONSTANT_REL * Math.abs(mean))) scale = 0;
    stf(outMean, j, mean);
    stf(outScale, j, scale);
  }
  // a = scratch[0 .. p*p-1] (row-major, lower triangle used), b = scratch[p*p .. p*p+p-1].
  const a = scratch;
  const b = scratch + (<usize>(p * p) << 3);
  for (let j = 0; j < p; j++) {
    const sj = ldf(outScale, j);
    const mj = ldf(outMean, j);
    const colJ = x + (<usize>(j * nTotal) << 3);
    for (let k = 0; k <= j; k++) {
      const sk = ldf(outScale, k);
      if (sj == 0 || sk == 0) {
        stf(a, j * p + k, j == k ? 1.0 : 0.0);
        continue;
      }
      const mk = ldf(outMean, k);
      const colK = x + (<usize>(k * nTotal) << 3);
      let s: f64 = 0;
      for (let i = 0; i < nRows; i++) {
        const r = rowAt(rows, i);
        s += weightAt(w, r) * c * (ldf(colJ, r) - mj) * (ldf(colK, r) - mk);
      }
      stf(a, j * p + k, s / (sj * sk) + (j == k ? lambda : 0.0));
    }
    if (sj == 0) {
      stf(b, j, 0);
      continue;
    }
    let s: f64 = 0;
    for (let i = 0; i < nRows; i++) {
      const r = rowAt(rows, i);
      s += weightAt(w, r) * c * (ldf(colJ, r) - mj) * (ldf(y, r) - ybar);
    }
    stf(b, j, s / sj);
  }
  if (!choleskySolve(a, b, p)) return LEARN_SINGULAR;
  let intercept = ybar;
  for (let j = 0; j < p; j++) {
    const sj = ldf(outScale, j);
    const beta = sj == 0 ? 0.0 : ldf(b, j);
    const coef = sj == 0 ? 0.0 : beta / sj;
    stf(outStdCoef, j, beta);
    stf(outCoef, j, coef);
    intercept -= coef * ldf(outMean, j);
  }
  stf(outIntercept, 0, intercept);
  return LEARN_OK;
}

/**
 * Solves M z = b in place (z overwrites b) for the symmetric positive definite M whose lower triangle is in
 * a (row-major p x p); a is overwritten by the Cholesky factor L (M = L L'). False when M is not positive
 * definite to working precision.
 */
function choleskySolve(a: usize, b: usize, p: i32): bool {
  let maxDiag: f64 = 0;
  for (let j = 0; j < p; j++) maxDiag = Math.max(maxDiag, ldf(a, j * p + j));
  if (!(maxDiag > 0) || !isFinite<f64>(maxDiag)) return false;
  for (let j = 0; j < p; j++) {
    let d = ldf(a, j * p + j);
    for (let k = 0; k < j; k++) {
      const l = ldf(a, j * p + k);
      d -= l * l;
    }
    if (!(d > PIVOT_REL * maxDiag)) return false;
    const ljj = Math.sqrt(d);
    stf(a, j * p + j, ljj);
    for (let i = j + 1; i < p; i++) {
      let s = ldf(a, i * p + j);
      for (let k = 0; k < j; k++) s -= ldf(a, i * p + k) * ldf(a, j * p + k);
      stf(a, i * p + j, s / ljj);
    }
  }
  for (let i = 0; i < p; i++) { // forward: L u = b
    let s = ldf(b, i);
    for (let k = 0; k < i; k++) s -= ldf(a, i * p + k) * ldf(b, k);
    stf(b, i, s / ldf(a, i * p + i));
  }
  for (let i = p - 1; i >= 0; i--) { // back: L' z = u
    let s = ldf(b, i);
    for (let k = i + 1; k < p; k++) s -= ldf(a, k * p + i) * ldf(b, k);
    stf(b, i, s / ldf(a, i * p + i));
  }
  return true;
}

/**
 * out[i] = intercept + sum_j coef[j] * x[j][rows[i]] (j ascending) for i < nRows (rows = 0: row i). A missing
 * feature gives NaN. Returns the number of non-finite outputs.
 */
export function linearPredict(
  nTotal: i32, p: i32, x: usize, rows: usize, nRows: i32, coef: usize, intercept: f64, out: usize,
): i32 {
  let bad: i32 = 0;
  for (let i = 0; i < nRows; i++) {
    const r = rowAt(rows, i);
    let s = intercept;
    for (let j = 0; j < p; j++) s += ldf(coef, j) * ldf(x, j * nTotal + r);
    if (!isFinite<f64>(s)) bad++;
    stf(out, i, s);
  }
  return bad;
}
