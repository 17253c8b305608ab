// Butterfly scan: the regions where g(k) < 0 (or w(k) <= 0). Written once for both builds (docs/kernels.md).
// A grid on k = m + S*tau/(1 - tau^2), tau uniform in (-1, 1), is dense near m and reaches |k - m| ~ S*N/2.
// Sign changes are refined by bisection; local minima of g that stay positive on the grid are refined by a
// golden-section search, which catches negative regions thinner than the grid step. Beyond the grid the wing
// limits g(+-inf) = 1/4 - b^2 (1 +- rho)^2 / 16 decide (Gatheral & Jacquier 2014, section 3; Lee's moment
// formula): a negative limit means the region runs to infinity; its edge is found by doubling outwards.
import { loadF64, storeF64 } from "../memory.ts";
import { SCAN_POINTS } from "./constants.ts";
import { rawG } from "./eval.ts";

const GOLDEN: f64 = 0.6180339887498949;
let scanArgMin: f64 = 0;

// @inline
function isBad(a: f64, b: f64, rho: f64, m: f64, sigma: f64, k: f64): bool {
  const g = rawG(a, b, rho, m, sigma, k);
  return !(g >= 0);
}

function bisectBoundary(a: f64, b: f64, rho: f64, m: f64, sigma: f64, lo: f64, hi: f64, loBad: bool): f64 {
  let l = lo;
  let h = hi;
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (l + h);
    if (mid <= l || mid >= h) break;
    if (h - l <= 1e-13 * (1 + Math.abs(mid))) break;
    if (isBad(a, b, rho, m, sigma, mid) == loBad) l = mid;
    else h = mid;
  }
  return 0.5 * (l + h);
}

function goldenMin(a: f64, b: f64, rho: f64, m: f64, sigma: f64, lo: f64, hi: f64): f64 {
  let l = lo;
  let h = hi;
  let x1 = h - GOLDEN * (h - l);
  let x2 = l + GOLDEN * (h - l);
  let f1 = rawG(a, b, rho, m, sigma, x1);
  let f2 = rawG(a, b, rho, m, sigma, x2);
  for (let i = 0; i < 200; i++) {
    if (h - l <= 1e-12 * (1 + Math.abs(l))) break;
    if (f1 < f2) {
      h = x2; x2 = x1; f2 = f1; x1 = h - GOLDEN * (h - l); f1 = rawG(a, b, rho, m, sigma, x1);
    } else {
      l = x1; x1 = x2; f1 = f2; x2 = l + GOLDEN * (h - l); f2 = rawG(a, b, rho, m, sigma, x2);
    }
  }
  if (f1 < f2) {
    scanArgMin = x1;
    return f1;
  }
  scanArgMin = x2;
  return f2;
}

function extendOutward(a: f64, b: f64, rho: f64, m: f64, sigma: f64, k0: f64, dir: f64): f64 {
  let step: f64 = 1;
  let inner = k0;
  for (let i = 0; i < 40; i++) {
    const kk = k0 + dir * step;
    if (!isBad(a, b, rho, m, sigma, kk)) {
      return dir > 0
        ? bisectBoundary(a, b, rho, m, sigma, inner, kk, true)
        : bisectBoundary(a, b, rho, m, sigma, kk, inner, false);
    }
    inner = kk;
    step *= 2;
  }
  return dir * Infinity;
}

function findOutward(a: f64, b: f64, rho: f64, m: f64, sigma: f64, k0: f64, dir: f64): f64 {
  let step: f64 = 1;
  let inner = k0;
  for (let i = 0; i < 60; i++) {
    const kk = k0 + dir * step;
    if (isBad(a, b, rho, m, sigma, kk)) {
      return dir > 0
        ? bisectBoundary(a, b, rho, m, sigma, inner, kk, false)
        : bisectBoundary(a, b, rho, m, sigma, kk, inner, true);
    }
    inner = kk;
    step *= 2;
  }
  return NaN;
}

function pushInterval(out: usize, count: i32, max: i32, from: f64, to: f64): i32 {
  if (count < max) {
    storeF64(out, 2 * count, from);
    storeF64(out, 2 * count + 1, to);
  }
  return count + 1 <= max + 1 ? count + 1 : max + 1;
}

function prependInterval(out: usize, count: i32, max: i32, from: f64, to: f64): i32 {
  const keep = count < max ? count : max - 1;
  for (let i = keep; i > 0; i--) {
    storeF64(out, 2 * i, loadF64(out, 2 * (i - 1)));
    storeF64(out, 2 * i + 1, loadF64(out, 2 * (i - 1) + 1));
  }
  storeF64(out, 0, from);
  storeF64(out, 1, to);
  return count + 1 <= max + 1 ? count + 1 : max + 1;
}

/**
 * Writes [from, to] pairs (+-Infinity for unbounded wings) of the butterfly-arbitrage regions to `out`;
 * returns their number, capped at maxIntervals + 1 (which means "more than maxIntervals").
 */
export function sviButterflyScan(a: f64, b: f64, rho: f64, m: f64, sigma: f64, out: usize, maxIntervals: i32): i32 {
  const scale: f64 = sigma > 0.05 ? sigma : 0.05;
  const N = SCAN_POINTS;
  let count: i32 = 0;
  let open = false;
  let from: f64 = 0;
  let kPrev2: f64 = 0, gPrev2: f64 = 0, kPrev: f64 = 0, gPrev: f64 = 0;
  let badPrev = false;
  for (let j = 0; j < N; j++) {
    const tau = -1 + ((2 * j + 1) as f64) / (N as f64);
    const kj = m + (scale * tau) / (1 - tau * tau);
    const gj = rawG(a, b, rho, m, sigma, kj);
    const bad = !(gj >= 0);
    if (j == 0) {
      if (bad) {
        open = true;
        from = extendOutward(a, b, rho, m, sigma, kj, -1);
      }
    } else {
      if (bad != badPrev) {
        const edge = bisectBoundary(a, b, rho, m, sigma, kPrev, kj, badPrev);
        if (bad) {
          open = true;
          from = edge;
        } else {
          count = pushInterval(out, count, maxIntervals, from, edge);
          open = false;
        }
      } else if (!bad && j >= 2 && !badPrev && gPrev < gPrev2 && gPrev <= gj) {
        const gm = goldenMin(a, b, rho, m, sigma, kPrev2, kj);
        if (gm < 0) {
          const km = scanArgMin;
          const left = bisectBoundary(a, b, rho, m, sigma, kPrev2, km, false);
          const right = bisectBoundary(a, b, rho, m, sigma, km, kj, true);
          count = pushInterval(out, count, maxIntervals, left, right);
        }
      }
    }
    kPrev2 = kPrev; gPrev2 = gPrev;
    kPrev = kj; gPrev = gj; badPrev = bad;
  }
  if (open) {
    count = pushInterval(out, count, maxIntervals, from, extendOutward(a, b, rho, m, sigma, kPrev, 1));
  } else {
    const limR = 0.25 - (b * (1 + rho)) * (b * (1 + rho)) / 16;
    if (limR < 0) {
      const edge = findOutward(a, b, rho, m, sigma, kPrev, 1);
      if (edge == edge) count = pushInterval(out, count, maxIntervals, edge, Infinity);
    }
  }
  const t0 = -1 + 1 / (N as f64);
  const k0 = m + (scale * t0) / (1 - t0 * t0);
  const limL = 0.25 - (b * (1 - rho)) * (b * (1 - rho)) / 16;
  if (limL < 0 && !isBad(a, b, rho, m, sigma, k0)) {
    const edge = findOutward(a, b, rho, m, sigma, k0, -1);
    if (edge == edge) count = prependInterval(out, count, maxIntervals, -Infinity, edge);
  }
  return count;
}
