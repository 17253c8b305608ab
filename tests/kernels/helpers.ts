/** Shared test helpers for the option kernels: the reference vectors and tolerance rules. */
import { readFileSync } from "node:fs";

export const EPS = 2.220446049250313e-16;

export interface NormalRow { x: number; cdf: number; pdf: number; erfc: number; erfcx: number | null }
export interface BsmRow {
  S: number; K: number; T: number; r: number; q: number; vol: number; call: boolean;
  price: number; delta: number; gamma: number; vega: number; theta: number; rho: number;
  vanna: number | null; volga: number | null; charm: number | null;
  kappa: Record<"price" | "delta" | "gamma" | "vega" | "theta" | "rho", number | null>;
}
export interface IvRow {
  price: number; S: number; K: number; T: number; r: number; q: number; call: boolean; vol: number;
  x: number; s: number; timeValueNormalised: number | null; kappaSigma: number | null;
}
export interface GoldenRow {
  source: string; call: boolean; S: number; K: number; T: number; r: number; q: number; vol: number;
  field: "price" | "delta" | "gamma" | "vega" | "theta" | "rho"; value: number; tol: number;
}
export interface Reference {
  normal: NormalRow[];
  normInv: { p: number; x: number }[];
  bsm: BsmRow[];
  iv: IvRow[];
  golden: GoldenRow[];
}

export const reference: Reference = JSON.parse(
  readFileSync(new URL("../ref/kernels-reference.json", import.meta.url), "utf8"),
) as Reference;

export function relErr(got: number, want: number): number {
  if (got === want) return 0;
  return Math.abs(got - want) / Math.abs(want);
}

/**
 * The accuracy rule with the input-rounding term made explicit: |got - want| / |want| must be within
 * `tol` plus 8 ulps times the problem's condition number kappa (any double evaluation from rounded inputs
 * inherits kappa * eps; see tests/ref/generate_reference.py). Below 1e-300 the rule is absolute, floor * scale.
 */
export function withinTolerance(got: number, want: number, tol: number, kappa: number | null, scale: number): boolean {
  if (Math.abs(want) < 1e-300) return Math.abs(got - want) <= 1e-15 * scale;
  return relErr(got, want) <= tol + 8 * (kappa ?? 0) * EPS;
}

/**
 * fast-check runs with a fixed seed so CI is deterministic; TRADEML_FC_SEED=random explores new cases locally
 * (and TRADEML_FC_SEED=<n> replays one). A failure prints the seed and path to replay it.
 */
export function propertySeed(): { seed?: number } {
  const raw = process.env["TRADEML_FC_SEED"];
  if (raw === "random") return {};
  const seed = raw === undefined ? 20261127 : Number(raw);
  return Number.isFinite(seed) ? { seed } : {};
}
