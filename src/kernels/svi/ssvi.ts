/**
 * Surface SVI (SSVI): w(k, theta_t) = theta_t/2 (1 + rho phi(theta_t) k + sqrt((phi(theta_t) k + rho)^2 + 1 - rho^2))
 * with a global rho and a curvature function phi (Gatheral & Jacquier 2014, section 4).
 *
 * - phi power-law (eq. 4.5): phi(theta) = eta / (theta^gamma (1 + theta)^(1 - gamma)), gamma in (0, 1/2].
 *   With eta (1 + |rho|) <= 2 the surface is free of static arbitrage: theta phi = eta (theta/(1+theta))^(1-gamma)
 *   < eta <= 2/(1+|rho|) gives Theorem 4.2's theta phi (1+|rho|) < 4; theta phi^2 (1+|rho|) <= eta^2 (1+|rho|) <= 4
 *   needs gamma <= 1/2; d(theta phi)/dtheta = (1 - gamma) phi/(1 + theta) lies in Theorem 4.1's range.
 * - phi Heston-like (eq. 4.3): phi(theta) = (1 - (1 - e^(-lambda theta))/(lambda theta)) / (lambda theta); free
 *   of static arbitrage when lambda >= (1 + |rho|)/4 (Corollary 4.1), since theta phi < 1/lambda.
 * The fit keeps every parameter inside those regions by construction (smooth maps from R^n), so the result
 * satisfies the theorems' conditions; `checkSsviConditions` verifies them numerically anyway.
 * theta_t comes from each slice's own raw SVI fit at k = 0 (or the quotes' interpolation at k = 0), made
 * non-decreasing in t by isotonic regression (pool adjacent violators), as Theorem 4.1 requires.
 */
import type { RawSviParams } from "./engine.ts";
import { ssviSliceToRaw } from "./jw.ts";

export type SsviPhi =
  | { readonly kind: "power-law"; readonly eta: number; readonly gamma: number }
  | { readonly kind: "heston"; readonly lambda: number };

export function phiValue(phi: SsviPhi, theta: number): number {
  if (phi.kind === "power-law") return phi.eta / (Math.pow(theta, phi.gamma) * Math.pow(1 + theta, 1 - phi.gamma));
  const x = phi.lambda * theta;
  // For small x, 1 - (1 - e^-x)/x = x/2 - x^2/6 + ...: expm1 keeps the difference accurate.
  return (1 + Math.expm1(-x) / x) / x;
}

/** SSVI total variance at log-moneyness k on the slice with ATM total variance theta. */
export function ssviW(theta: number, rho: number, phi: SsviPhi, k: number): number {
  const f = phiValue(phi, theta);
  const u = f * k + rho;
  return (theta / 2) * (1 + rho * f * k + Math.sqrt(u * u + 1 - rho * rho));
}

export interface SsviConditions {
  /** Theorem 4.1: theta non-decreasing and 0 <= d(theta phi)/dtheta <= (1 + sqrt(1 - rho^2)) phi / rho^2. */
  readonly calendarFree: boolean;
  /** Theorem 4.2: theta phi (1 + |rho|) < 4 and theta phi^2 (1 + |rho|) <= 4. */
  readonly butterflyFree: boolean;
  /** Largest theta phi (1 + |rho|) and theta phi^2 (1 + |rho|) seen on the check grid. */
  readonly maxThetaPhi: number;
  readonly maxThetaPhi2: number;
}

/**
 * Checks the theorems' conditions on a log-spaced theta grid from 1e-4 to 1e2 (plus the fitted thetas);
 * derivatives by central differences.
 */
export function checkSsviConditions(rho: number, phi: SsviPhi, thetas: readonly number[]): SsviConditions {
  let calendar = true;
  for (let i = 1; i < thetas.length; i++) if ((thetas[i] ?? 0) < (thetas[i - 1] ?? 0)) calendar = false;
  const grid: number[] = [...thetas];
  for (let e = -4; e <= 2; e += 0.05) grid.push(Math.pow(10, e));
  const absRho = Math.abs(rho);
  const upperFactor = rho === 0 ? Number.POSITIVE_INFINITY : (1 + Math.sqrt(1 - rho * rho)) / (rho * rho);
  let maxThetaPhi = 0, maxThetaPhi2 = 0;
  let butterfly = true;
  for (const theta of grid) {
    const f = phiValue(phi, theta);
    const tp = theta * f * (1 + absRho);
    const tp2 = theta * f * f * (1 + absRho);
    if (tp > maxThetaPhi) maxThetaPhi = tp;
    if (tp2 > maxThetaPhi2) maxThetaPhi2 = tp2;
    if (!(tp < 4) || !(tp2 <= 4 * (1 + 1e-12))) butterfly = false;
    const h = 1e-6 * theta;
    const deriv = ((theta + h) * phiValue(phi, theta + h) - (theta - h) * phiValue(phi, theta - h)) / (2 * h);
    const tol = 1e-6 * Math.abs(f);
    if (deriv < -tol || deriv > upperFactor * f + tol) calendar = false;
  }
  return { calendarFree: calendar, butterflyFree: butterfly, maxThetaPhi, maxThetaPhi2 };
}

/** Pool-adjacent-violators: the closest non-decreasing sequence in least squares. */
export function isotonic(values: readonly number[]): number[] {
  const level: number[] = [];
  const size: number[] = [];
  for (const v of values) {
    level.push(v);
    size.push(1);
    while (level.length >= 2 && (level[level.length - 2] ?? 0) > (level[level.length - 1] ?? 0)) {
      const l2 = level.pop() ?? 0, s2 = size.pop() ?? 1;
      const l1 = level.pop() ?? 0, s1 = size.pop() ?? 1;
      level.push((l1 * s1 + l2 * s2) / (s1 + s2));
      size.push(s1 + s2);
    }
  }
  const out: number[] = [];
  for (let i = 0; i < level.length; i++) for (let j = 0; j < (size[i] ?? 0); j++) out.push(level[i] ?? 0);
  return out;
}

export interface SsviSliceData {
  readonly t: number;
  readonly theta: number;
  readonly k: Float64Array;
  readonly w: Float64Array;
  /** Normalised to sum 1 within the slice. */
  readonly weight: Float64Array;
}

export interface SsviGlobalFit {
  readonly rho: number;
  readonly phi: SsviPhi;
  readonly objective: number;
  readonly iterations: number;
}

const RHO_CAP = 0.999;

function logistic(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function decode(kind: SsviPhi["kind"], u: readonly number[]): { rho: number; phi: SsviPhi } {
  const rho = RHO_CAP * Math.tanh(u[0] ?? 0);
  if (kind === "power-law") {
    const eta = (2 / (1 + Math.abs(rho))) * logistic(u[1] ?? 0);
    const gamma = 0.5 * logistic(u[2] ?? 0);
    return { rho, phi: { kind, eta, gamma: gamma > 1e-9 ? gamma : 1e-9 } };
  }
  return { rho, phi: { kind, lambda: (1 + Math.abs(rho)) / 4 + Math.exp(u[1] ?? 0) } };
}

function surfaceObjective(slices: readonly SsviSliceData[], rho: number, phi: SsviPhi): number {
  let total = 0;
  for (const s of slices) {
    const f = phiValue(phi, s.theta);
    let sum = 0;
    for (let i = 0; i < s.k.length; i++) {
      const k = s.k[i] ?? 0;
      const u = f * k + rho;
      const model = (s.theta / 2) * (1 + rho * f * k + Math.sqrt(u * u + 1 - rho * rho));
      const e = model - (s.w[i] ?? 0);
      sum += (s.weight[i] ?? 0) * e * e;
    }
    total += sum;
  }
  return total / slices.length;
}

/** Nelder–Mead in n dimensions (Lagarias et al. 1998 coefficients); returns the best point and value. */
function nelderMeadN(f: (x: number[]) => number, x0: number[], step: number, maxIter: number): { x: number[]; f: number; iterations: number } {
  const n = x0.length;
  const pts: number[][] = [x0.slice()];
  for (let i = 0; i < n; i++) {
    const p = x0.slice();
    p[i] = (p[i] ?? 0) + step;
    pts.push(p);
  }
  let vals = pts.map(f);
  let it = 0;
  for (; it < maxIter; it++) {
    const order = vals.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]).map((e) => e[1]);
    const sp = order.map((i) => pts[i] ?? x0);
    const sv = order.map((i) => vals[i] ?? Number.POSITIVE_INFINITY);
    pts.splice(0, pts.length, ...sp);
    vals = sv;
    const best = vals[0] ?? 0, worst = vals[n] ?? 0;
    let spread = 0;
    for (let i = 1; i <= n; i++) for (let d = 0; d < n; d++) spread = Math.max(spread, Math.abs((pts[i]?.[d] ?? 0) - (pts[0]?.[d] ?? 0)));
    if (spread < 1e-9 || worst - best <= 1e-14 * Math.abs(best) + 1e-300) break;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let d = 0; d < n; d++) centroid[d] = (centroid[d] ?? 0) + (pts[i]?.[d] ?? 0) / n;
    const worstPt = pts[n] ?? x0;
    const along = (c: number): number[] => centroid.map((v, d) => v + c * (v - (worstPt[d] ?? 0)));
    const r = along(1);
    const fr = f(r);
    if (fr < best) {
      const e = along(2);
      const fe = f(e);
      if (fe < fr) { pts[n] = e; vals[n] = fe; } else { pts[n] = r; vals[n] = fr; }
    } else if (fr < (vals[n - 1] ?? 0)) {
      pts[n] = r; vals[n] = fr;
    } else {
      const c = fr < worst ? along(0.5) : along(-0.5);
      const fc = f(c);
      if (fc < Math.min(fr, worst)) { pts[n] = c; vals[n] = fc; } else {
        const b0 = pts[0] ?? x0;
        for (let i = 1; i <= n; i++) {
          const p = (pts[i] ?? x0).map((v, d) => (b0[d] ?? 0) + 0.5 * (v - (b0[d] ?? 0)));
          pts[i] = p;
          vals[i] = f(p);
        }
      }
    }
  }
  let bi = 0;
  for (let i = 1; i <= n; i++) if ((vals[i] ?? Infinity) < (vals[bi] ?? Infinity)) bi = i;
  return { x: pts[bi] ?? x0, f: vals[bi] ?? Number.POSITIVE_INFINITY, iterations: it };
}

/** Fits (rho, phi) to slices whose theta is already fixed; several starts, best kept. */
export function fitSsviGlobal(slices: readonly SsviSliceData[], kind: SsviPhi["kind"], maxIter: number): SsviGlobalFit {
  const starts: number[][] = kind === "power-law"
    ? [[-0.5, 0, 0], [0, 0, 0], [-1.5, 1, -1], [0.5, -1, 1]]
    : [[-0.5, 0], [0, 1], [-1.5, -1], [0.5, 2]];
  let best: { x: number[]; f: number } = { x: starts[0] ?? [0, 0], f: Number.POSITIVE_INFINITY };
  let iterations = 0;
  const objective = (u: number[]): number => {
    const { rho, phi } = decode(kind, u);
    const v = surfaceObjective(slices, rho, phi);
    return Number.isFinite(v) ? v : Number.MAX_VALUE;
  };
  for (const s of starts) {
    let res = nelderMeadN(objective, s, 0.5, maxIter);
    iterations += res.iterations;
    // One restart from the best point revives a collapsed simplex.
    const again = nelderMeadN(objective, res.x, 0.1, maxIter);
    iterations += again.iterations;
    if (again.f <= res.f) res = again;
    if (res.f < best.f) best = res;
  }
  const { rho, phi } = decode(kind, best.x);
  return { rho, phi, objective: best.f, iterations };
}

export function ssviRawSlice(theta: number, rho: number, phi: SsviPhi): RawSviParams {
  return ssviSliceToRaw(theta, rho, phiValue(phi, theta));
}
