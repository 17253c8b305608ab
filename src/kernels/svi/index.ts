/**
 * SVI volatility-surface engine: raw SVI calibration per expiry (quasi-explicit), butterfly and calendar
 * checks that return the offending intervals, the Gatheral–Jacquier JW repair, and a global SSVI fit.
 *
 * `createSviKernels(module)` runs the numeric cores in WebAssembly; `createSviKernels("ts")` runs the same sources
 * (src/kernels/portable/svi/) compiled by tsc, with the same signatures and, by construction, the same bits. Calendar
 * checks, JW conversions and the SSVI outer fit are host code shared by both engines (they are cheap next to
 * the per-slice calibrations they call).
 *
 * Conventions: k = ln(K/F) (forward log-moneyness), w = sigma_implied^2 * t (total implied variance),
 * t in years (ACT/365).
 */
import { UsageError } from "../../domain/errors.ts";
import type { KernelInstance } from "../instance.ts";
import type { KernelModule } from "../load.ts";
import { tsKernelInstance } from "../ts-instance.ts";
import { calendarCheck, type CalendarCheck } from "./calendar.ts";
import { createSviEngine, type PackedSlices, type RawSviParams, type SviDerivatives, type SviEngine, type SviEngineKind } from "./engine.ts";
import { rawToJw, jwToRaw, repairJw, ssviSliceToRaw, type JwSviParams } from "./jw.ts";
import { checkSsviConditions, fitSsviGlobal, isotonic, phiValue, ssviRawSlice, type SsviConditions, type SsviPhi, type SsviSliceData } from "./ssvi.ts";
import { FIT_FLAG_ENFORCE_LEE, FIT_OUT, FIT_OUT_STRIDE, MAX_INTERVALS, SVI_STATUS, sviStatusName, type SviStatus } from "./status.ts";

export type { CalendarCheck, JwSviParams, RawSviParams, SsviConditions, SsviPhi, SviDerivatives, SviEngineKind, SviStatus };
export { rawToJw, jwToRaw, ssviSliceToRaw, phiValue, checkSsviConditions };

/** One expiry's quotes. Give `w`, or `bid` and `ask` (in total variance); the mid is then fitted. */
export interface SviSliceInput {
  readonly k: ArrayLike<number>;
  readonly w?: ArrayLike<number>;
  readonly bid?: ArrayLike<number>;
  readonly ask?: ArrayLike<number>;
  /** Per-quote weights (vega, open interest, ...). Default: 1/(ask - bid) with bid/ask, else 1. */
  readonly weight?: ArrayLike<number>;
  /** Maturity in years; used for the RMSE in vol (default 1, so rmseVol is then in sqrt(w) units). */
  readonly t?: number;
}

export interface SviFitOptions {
  /** Enforce Lee's bound b(1 + |rho|) <= 2 as a hard constraint (default false: only reported). */
  readonly enforceLee?: boolean;
  /** Nelder–Mead iteration budget per run (default 500). */
  readonly maxIterations?: number;
}

export interface SviFit extends RawSviParams {
  readonly status: SviStatus;
  /** True when the parameters are usable: status "ok" (or "not_converged", still finite but not polished). */
  readonly ok: boolean;
  readonly t: number;
  readonly rmseVol: number;
  readonly rmseW: number;
  readonly iterations: number;
  readonly butterflyFree: boolean;
  /** Where g(k) < 0 (or w <= 0), as [from, to]; +-Infinity for wings. */
  readonly negativeG: [number, number][];
  /** True when more than negativeG.length regions exist (only the first ones are listed). */
  readonly negativeGOverflow: boolean;
  /** b(1 + |rho|); Lee's moment bound requires <= 2. */
  readonly leeSlope: number;
  readonly leeOk: boolean;
}

export interface ButterflyCheck {
  readonly butterflyFree: boolean;
  readonly negativeG: [number, number][];
  readonly overflow: boolean;
}

export type SviRepair =
  | { readonly ok: true; readonly repaired: boolean; readonly params: RawSviParams; readonly butterflyFree: boolean; readonly before?: JwSviParams; readonly after?: JwSviParams }
  | { readonly ok: false; readonly reason: string };

export interface SsviSliceInput extends SviSliceInput {
  readonly t: number;
}

export interface SsviFitOptions extends SviFitOptions {
  readonly phi?: SsviPhi["kind"];
}

export interface SsviSliceFit {
  readonly t: number;
  readonly theta: number;
  readonly params: RawSviParams;
  readonly rmseW: number;
  readonly rmseVol: number;
  readonly status: SviStatus | "no_atm_variance";
}

export interface SsviFit {
  readonly status: "ok" | "too_few_slices";
  readonly rho: number;
  readonly phi: SsviPhi;
  readonly slices: SsviSliceFit[];
  readonly rmseW: number;
  readonly iterations: number;
  readonly conditions: SsviConditions;
}

export interface SviKernels {
  readonly engine: SviEngineKind;
  sviFit(slice: SviSliceInput, options?: SviFitOptions): SviFit;
  sviFitBatch(slices: readonly SviSliceInput[], options?: SviFitOptions): SviFit[];
  /** Total variance w(k) for each k. */
  sviEval(params: RawSviParams, k: ArrayLike<number>): Float64Array;
  /** w, w', w'' and Gatheral–Jacquier's g(k) for each k. */
  sviEvalDerivatives(params: RawSviParams, k: ArrayLike<number>): SviDerivatives;
  sviButterflyCheck(params: RawSviParams): ButterflyCheck;
  /** Slice p2 at t2 against the earlier slice p1 at t1. */
  sviCalendarCheck(p1: RawSviParams, t1: number, p2: RawSviParams, t2: number): CalendarCheck;
  /** Gatheral–Jacquier JW repair keeping ATM variance, skew and put wing; a no-op on an arbitrage-free slice. */
  sviRepairJW(params: RawSviParams, t: number): SviRepair;
  ssviFit(slices: readonly SsviSliceInput[], options?: SsviFitOptions): SsviFit;
}

const DEFAULT_MAX_ITER = 500;

/** Quotes of one expiry in the market's units: strikes, the forward, and implied vols (decimals). */
export interface VolSliceQuotes {
  readonly forward: number;
  readonly t: number;
  readonly strikes: ArrayLike<number>;
  /** Mid implied vols; or give bidVols and askVols. */
  readonly vols?: ArrayLike<number>;
  readonly bidVols?: ArrayLike<number>;
  readonly askVols?: ArrayLike<number>;
  readonly weight?: ArrayLike<number>;
}

/**
 * Converts market quotes to the fit's coordinates: k = ln(K/F), w = vol^2 t (bid/ask likewise). Bad numbers
 * pass through as NaN so the fit reports them with a status instead of this helper throwing.
 */
export function sviSliceFromVols(q: VolSliceQuotes): SviSliceInput {
  const n = q.strikes.length;
  const k = Float64Array.from({ length: n }, (_, i) => {
    const strike = q.strikes[i] ?? Number.NaN;
    return strike > 0 && q.forward > 0 ? Math.log(strike / q.forward) : Number.NaN;
  });
  const toW = (vols: ArrayLike<number>): Float64Array => Float64Array.from({ length: vols.length }, (_, i) => {
    const v = vols[i] ?? Number.NaN;
    return v >= 0 ? v * v * q.t : Number.NaN;
  });
  return {
    k,
    t: q.t,
    ...(q.vols === undefined ? {} : { w: toW(q.vols) }),
    ...(q.bidVols === undefined ? {} : { bid: toW(q.bidVols) }),
    ...(q.askVols === undefined ? {} : { ask: toW(q.askVols) }),
    ...(q.weight === undefined ? {} : { weight: q.weight }),
  };
}

/**
 * The SVI methods as a kernel family for `createKernels` (src/kernels/index.ts): on the context's instance (or a
 * loaded module; neither means the TS engine).
 */
export type SviFamily = Omit<SviKernels, "engine">;

export function sviFamily(ctx: { readonly instance?: KernelInstance; readonly module?: KernelModule | undefined }): SviFamily {
  const { engine: _engine, ...methods } = sviKernelsOn(createSviEngine(ctx.instance ?? ctx.module ?? tsKernelInstance()));
  return methods;
}

/** The SVI kernels on a loaded WebAssembly module, or ("ts") on the TS engine. */
export function createSviKernels(source: KernelModule | "ts"): SviKernels {
  return sviKernelsOn(createSviEngine(source === "ts" ? tsKernelInstance() : source));
}

function sviKernelsOn(engine: SviEngine): SviKernels {
  return {
    engine: engine.kind,
    sviFit: (slice, options) => fitMany(engine, [slice], options)[0] ?? failedFit("degenerate", 1),
    sviFitBatch: (slices, options) => fitMany(engine, slices, options),
    sviEval: (params, k) => engine.evaluate(params, Float64Array.from(k)).w,
    sviEvalDerivatives: (params, k) => engine.evaluate(params, Float64Array.from(k)),
    sviButterflyCheck: (params) => butterfly(engine, params),
    sviCalendarCheck: (p1, t1, p2, t2) => {
      if (!(t2 > t1) || !(t1 > 0)) {
        throw new UsageError("svi_calendar_order", `calendar check needs 0 < t1 < t2 (got t1=${t1}, t2=${t2})`);
      }
      requireRawParams(p1, "calendar check (earlier slice)");
      requireRawParams(p2, "calendar check (later slice)");
      return calendarCheck(p1, p2);
    },
    sviRepairJW: (params, t) => {
      if (!(t > 0) || !Number.isFinite(t)) throw new UsageError("svi_bad_maturity", `JW repair needs a maturity t > 0 (got ${t})`);
      const check = butterfly(engine, params);
      if (check.butterflyFree) return { ok: true, repaired: false, params, butterflyFree: true };
      const r = repairJw(params, t);
      if (!r.ok) return r;
      return { ok: true, repaired: true, params: r.params, butterflyFree: butterfly(engine, r.params).butterflyFree, before: r.before, after: r.after };
    },
    ssviFit: (slices, options) => ssviFit(engine, slices, options),
  };
}

/** Parameters handed to a check must describe an SVI slice: finite, b >= 0, |rho| < 1, sigma > 0. */
function requireRawParams(params: RawSviParams, what: string): void {
  const { a, b, rho, m, sigma } = params;
  if (![a, b, rho, m, sigma].every(Number.isFinite) || !(b >= 0) || !(Math.abs(rho) < 1) || !(sigma > 0)) {
    throw new UsageError(
      "svi_bad_params",
      `${what}: not a raw SVI slice (need finite a, m; b >= 0; |rho| < 1; sigma > 0): ` +
        `a=${a} b=${b} rho=${rho} m=${m} sigma=${sigma}`,
    );
  }
}

function butterfly(engine: SviEngine, params: RawSviParams): ButterflyCheck {
  requireRawParams(params, "butterfly check");
  const { count, intervals } = engine.butterfly(params, MAX_INTERVALS);
  const shown = Math.min(count, MAX_INTERVALS);
  const negativeG: [number, number][] = [];
  for (let i = 0; i < shown; i++) negativeG.push([intervals[2 * i] ?? Number.NaN, intervals[2 * i + 1] ?? Number.NaN]);
  return { butterflyFree: count === 0, negativeG, overflow: count > MAX_INTERVALS };
}

function failedFit(status: SviStatus, t: number): SviFit {
  return {
    a: Number.NaN, b: Number.NaN, rho: Number.NaN, m: Number.NaN, sigma: Number.NaN, status, ok: false, t,
    rmseVol: Number.NaN, rmseW: Number.NaN, iterations: 0, butterflyFree: false, negativeG: [],
    negativeGOverflow: false, leeSlope: Number.NaN, leeOk: false,
  };
}

/**
 * Turns one input slice into (k, w, weight) or a status. Bid/ask problems are caught here because the
 * kernel only sees mids and weights.
 */
function prepareSlice(slice: SviSliceInput): { k: number[]; w: number[]; weight: number[] } | SviStatus {
  const n = slice.k.length;
  const { bid, ask } = slice;
  if ((bid === undefined) !== (ask === undefined)) return "malformed_slice";
  if (slice.w === undefined && bid === undefined) return "malformed_slice";
  if ((slice.w !== undefined && slice.w.length !== n) || (bid !== undefined && bid.length !== n) ||
      (ask !== undefined && ask.length !== n) || (slice.weight !== undefined && slice.weight.length !== n)) {
    return "malformed_slice";
  }
  const k: number[] = [], w: number[] = [], weight: number[] = [];
  for (let i = 0; i < n; i++) {
    let wi = slice.w?.[i] ?? Number.NaN;
    let wt = slice.weight?.[i] ?? 1;
    if (bid !== undefined && ask !== undefined) {
      const lo = bid[i] ?? Number.NaN, hi = ask[i] ?? Number.NaN;
      if (!Number.isFinite(lo) || !Number.isFinite(hi)) return "non_finite_input";
      if (hi < lo) return "crossed_quote";
      if (hi === lo) return "zero_width_quote";
      if (slice.w === undefined) wi = 0.5 * (lo + hi);
      if (slice.weight === undefined) wt = 1 / (hi - lo);
    }
    k.push(slice.k[i] ?? Number.NaN);
    w.push(wi);
    weight.push(wt);
  }
  return { k, w, weight };
}

function fitMany(engine: SviEngine, slices: readonly SviSliceInput[], options: SviFitOptions = {}): SviFit[] {
  const maxIter = options.maxIterations ?? DEFAULT_MAX_ITER;
  if (!Number.isInteger(maxIter) || maxIter < 1) {
    throw new UsageError("svi_bad_option", `maxIterations must be a positive integer (got ${maxIter})`);
  }
  const flags = options.enforceLee === true ? FIT_FLAG_ENFORCE_LEE : 0;
  const prepared = slices.map(prepareSlice);
  const offsets = new Int32Array(slices.length + 1);
  let total = 0;
  prepared.forEach((p, s) => {
    offsets[s] = total;
    if (typeof p !== "string") total += p.k.length;
  });
  offsets[slices.length] = total;
  const packed: PackedSlices = {
    offsets,
    k: new Float64Array(total),
    w: new Float64Array(total),
    weight: new Float64Array(total),
    t: new Float64Array(slices.length),
  };
  prepared.forEach((p, s) => {
    packed.t[s] = slices[s]?.t ?? 1;
    if (typeof p === "string") return;
    const off = offsets[s] ?? 0;
    packed.k.set(p.k, off);
    packed.w.set(p.w, off);
    packed.weight.set(p.weight, off);
  });
  const res = engine.fit(packed, flags, maxIter);
  return prepared.map((p, s) => {
    const t = packed.t[s] ?? 1;
    if (typeof p === "string") return failedFit(p, t);
    const code = res.status[s] ?? -1;
    const status = sviStatusName(code);
    if (code !== SVI_STATUS.ok && code !== SVI_STATUS.not_converged) return failedFit(status, t);
    const o = s * FIT_OUT_STRIDE;
    const get = (f: number): number => res.out[o + f] ?? Number.NaN;
    const count = get(FIT_OUT.intervalCount);
    const shown = Math.min(count, MAX_INTERVALS);
    const negativeG: [number, number][] = [];
    const io = s * MAX_INTERVALS * 2;
    for (let i = 0; i < shown; i++) negativeG.push([res.intervals[io + 2 * i] ?? Number.NaN, res.intervals[io + 2 * i + 1] ?? Number.NaN]);
    const b = get(FIT_OUT.b), rho = get(FIT_OUT.rho);
    const leeSlope = b * (1 + Math.abs(rho));
    return {
      a: get(FIT_OUT.a), b, rho, m: get(FIT_OUT.m), sigma: get(FIT_OUT.sigma), status, ok: true, t,
      rmseVol: get(FIT_OUT.rmseVol), rmseW: get(FIT_OUT.rmseW), iterations: get(FIT_OUT.iterations),
      butterflyFree: count === 0, negativeG, negativeGOverflow: count > MAX_INTERVALS,
      leeSlope, leeOk: leeSlope <= 2 + 1e-12,
    };
  });
}

/** ATM total variance from the quotes by linear interpolation at k = 0, when 0 lies inside the strikes. */
function interpolateAtm(k: readonly number[], w: readonly number[]): number {
  let below = -1, above = -1;
  for (let i = 0; i < k.length; i++) {
    const ki = k[i] ?? Number.NaN;
    if (ki <= 0 && (below < 0 || ki > (k[below] ?? 0))) below = i;
    if (ki >= 0 && (above < 0 || ki < (k[above] ?? 0))) above = i;
  }
  if (below < 0 || above < 0) return Number.NaN;
  const k0 = k[below] ?? 0, k1 = k[above] ?? 0, w0 = w[below] ?? 0, w1 = w[above] ?? 0;
  if (k1 === k0) return 0.5 * (w0 + w1);
  return w0 + ((w1 - w0) * (0 - k0)) / (k1 - k0);
}

function ssviFit(engine: SviEngine, input: readonly SsviSliceInput[], options: SsviFitOptions = {}): SsviFit {
  const kind = options.phi ?? "power-law";
  const order = input.map((_, i) => i).sort((x, y) => (input[x]?.t ?? 0) - (input[y]?.t ?? 0));
  const sorted = order.map((i) => input[i]).filter((s): s is SsviSliceInput => s !== undefined);
  const rawFits = fitMany(engine, sorted, options);
  const usable: { t: number; theta: number; data: { k: number[]; w: number[]; weight: number[] }; index: number }[] = [];
  const statuses: (SviStatus | "no_atm_variance")[] = [];
  sorted.forEach((slice, i) => {
    const fit = rawFits[i];
    const prepared = prepareSlice(slice);
    if (fit === undefined || typeof prepared === "string" || !fit.ok) {
      statuses.push(fit?.status ?? "degenerate");
      return;
    }
    let theta = fit.a + fit.b * (-fit.rho * fit.m + Math.sqrt(fit.m * fit.m + fit.sigma * fit.sigma));
    if (!(theta > 0)) theta = interpolateAtm(prepared.k, prepared.w);
    if (!(theta > 0)) { statuses.push("no_atm_variance"); return; }
    statuses.push("ok");
    usable.push({ t: slice.t, theta, data: prepared, index: i });
  });
  const thetas = isotonic(usable.map((u) => u.theta));
  const data: SsviSliceData[] = usable.map((u, i) => {
    const sum = u.data.weight.reduce((acc, v) => acc + v, 0);
    return {
      t: u.t,
      theta: thetas[i] ?? u.theta,
      k: Float64Array.from(u.data.k),
      w: Float64Array.from(u.data.w),
      weight: Float64Array.from(u.data.weight, (v) => v / sum),
    };
  });
  if (data.length === 0) {
    const phi: SsviPhi = kind === "power-law" ? { kind, eta: Number.NaN, gamma: Number.NaN } : { kind, lambda: Number.NaN };
    return {
      status: "too_few_slices", rho: Number.NaN, phi, rmseW: Number.NaN, iterations: 0,
      conditions: { calendarFree: false, butterflyFree: false, maxThetaPhi: Number.NaN, maxThetaPhi2: Number.NaN },
      slices: sorted.map((s, i) => ({ t: s.t, theta: Number.NaN, params: { a: Number.NaN, b: Number.NaN, rho: Number.NaN, m: Number.NaN, sigma: Number.NaN }, rmseW: Number.NaN, rmseVol: Number.NaN, status: statuses[i] ?? "degenerate" })),
    };
  }
  const global = fitSsviGlobal(data, kind, options.maxIterations ?? DEFAULT_MAX_ITER);
  let sq = 0, count = 0;
  const sliceFits: SsviSliceFit[] = sorted.map((s, i) => {
    const u = usable.findIndex((x) => x.index === i);
    const d = data[u];
    if (u < 0 || d === undefined) {
      return { t: s.t, theta: Number.NaN, params: { a: Number.NaN, b: Number.NaN, rho: Number.NaN, m: Number.NaN, sigma: Number.NaN }, rmseW: Number.NaN, rmseVol: Number.NaN, status: statuses[i] ?? "degenerate" };
    }
    const params = ssviRawSlice(d.theta, global.rho, global.phi);
    const model = engine.evaluate(params, d.k).w;
    let sw = 0, sv = 0;
    for (let j = 0; j < d.k.length; j++) {
      const e = (model[j] ?? 0) - (d.w[j] ?? 0);
      sw += e * e;
      const v = Math.sqrt(Math.max(model[j] ?? 0, 0) / d.t) - Math.sqrt((d.w[j] ?? 0) / d.t);
      sv += v * v;
    }
    sq += sw;
    count += d.k.length;
    return { t: d.t, theta: d.theta, params, rmseW: Math.sqrt(sw / d.k.length), rmseVol: Math.sqrt(sv / d.k.length), status: "ok" };
  });
  return {
    status: "ok",
    rho: global.rho,
    phi: global.phi,
    slices: sliceFits,
    rmseW: Math.sqrt(sq / count),
    iterations: global.iterations,
    conditions: checkSsviConditions(global.rho, global.phi, data.map((d) => d.theta)),
  };
}
