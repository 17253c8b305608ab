/**
 * Test helpers for the SVI family: both engines, and SVI written out from its definition
 * (Gatheral & Jacquier 2014, eq. 3.1) so tests do not lean on the code under test for expected values.
 */
import { loadKernelModule } from "../../../src/kernels/load.ts";
import { createSviKernels, type SviKernels } from "../../../src/kernels/svi/index.ts";

export interface Raw { a: number; b: number; rho: number; m: number; sigma: number }

export async function bothEngines(): Promise<SviKernels[]> {
  return [createSviKernels(await loadKernelModule()), createSviKernels("ts")];
}

export function sviW(p: Raw, k: number): number {
  return p.a + p.b * (p.rho * (k - p.m) + Math.sqrt((k - p.m) ** 2 + p.sigma ** 2));
}

/** g(k) with w' and w'' by central finite differences: independent of the kernels' analytic derivatives. */
export function numericG(p: Raw, k: number, h = 1e-4): number {
  const w = sviW(p, k);
  const w1 = (sviW(p, k + h) - sviW(p, k - h)) / (2 * h);
  const w2 = (sviW(p, k + h) - 2 * w + sviW(p, k - h)) / (h * h);
  return (1 - (k * w1) / (2 * w)) ** 2 - ((w1 * w1) / 4) * (1 / w + 0.25) + w2 / 2;
}

export function linspace(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

/** Park–Miller minimal standard generator: reproducible noise without Math.random. */
export function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
}

/** g(k) from the paper's formula with w' and w'' differentiated by hand (smooth enough for fine scans). */
export function analyticG(p: Raw, k: number): number {
  const x = k - p.m;
  const r = Math.hypot(x, p.sigma);
  const w = sviW(p, k);
  const w1 = p.b * (p.rho + x / r);
  const w2 = (p.b * p.sigma ** 2) / r ** 3;
  return (1 - (k * w1) / (2 * w)) ** 2 - ((w1 * w1) / 4) * (1 / w + 0.25) + w2 / 2;
}
