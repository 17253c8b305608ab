/**
 * The option market the simulator plants, so the options pipeline can be checked against a known truth:
 *   - a smile per (symbol, expiry) that is a raw SVI slice of an SSVI surface with the power-law φ (Gatheral &
 *     Jacquier 2014, section 4), θ_T = σ_atm²·T, |ρ| ≤ 0.7 and η ≤ 1, so η(1 + |ρ|) < 2: free of butterfly and
 *     calendar arbitrage by their Theorems 4.1 and 4.2;
 *   - the discount factor and forward the pipeline derives (sql/options/forwards.sql), restated here as the
 *     simulator's own arithmetic (it is the oracle, so it does not call the pipeline): the Treasury curve of the
 *     previous session (the one published by the session's close) as continuous rates r = 2·ln(1 + y/200), linear in T between tenors and flat beyond; dividends
 *     projected as the trailing year's moved one year on (the simulator announces none ahead), each discounted
 *     at the expiry's rate; F = (S − PV(dividends))/DF.
 */
import { parseIsoDate } from "../domain/calendar/dates.ts";

export interface PlantedSvi {
  readonly a: number;
  readonly b: number;
  readonly rho: number;
  readonly m: number;
  readonly sigma: number;
}

/** SSVI power-law parameters of a symbol. */
export interface PlantedSsvi {
  readonly atmVol: number;
  readonly rho: number;
  readonly eta: number;
  readonly gamma: number;
}

/** The raw SVI slice of an SSVI surface at maturity t (Gatheral & Jacquier 2014, eq. 4.1 rewritten as raw SVI). */
export function ssviSlice(p: PlantedSsvi, t: number): PlantedSvi {
  const theta = p.atmVol * p.atmVol * t;
  const phi = p.eta / (theta ** p.gamma * (1 + theta) ** (1 - p.gamma));
  return {
    a: (theta * (1 - p.rho * p.rho)) / 2,
    b: (theta * phi) / 2,
    rho: p.rho,
    m: -p.rho / phi,
    sigma: Math.sqrt(1 - p.rho * p.rho) / phi,
  };
}

export function sviTotalVariance(s: PlantedSvi, k: number): number {
  return s.a + s.b * (s.rho * (k - s.m) + Math.sqrt((k - s.m) ** 2 + s.sigma * s.sigma));
}

/** Treasury constant-maturity tenors in years, by FRED series. */
export const TREASURY_TENOR_YEARS: Readonly<Record<string, number>> = {
  DGS1MO: 1 / 12, DGS3MO: 0.25, DGS6MO: 0.5, DGS1: 1, DGS2: 2, DGS5: 5, DGS10: 10, DGS30: 30,
};

/** The continuous rate to maturity t from CMT yields in percent (bond-equivalent), as forwards.sql computes it. */
export function curveRate(yields: readonly { readonly tenor: number; readonly percent: number }[], t: number): number {
  const points = yields.map((y) => ({ tenor: y.tenor, r: 2 * Math.log(1 + y.percent / 200) })).sort((x, y) => x.tenor - y.tenor);
  const lo = points.filter((p) => p.tenor <= t).at(-1);
  const hi = points.find((p) => p.tenor >= t);
  if (lo === undefined) return hi?.r ?? Number.NaN;
  if (hi === undefined || hi.tenor === lo.tenor) return lo.r;
  return lo.r + ((hi.r - lo.r) * (t - lo.tenor)) / (hi.tenor - lo.tenor);
}

/** PV at the session of the dividends projected to expiry: the trailing year's (ex-date in (date − 365, date]) moved one year on. */
export function projectedDividendPv(history: readonly { readonly exDate: string; readonly cash: number }[], date: string, expiry: string, rate: number): number {
  const day = parseIsoDate(date);
  const end = parseIsoDate(expiry);
  let pv = 0;
  for (const d of history) {
    const ex = parseIsoDate(d.exDate);
    if (!(ex > day - 365 && ex <= day)) continue;
    const projected = ex + 365;
    if (projected <= end) pv += d.cash * Math.exp((-rate * (projected - day)) / 365);
  }
  return pv;
}
