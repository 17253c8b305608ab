/**
 * The pure-TypeScript twin of assembly/learn/ridge.ts: the same operations in the same order, so both engines
 * give the same bits (tests/learn/ridge.test.ts checks it). See the AS file for the method and its sources.
 */
import { LEARN_STATUS_NAMES } from "./layout.ts";

const CONSTANT_REL = 1e-10;
const PIVOT_REL = 1e-13;
const status = (name: (typeof LEARN_STATUS_NAMES)[number]): number => LEARN_STATUS_NAMES.indexOf(name);

export interface RidgeSolution {
  readonly mean: Float64Array;
  readonly scale: Float64Array;
  readonly coef: Float64Array;
  readonly stdCoef: Float64Array;
  readonly intercept: number;
}

export function ridgeFitReference(
  x: readonly ArrayLike<number>[], y: ArrayLike<number>, w: ArrayLike<number> | undefined, rows: Int32Array, lambda: number,
): { status: number; solution?: RidgeSolution } {
  const p = x.length;
  const n = rows.length;
  const at = (col: ArrayLike<number>, r: number): number => col[r] ?? Number.NaN;
  const weightAt = (r: number): number => (w === undefined ? 1 : at(w, r));
  if (!(lambda >= 0) || !Number.isFinite(lambda)) return { status: status("bad_params") };
  let wsum = 0;
  for (let i = 0; i < n; i++) {
    const r = rows[i] ?? 0;
    const wi = weightAt(r);
    if (!Number.isFinite(wi) || wi < 0 || !Number.isFinite(at(y, r))) return { status: status("non_finite_label") };
    for (let j = 0; j < p; j++) if (!Number.isFinite(at(x[j] ?? [], r))) return { status: status("non_finite_feature") };
    wsum += wi;
  }
  if (!(wsum > 0)) return { status: status("zero_weight") };
  const c = n / wsum;
  let sw = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    const r = rows[i] ?? 0;
    const wi = weightAt(r) * c;
    sw += wi;
    sy += wi * at(y, r);
  }
  const ybar = sy / sw;
  const mean = new Float64Array(p);
  const scale = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const col = x[j] ?? [];
    let s = 0;
    for (let i = 0; i < n; i++) {
      const r = rows[i] ?? 0;
      s += weightAt(r) * c * at(col, r);
    }
    const m = s / sw;
    let v = 0;
    for (let i = 0; i < n; i++) {
      const r = rows[i] ?? 0;
      const d = at(col, r) - m;
      v += weightAt(r) * c * d * d;
    }
    let sd = Math.sqrt(v / sw);
    if (!(sd > CONSTANT_REL * Math.abs(m))) sd = 0;
    mean[j] = m;
    scale[j] = sd;
  }
  const a = new Float64Array(p * p);
  const b = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const sj = scale[j] ?? 0;
    const mj = mean[j] ?? 0;
    const colJ = x[j] ?? [];
    for (let k = 0; k <= j; k++) {
      const sk = scale[k] ?? 0;
      if (sj === 0 || sk === 0) {
        a[j * p + k] = j === k ? 1 : 0;
        continue;
      }
      const mk = mean[k] ?? 0;
      const colK = x[k] ?? [];
      let s = 0;
      for (let i = 0; i < n; i++) {
        const r = rows[i] ?? 0;
        s += weightAt(r) * c * (at(colJ, r) - mj) * (at(colK, r) - mk);
      }
      a[j * p + k] = s / (sj * sk) + (j === k ? lambda : 0);
    }
    if (sj === 0) {
      b[j] = 0;
      continue;
    }
    let s = 0;
    for (let i = 0; i < n; i++) {
      const r = rows[i] ?? 0;
      s += weightAt(r) * c * (at(colJ, r) - mj) * (at(y, r) - ybar);
    }
    b[j] = s / sj;
  }
  if (!choleskySolve(a, b, p)) return { status: status("singular") };
  const coef = new Float64Array(p);
  const stdCoef = new Float64Array(p);
  let intercept = ybar;
  for (let j = 0; j < p; j++) {
    const sj = scale[j] ?? 0;
    const beta = sj === 0 ? 0 : (b[j] ?? 0);
    const cj = sj === 0 ? 0 : beta / sj;
    stdCoef[j] = beta;
    coef[j] = cj;
    intercept -= cj * (mean[j] ?? 0);
  }
  return { status: 0, solution: { mean, scale, coef, stdCoef, intercept } };
}

/** Solves a·x = b in place (x in b) for a symmetric positive definite p×p `a` (overwritten); false when not SPD. */
export function choleskySolve(a: Float64Array, b: Float64Array, p: number): boolean {
  const A = (i: number): number => a[i] ?? 0;
  let maxDiag = 0;
  for (let j = 0; j < p; j++) maxDiag = Math.max(maxDiag, A(j * p + j));
  if (!(maxDiag > 0) || !Number.isFinite(maxDiag)) return false;
  for (let j = 0; j < p; j++) {
    let d = A(j * p + j);
    for (let k = 0; k < j; k++) {
      const l = A(j * p + k);
      d -= l * l;
    }
    if (!(d > PIVOT_REL * maxDiag)) return false;
    const ljj = Math.sqrt(d);
    a[j * p + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      let s = A(i * p + j);
      for (let k = 0; k < j; k++) s -= A(i * p + k) * A(j * p + k);
      a[i * p + j] = s / ljj;
    }
  }
  for (let i = 0; i < p; i++) {
    let s = b[i] ?? 0;
    for (let k = 0; k < i; k++) s -= A(i * p + k) * (b[k] ?? 0);
    b[i] = s / A(i * p + i);
  }
  for (let i = p - 1; i >= 0; i--) {
    let s = b[i] ?? 0;
    for (let k = i + 1; k < p; k++) s -= A(k * p + i) * (b[k] ?? 0);
    b[i] = s / A(i * p + i);
  }
  return true;
}
