/**
 * SVI jump-wings (JW) parameters and the Gatheral–Jacquier butterfly repair.
 *
 * Source: Gatheral & Jacquier, "Arbitrage-free SVI volatility surfaces", Quantitative Finance 14(1), 2014,
 * section 3.3 (raw -> JW, eq. 3.5, and its inverse, Lemma 3.2) and section 5.2 (repair: keep v_t, psi_t and
 * p_t, set c'_t = p_t + 2 psi_t and vTilde'_t = v_t * 4 p_t c'_t / (p_t + c'_t)^2). The repaired slice is
 * the SSVI-shaped slice with the same ATM variance, ATM skew and put wing.
 */
import type { RawSviParams } from "./engine.ts";

export interface JwSviParams {
  /** ATM implied variance w(0)/t. */
  readonly v: number;
  /** ATM skew. */
  readonly psi: number;
  /** Slope of the left (put) wing. */
  readonly p: number;
  /** Slope of the right (call) wing. */
  readonly c: number;
  /** Minimum implied variance. */
  readonly vTilde: number;
}

export type JwConversion =
  | { readonly ok: true; readonly params: RawSviParams }
  | { readonly ok: false; readonly reason: string };

/** Raw SVI -> JW at maturity t (years). NaN fields when w(0) <= 0 (JW needs a positive ATM variance). */
export function rawToJw(p: RawSviParams, t: number): JwSviParams {
  const root = Math.sqrt(p.m * p.m + p.sigma * p.sigma);
  const wAtm = p.a + p.b * (-p.rho * p.m + root);
  if (!(wAtm > 0) || !(t > 0)) return { v: Number.NaN, psi: Number.NaN, p: Number.NaN, c: Number.NaN, vTilde: Number.NaN };
  const s = Math.sqrt(wAtm);
  return {
    v: wAtm / t,
    psi: (p.b / (2 * s)) * (-p.m / root + p.rho),
    p: (p.b * (1 - p.rho)) / s,
    c: (p.b * (1 + p.rho)) / s,
    vTilde: (p.a + p.b * p.sigma * Math.sqrt(1 - p.rho * p.rho)) / t,
  };
}

/** JW -> raw SVI at maturity t (Gatheral & Jacquier 2014, Lemma 3.2). */
export function jwToRaw(jw: JwSviParams, t: number): JwConversion {
  const wAtm = jw.v * t;
  if (!(wAtm > 0) || !(t > 0)) return { ok: false, reason: "ATM total variance must be positive" };
  const s = Math.sqrt(wAtm);
  const b = (s / 2) * (jw.c + jw.p);
  if (!(b > 0)) return { ok: false, reason: "wing slopes p + c must be positive" };
  const rho = 1 - (jw.p * s) / b;
  if (!(Math.abs(rho) < 1)) return { ok: false, reason: "implied |rho| >= 1" };
  const beta = rho - (2 * jw.psi * s) / b;
  if (!(Math.abs(beta) <= 1)) return { ok: false, reason: "ATM skew out of range (|beta| > 1)" };
  const gap = (jw.v - jw.vTilde) * t; // w(0) - min w >= 0
  if (!(gap >= 0)) return { ok: false, reason: "minimum variance above ATM variance" };
  const q = Math.sqrt(1 - rho * rho);
  if (beta === 0) {
    // m = 0: w(0) = a + b sigma and min w = a + b sigma sqrt(1 - rho^2).
    if (gap === 0) return { ok: false, reason: "sigma not identified (vTilde = v with beta = 0)" };
    const sigma = gap / (b * (1 - q));
    return { ok: true, params: { a: jw.vTilde * t - b * sigma * q, b, rho, m: 0, sigma } };
  }
  if (Math.abs(beta) === 1) return { ok: false, reason: "|beta| = 1 gives sigma = 0" };
  const alpha = Math.sign(beta) * Math.sqrt(1 / (beta * beta) - 1);
  const denom = b * (-rho + Math.sign(alpha) * Math.sqrt(1 + alpha * alpha) - alpha * q);
  const m = gap / denom;
  const sigma = alpha * m;
  if (!(sigma > 0) || !Number.isFinite(m)) return { ok: false, reason: "sigma not positive" };
  return { ok: true, params: { a: jw.vTilde * t - b * sigma * q, b, rho, m, sigma } };
}

/**
 * The Gatheral–Jacquier repair in JW coordinates: same v, psi and p; c' = p + 2 psi; vTilde' from the
 * SSVI-shaped slice. Those JW numbers are exactly an SSVI slice (section 4 of the paper) with
 * theta = v t, sqrt(theta) phi = 2 (p + psi) and rho = psi / (p + psi), so the raw parameters come from the
 * SSVI -> raw map, which (unlike Lemma 3.2) stays defined when psi = 0. Fails unless p > 0 and p + 2 psi > 0.
 */
export function repairJw(
  p: RawSviParams, t: number,
): { ok: true; params: RawSviParams; before: JwSviParams; after: JwSviParams } | { ok: false; reason: string } {
  const before = rawToJw(p, t);
  if (!Number.isFinite(before.v)) return { ok: false, reason: "ATM total variance must be positive" };
  const half = before.p + before.psi; // = sqrt(theta) phi / 2
  const c = before.p + 2 * before.psi;
  if (!(before.p > 0) || !(c > 0)) return { ok: false, reason: "p + 2 psi <= 0: the repaired call wing would not rise" };
  const vTilde = (before.v * 4 * before.p * c) / ((before.p + c) * (before.p + c));
  const after: JwSviParams = { v: before.v, psi: before.psi, p: before.p, c, vTilde };
  const theta = before.v * t;
  const phi = (2 * half) / Math.sqrt(theta);
  const rho = before.psi / half;
  return { ok: true, params: ssviSliceToRaw(theta, rho, phi), before, after };
}

/**
 * One SSVI slice w(k) = theta/2 (1 + rho phi k + sqrt((phi k + rho)^2 + 1 - rho^2)) as raw SVI
 * (Gatheral & Jacquier 2014, section 4): a = theta (1 - rho^2)/2, b = theta phi/2, m = -rho/phi,
 * sigma = sqrt(1 - rho^2)/phi.
 */
export function ssviSliceToRaw(theta: number, rho: number, phi: number): RawSviParams {
  const q = Math.sqrt(1 - rho * rho);
  return { a: (theta * (1 - rho * rho)) / 2, b: (theta * phi) / 2, rho, m: -rho / phi, sigma: q / phi };
}
