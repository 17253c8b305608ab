/**
 * SVI surfaces from implied vols: one raw-SVI slice per (underlier, session, expiry), fitted on out-of-the-money
 * quotes only (puts below the forward, calls at or above it). Equity options are American: an in-the-money
 * American option carries an early-exercise premium that a European (Black-76) implied vol reads as extra
 * volatility, most of all for deep in-the-money puts and for calls just before an ex-dividend date. OTM options
 * have little of that premium, so their Black vols are close to the European smile; what bias remains (OTM puts
 * on high-rate days, short expiries across a dividend) is documented in docs/options.md and not corrected.
 *
 * Per slice, in order (the first failing check decides a rejection's reason):
 *   too_short       fewer than surface.min_days calendar days to expiry
 *   too_few_quotes  fewer than surface.min_quotes usable OTM quotes (ok IV, mid ≥ surface.min_price)
 *   <fit status>    the SVI kernel's own (not ok and not not_converged), e.g. degenerate
 *   rmse_too_high   RMSE above surface.max_rmse_vol_points
 *   butterfly_arbitrage   g(k) < 0 somewhere and the Gatheral–Jacquier JW repair did not clear it
 * A slice with butterfly arbitrage that the repair clears is `repaired` (its parameters are the repaired ones and
 * its RMSE is theirs). The calendar flag compares a slice with the previous expiry's accepted slice (w must not
 * decrease in T at any k); it is a flag, not a rejection, since either slice may be the faulty one.
 */
import type { OptionsCurationConfig } from "../config/schemas/options.ts";
import type { RawSviParams, SviFamily } from "../kernels/svi/index.ts";

/** One OTM quote with an implied vol, as read from options_iv. */
export interface SurfaceQuote {
  readonly underlying: string;
  readonly date: string;
  readonly expiry: string;
  readonly t: number;
  readonly forward: number;
  readonly k: number;
  readonly mid: number;
  readonly ivMid: number;
  readonly ivBid: number;
  readonly ivAsk: number;
  readonly vega: number;
}

/** An expiry present in options_iv for a session (fitted or not). */
export interface SurfaceExpiry {
  readonly underlying: string;
  readonly date: string;
  readonly expiry: string;
  readonly t: number;
  readonly forward: number | null;
}

export type SurfaceStatus = "ok" | "repaired" | "rejected";

// Type aliases, not interfaces: rows go to PartWriter.writeRows as records of columns.
export type SurfaceRow = {
  readonly underlying: string;
  readonly date: string;
  readonly expiry: string;
  readonly t: number;
  readonly forward: number | null;
  readonly a: number | null;
  readonly b: number | null;
  readonly rho: number | null;
  readonly m: number | null;
  readonly sigma: number | null;
  readonly weights: string;
  readonly rmse_vol_points: number | null;
  readonly n_quotes: number;
  readonly k_min: number | null;
  readonly k_max: number | null;
  readonly butterfly_free: boolean | null;
  readonly calendar_arbitrage: boolean | null;
  readonly jw_repaired: boolean;
  readonly fit_status: string | null;
  readonly qc_status: SurfaceStatus;
  readonly reject_reason: string | null;
};

export type SurfaceQcRow = {
  readonly underlying: string;
  readonly date: string;
  readonly expiries: number;
  readonly ok: number;
  readonly repaired: number;
  readonly rejected: number;
  readonly surface_qc_rate: number;
};

type SurfaceConfig = OptionsCurationConfig["surface"];

function key(underlying: string, date: string, expiry: string): string {
  return `${underlying}|${date}|${expiry}`;
}

/** RMSE between the quotes' vols and the slice's, in vol points (100 × decimal vol). */
function rmseVolPoints(svi: SviFamily, params: RawSviParams, t: number, k: readonly number[], vols: readonly number[]): number {
  const w = svi.sviEval(params, k);
  let sum = 0;
  for (let i = 0; i < vols.length; i++) {
    const fitted = Math.sqrt(Math.max(w[i] ?? Number.NaN, 0) / t);
    sum += ((fitted - (vols[i] ?? Number.NaN)) * 100) ** 2;
  }
  return Math.sqrt(sum / vols.length);
}

interface Slice {
  readonly expiry: SurfaceExpiry;
  readonly quotes: SurfaceQuote[];
}

function weightOf(q: SurfaceQuote, kind: SurfaceConfig["weights"]): number {
  if (kind === "vega") return q.vega > 0 ? q.vega : 0;
  const width = (q.ivAsk * q.ivAsk - q.ivBid * q.ivBid) * q.t;
  return width > 0 ? 1 / width : 0;
}

/** Fits every expiry; rows come back in (underlying, date, expiry) order with the sessions' QC rates. */
export function fitSurfaces(
  svi: SviFamily,
  expiries: readonly SurfaceExpiry[],
  quotes: readonly SurfaceQuote[],
  config: SurfaceConfig,
): { surfaces: SurfaceRow[]; qc: SurfaceQcRow[] } {
  const byKey = new Map<string, SurfaceQuote[]>();
  for (const q of quotes) {
    if (!(q.mid >= config.min_price) || !(weightOf(q, config.weights) > 0)) continue;
    const id = key(q.underlying, q.date, q.expiry);
    (byKey.get(id) ?? byKey.set(id, []).get(id) ?? []).push(q);
  }
  const ordered = [...expiries].sort((x, y) => key(x.underlying, x.date, x.expiry).localeCompare(key(y.underlying, y.date, y.expiry)));
  const slices: Slice[] = ordered.map((expiry) => ({ expiry, quotes: (byKey.get(key(expiry.underlying, expiry.date, expiry.expiry)) ?? []).sort((x, y) => x.k - y.k) }));

  const fittable = slices.filter((s) => s.expiry.t * 365 >= config.min_days && s.quotes.length >= config.min_quotes);
  const fits = svi.sviFitBatch(fittable.map((s) => ({
    k: s.quotes.map((q) => q.k),
    w: s.quotes.map((q) => q.ivMid * q.ivMid * q.t),
    weight: s.quotes.map((q) => weightOf(q, config.weights)),
    t: s.expiry.t,
  })));
  const fitOf = new Map(fittable.map((s, i) => [s, fits[i]]));

  const surfaces: SurfaceRow[] = [];
  let previous: { session: string; params: RawSviParams; t: number } | undefined;
  for (const slice of slices) {
    const e = slice.expiry;
    const session = `${e.underlying}|${e.date}`;
    if (previous?.session !== session) previous = undefined;
    const k = slice.quotes.map((q) => q.k);
    const vols = slice.quotes.map((q) => q.ivMid);
    const base = {
      underlying: e.underlying, date: e.date, expiry: e.expiry, t: e.t, forward: e.forward, weights: config.weights,
      n_quotes: slice.quotes.length, k_min: k.length > 0 ? Math.min(...k) : null, k_max: k.length > 0 ? Math.max(...k) : null,
    };
    const reject = (reason: string, fitStatus: string | null = null): SurfaceRow => ({
      ...base, a: null, b: null, rho: null, m: null, sigma: null, rmse_vol_points: null, butterfly_free: null,
      calendar_arbitrage: null, jw_repaired: false, fit_status: fitStatus, qc_status: "rejected", reject_reason: reason,
    });
    const fit = fitOf.get(slice);
    if (e.t * 365 < config.min_days) { surfaces.push(reject("too_short")); continue; }
    if (fit === undefined) { surfaces.push(reject("too_few_quotes")); continue; }
    if (!fit.ok) { surfaces.push(reject(fit.status, fit.status)); continue; }
    let params: RawSviParams = { a: fit.a, b: fit.b, rho: fit.rho, m: fit.m, sigma: fit.sigma };
    let repaired = false;
    if (!fit.butterflyFree) {
      const repair = svi.sviRepairJW(params, e.t);
      if (!repair.ok || !repair.butterflyFree) { surfaces.push(reject("butterfly_arbitrage", fit.status)); continue; }
      params = repair.params;
      repaired = repair.repaired;
    }
    const rmse = rmseVolPoints(svi, params, e.t, k, vols);
    if (!(rmse <= config.max_rmse_vol_points)) { surfaces.push({ ...reject("rmse_too_high", fit.status), rmse_vol_points: Number.isFinite(rmse) ? rmse : null }); continue; }
    const calendar = previous === undefined ? null : !svi.sviCalendarCheck(previous.params, previous.t, params, e.t).calendarFree;
    surfaces.push({
      ...base, ...params, rmse_vol_points: rmse, butterfly_free: true, calendar_arbitrage: calendar, jw_repaired: repaired,
      fit_status: fit.status, qc_status: repaired ? "repaired" : "ok", reject_reason: null,
    });
    previous = { session, params, t: e.t };
  }
  return { surfaces, qc: qcRates(surfaces) };
}

/** Per underlier and session: expiries, how many ok / repaired / rejected, and surface_qc_rate = (ok + repaired) / expiries. */
export function qcRates(surfaces: readonly SurfaceRow[]): SurfaceQcRow[] {
  const groups = new Map<string, SurfaceQcRow>();
  for (const s of surfaces) {
    const id = `${s.underlying}|${s.date}`;
    const g = groups.get(id) ?? { underlying: s.underlying, date: s.date, expiries: 0, ok: 0, repaired: 0, rejected: 0, surface_qc_rate: 0 };
    groups.set(id, {
      ...g,
      expiries: g.expiries + 1,
      ok: g.ok + (s.qc_status === "ok" ? 1 : 0),
      repaired: g.repaired + (s.qc_status === "repaired" ? 1 : 0),
      rejected: g.rejected + (s.qc_status === "rejected" ? 1 : 0),
    });
  }
  return [...groups.values()].map((g) => ({ ...g, surface_qc_rate: (g.ok + g.repaired) / g.expiries }));
}
