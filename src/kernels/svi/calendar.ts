/**
 * Calendar-spread check between two raw SVI slices: total variance must not decrease with maturity,
 * w(k, t2) >= w(k, t1) for every k when t2 > t1 (Gatheral & Jacquier 2014, Definition 2.1 / Lemma 2.1).
 *
 * The difference d(k) = w2(k) - w1(k) of two SVI slices has at most four zeros (squaring the two square
 * roots away leaves a quartic; Gatheral & Jacquier, section 3). We find them on a grid that is dense around
 * both slices' m (the same rational map as the butterfly scan), bisect each sign change, refine local minima
 * of d that stay positive on the grid (a pair of nearby crossings), and decide the wings from the asymptotic
 * slopes b2(1 +- rho2) - b1(1 +- rho1) (w ~ b(1 +- rho)|k| as k -> +-inf).
 */
import type { RawSviParams } from "./engine.ts";
import { rawW } from "../portable/svi/eval.ts";

export interface CalendarCheck {
  /** True when w(k, t2) >= w(k, t1) for every k. */
  readonly calendarFree: boolean;
  /** Every k where the two slices cross, ascending. */
  readonly crossings: number[];
  /** Where w(k, t2) < w(k, t1): [from, to] with +-Infinity for unbounded wings. */
  readonly violations: [number, number][];
  /** Asymptotic slopes of w2 - w1 as k -> -inf and k -> +inf. */
  readonly wingSlopes: { readonly left: number; readonly right: number };
}

const GRID = 2048;
const GOLDEN = 0.6180339887498949;

function diff(p1: RawSviParams, p2: RawSviParams, k: number): number {
  return rawW(p2.a, p2.b, p2.rho, p2.m, p2.sigma, k) - rawW(p1.a, p1.b, p1.rho, p1.m, p1.sigma, k);
}

function bisect(p1: RawSviParams, p2: RawSviParams, lo: number, hi: number): number {
  const loNeg = diff(p1, p2, lo) < 0;
  let l = lo, h = hi;
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (l + h);
    if (mid <= l || mid >= h || h - l <= 1e-13 * (1 + Math.abs(mid))) break;
    if ((diff(p1, p2, mid) < 0) === loNeg) l = mid; else h = mid;
  }
  return 0.5 * (l + h);
}

function goldenMin(p1: RawSviParams, p2: RawSviParams, lo: number, hi: number): { k: number; d: number } {
  let l = lo, h = hi;
  let x1 = h - GOLDEN * (h - l), x2 = l + GOLDEN * (h - l);
  let f1 = diff(p1, p2, x1), f2 = diff(p1, p2, x2);
  for (let i = 0; i < 200 && h - l > 1e-12 * (1 + Math.abs(l)); i++) {
    if (f1 < f2) { h = x2; x2 = x1; f2 = f1; x1 = h - GOLDEN * (h - l); f1 = diff(p1, p2, x1); }
    else { l = x1; x1 = x2; f1 = f2; x2 = l + GOLDEN * (h - l); f2 = diff(p1, p2, x2); }
  }
  return f1 < f2 ? { k: x1, d: f1 } : { k: x2, d: f2 };
}

function gridAround(m: number, sigma: number): Float64Array {
  const scale = sigma > 0.05 ? sigma : 0.05;
  const out = new Float64Array(GRID);
  for (let j = 0; j < GRID; j++) {
    const tau = -1 + (2 * j + 1) / GRID;
    out[j] = m + (scale * tau) / (1 - tau * tau);
  }
  return out;
}

/** From a point on the fine side, doubles outwards until the sign flips; NaN when it never does. */
function outward(p1: RawSviParams, p2: RawSviParams, k0: number, dir: number): number {
  const neg0 = diff(p1, p2, k0) < 0;
  let inner = k0, step = 1;
  for (let i = 0; i < 60; i++) {
    const kk = k0 + dir * step;
    if ((diff(p1, p2, kk) < 0) !== neg0) return dir > 0 ? bisect(p1, p2, inner, kk) : bisect(p1, p2, kk, inner);
    inner = kk;
    step *= 2;
  }
  return Number.NaN;
}

/** Checks slice p2 (maturity t2) against the earlier slice p1 (maturity t1 < t2). */
export function calendarCheck(p1: RawSviParams, p2: RawSviParams): CalendarCheck {
  const g1 = gridAround(p1.m, p1.sigma);
  const g2 = gridAround(p2.m, p2.sigma);
  const grid = new Float64Array(g1.length + g2.length);
  grid.set(g1);
  grid.set(g2, g1.length);
  grid.sort();
  const crossings: number[] = [];
  let prevK = Number.NaN, prevD = Number.NaN, prev2K = Number.NaN, prev2D = Number.NaN;
  for (let j = 0; j < grid.length; j++) {
    const k = grid[j] ?? 0;
    if (k === prevK) continue;
    const d = diff(p1, p2, k);
    if (prevK === prevK) {
      if ((d < 0) !== (prevD < 0)) {
        crossings.push(bisect(p1, p2, prevK, k));
      } else if (d >= 0 && prev2K === prev2K && prevD < prev2D && prevD <= d) {
        const low = goldenMin(p1, p2, prev2K, k);
        if (low.d < 0) crossings.push(bisect(p1, p2, prev2K, low.k), bisect(p1, p2, low.k, k));
      }
    }
    prev2K = prevK; prev2D = prevD;
    prevK = k; prevD = d;
  }
  const kFirst = grid[0] ?? 0;
  const kLast = grid[grid.length - 1] ?? 0;
  const left = p2.b * (1 - p2.rho) - p1.b * (1 - p1.rho);
  const right = p2.b * (1 + p2.rho) - p1.b * (1 + p1.rho);
  // Beyond the grid the sign of d can change once more only if the wing slope disagrees with the sign at
  // the grid's end.
  if ((left < 0) !== (diff(p1, p2, kFirst) < 0) && left !== 0) {
    const edge = outward(p1, p2, kFirst, -1);
    if (edge === edge) crossings.unshift(edge);
  }
  if ((right < 0) !== (diff(p1, p2, kLast) < 0) && right !== 0) {
    const edge = outward(p1, p2, kLast, 1);
    if (edge === edge) crossings.push(edge);
  }
  crossings.sort((x, y) => x - y);
  // Violations: between consecutive crossings (and out to +-inf), test the sign at an interior point.
  const bounds = [Number.NEGATIVE_INFINITY, ...crossings, Number.POSITIVE_INFINITY];
  const violations: [number, number][] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const from = bounds[i] ?? 0, to = bounds[i + 1] ?? 0;
    let probe: number;
    if (from === Number.NEGATIVE_INFINITY && to === Number.POSITIVE_INFINITY) probe = 0.5 * (p1.m + p2.m);
    else if (from === Number.NEGATIVE_INFINITY) probe = to - (1 + Math.abs(to)); // no crossing lies beyond
    else if (to === Number.POSITIVE_INFINITY) probe = from + (1 + Math.abs(from));
    else probe = 0.5 * (from + to);
    const negative = diff(p1, p2, probe) < 0;
    if (!negative) continue;
    const last = violations[violations.length - 1];
    if (last !== undefined && last[1] === from) last[1] = to; else violations.push([from, to]);
  }
  return { calendarFree: violations.length === 0, crossings, violations, wingSlopes: { left, right } };
}
