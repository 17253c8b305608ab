/**
 * The simulator's synthetic market: a seeded daily price model per symbol with forward splits and quarterly
 * cash dividends applied to raw (unadjusted) prices, a planted cross-sectional factor (below), minute bars bridged
 * inside each day, option chains priced from a planted SVI surface on the forward the pipeline derives
 * (planted-surface.ts), and Treasury yields. Every value is a pure function of
 * (seed, symbol, date).
 */
import { isSession as isNyseSession, previousSession, sessionOn, sessions as nyseSessions } from "../domain/calendar/index.ts";
import { UsageError } from "../domain/errors.ts";
import { addDays, isoDateOf, parseIsoDate, weekdayOf } from "../domain/calendar/dates.ts";
import { black76, bsm } from "./bsm.ts";
import { curveRate, projectedDividendPv, ssviSlice, sviTotalVariance, TREASURY_TENOR_YEARS, type PlantedSsvi, type PlantedSvi } from "./planted-surface.ts";
import { hashString, mulberry32, normalFor, uniformFor } from "./random.ts";

/** Prices start here; any requested date before it has no data. */
export const MARKET_ORIGIN = "2018-01-02";

export interface DailyBar {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap: number;
  trades: number;
}

export interface MinuteBar extends Omit<DailyBar, "date"> {
  /** Unix milliseconds of the minute's start. */
  t: number;
}

export interface SplitEvent {
  symbol: string;
  exDate: string;
  /** new shares per old share, e.g. 4 for a 4-for-1 split. */
  ratio: number;
}

export interface DividendEvent {
  symbol: string;
  exDate: string;
  recordDate: string;
  payDate: string;
  declarationDate: string;
  cash: number;
}

/** Discounting and forward of one expiry, as the options pipeline derives them (planted-surface.ts). */
export interface OptionForward {
  readonly spot: number;
  /** ACT/365 from the session's close to the expiry's. */
  readonly t: number;
  readonly rate: number;
  readonly df: number;
  readonly dividendPv: number;
  readonly forward: number;
}

export interface OptionQuote {
  underlying: string;
  /** OCC symbology, e.g. AAPL240119C00100000. */
  occ: string;
  expiry: string;
  strike: number;
  isCall: boolean;
  /** The planted smile's vol used to price this quote (the truth a fitter should recover). */
  vol: number;
  /** The forward and discount factor it was priced on. */
  forward: number;
  df: number;
  mid: number;
  bid: number;
  ask: number;
  delta: number;
  gamma: number;
  vega: number;
  theta: number;
  rho: number;
  openInterest: number;
  volume: number;
  /** A quote the vendor last updated the session before (about 1 in 100): the pipeline must call it stale. */
  stale: boolean;
}

export const TREASURY_SERIES = ["DGS1MO", "DGS3MO", "DGS6MO", "DGS1", "DGS2", "DGS5", "DGS10", "DGS30"] as const;

/**
 * A planted cross-sectional factor, so that a model trained on a demo lake has something true to find and honest
 * gates can pass (docs/training.md, "The planted factor"). Each symbol carries a latent characteristic s, a
 * stationary Gaussian AR(1) in sessions (unit variance, persistence 2^(-1/half-life)). It is observable from past
 * data through volume: log volume carries `volumeLoading`·s on top of its own noise (0.3·z), in the spirit of the
 * high-volume return premium (Gervais, Kaniel & Mingelgrin, "The High-Volume Return Premium", J. Finance 56(3),
 * 2001). It predicts the next session: the close-to-close shock of the next session is ρ·s + √(1−ρ²)·z instead
 * of z, so s and the next session's standardised return are bivariate normal with correlation ρ, and their
 * Spearman rank correlation is (6/π)·asin(ρ/2) (Kendall & Stuart; Pearson's 1907 result for normal pairs).
 * ρ is chosen so that this equals `rankIc`. Across a small cross-section with unequal volatilities the expected
 * mean rank IC of s against raw next-session total returns is a little lower, about 0.095 for 30 symbols at
 * rankIc 0.10 (finite-sample Spearman bias, the symbols' different volatilities); seed 7 over 2019–2022 measures
 * 0.100 ± 0.006 (tests/sim/planted-factor.test.ts).
 */
export interface PlantedFactor {
  /** Spearman rank IC of s at a session's close with the next session's standardised return (0 turns it off). */
  readonly rankIc: number;
  /** Half-life of s in sessions. */
  readonly halfLifeSessions: number;
  /** Loading of s on log volume (the channel through which s is observable). */
  readonly volumeLoading: number;
}

export const PLANTED_FACTOR: PlantedFactor = { rankIc: 0.1, halfLifeSessions: 10, volumeLoading: 0.25 };

/** The correlation ρ of a bivariate normal pair whose Spearman correlation is `rankIc`: ρ = 2·sin(π·rankIc/6). */
export function plantedCorrelation(rankIc: number): number {
  return 2 * Math.sin((Math.PI * rankIc) / 6);
}

export interface SyntheticMarketOptions {
  /** The planted factor (default PLANTED_FACTOR). */
  readonly factor?: PlantedFactor;
}

interface SymbolProfile {
  startPrice: number;
  annualVol: number;
  baseVolume: number;
  dividendYield: number;
}

interface SymbolSeries {
  bars: DailyBar[];
  /** The planted factor's latent s at each bar's close, aligned with `bars`. */
  latent: number[];
  index: Map<string, number>;
  splits: SplitEvent[];
  dividends: DividendEvent[];
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;

/** Trading sessions of the synthetic market: the NYSE calendar's (holidays and early closes included). */
export function isSession(date: string): boolean {
  return isNyseSession(date);
}

export function sessionsBetween(start: string, end: string): string[] {
  if (end < start) return [];
  return nyseSessions(start, end).map((s) => s.date);
}

/** UTC offset of US Eastern time in hours on a date: −4 from the second Sunday of March to the first Sunday of
 *  November (Energy Policy Act of 2005 rule), −5 otherwise. */
export function easternOffsetHours(date: string): number {
  const year = Number(date.slice(0, 4));
  const nthSunday = (month: number, n: number): string => {
    let day = parseIsoDate(`${year}-${String(month).padStart(2, "0")}-01`);
    while (weekdayOf(day) !== 0) day++;
    return isoDateOf(day + 7 * (n - 1));
  };
  return date >= nthSunday(3, 2) && date < nthSunday(11, 1) ? -4 : -5;
}

/** Unix ms of the session's open and its length in minutes (390, fewer on early closes). */
export function sessionHours(date: string): { openMs: number; minutes: number } | undefined {
  const session = sessionOn(date);
  return session === undefined ? undefined : { openMs: session.openMs, minutes: session.minutes };
}

export class SyntheticMarket {
  readonly seed: number;
  readonly factor: PlantedFactor;
  private readonly cache = new Map<string, SymbolSeries>();

  constructor(seed = 7, options: SyntheticMarketOptions = {}) {
    this.seed = seed >>> 0;
    this.factor = options.factor ?? PLANTED_FACTOR;
    const { rankIc, halfLifeSessions, volumeLoading } = this.factor;
    if (!(Math.abs(rankIc) < 1 && halfLifeSessions > 0 && Number.isFinite(volumeLoading))) {
      throw new UsageError("bad_planted_factor", "the planted factor needs |rankIc| < 1, halfLifeSessions > 0 and a finite volumeLoading");
    }
  }

  profile(symbol: string): SymbolProfile {
    const u = (label: string): number => uniformFor(this.seed, "profile", symbol, label);
    return {
      startPrice: 20 + 280 * u("price"),
      annualVol: 0.18 + 0.32 * u("vol"),
      baseVolume: Math.round(2e5 + 5e6 * u("volume")),
      dividendYield: u("payer") < 0.6 ? 0.01 + 0.025 * u("yield") : 0,
    };
  }

  /** The SSVI surface the simulator prices a symbol's options from (planted-surface.ts). */
  plantedSurface(symbol: string): PlantedSsvi {
    const p = this.profile(symbol);
    return {
      atmVol: round4(p.annualVol),
      rho: -(0.3 + 0.4 * uniformFor(this.seed, "svi-rho", symbol)),
      eta: 0.6 + 0.4 * uniformFor(this.seed, "svi-eta", symbol),
      gamma: 0.4,
    };
  }

  /** The planted raw SVI slice of an expiry seen from a session (T in ACT/365 between the two dates). */
  plantedSmile(symbol: string, date: string, expiry: string): PlantedSvi {
    return ssviSlice(this.plantedSurface(symbol), (parseIsoDate(expiry) - parseIsoDate(date)) / 365);
  }

  /** The forward and discount factor of an expiry on a session, as the pipeline derives them; undefined without a bar. */
  optionForward(symbol: string, date: string, expiry: string): OptionForward | undefined {
    const bar = this.dailyBar(symbol, date);
    if (bar === undefined) return undefined;
    const t = (parseIsoDate(expiry) - parseIsoDate(date)) / 365;
    // The curve known at the session's close: the previous session's (FRED publishes a day late).
    const curveDate = previousSession(date);
    const yields = TREASURY_SERIES.flatMap((series) => {
      const percent = this.treasuryYield(series, curveDate);
      const tenor = TREASURY_TENOR_YEARS[series];
      return percent === undefined || tenor === undefined ? [] : [{ tenor, percent }];
    });
    const rate = curveRate(yields, t);
    const df = Math.exp(-rate * t);
    const dividendPv = projectedDividendPv(this.dividends(symbol, addDays(date, -400), date), date, expiry, rate);
    return { spot: bar.close, t, rate, df, dividendPv, forward: (bar.close - dividendPv) / df };
  }

  private splitOn(symbol: string, date: string): number {
    // At most one split a year per symbol, on a keyed session; ratios 2, 3 or 4 for one.
    const year = date.slice(0, 4);
    if (uniformFor(this.seed, "split?", symbol, year) >= 0.3) return 1;
    const dayOfYear = 20 + Math.floor(uniformFor(this.seed, "split-day", symbol, year) * 320);
    let target = parseIsoDate(`${year}-01-01`) + dayOfYear;
    while (!isSession(isoDateOf(target))) target++;
    if (isoDateOf(target) !== date) return 1;
    return 2 + Math.floor(uniformFor(this.seed, "split-ratio", symbol, year) * 3);
  }

  private isDividendExDate(symbol: string, date: string): boolean {
    // Quarterly: the first session on or after the 10th of Feb/May/Aug/Nov, shifted per symbol.
    const month = Number(date.slice(5, 7));
    if (month % 3 !== 2) return false;
    const shift = Math.floor(uniformFor(this.seed, "div-day", symbol) * 10);
    let target = parseIsoDate(`${date.slice(0, 7)}-${String(10 + shift).padStart(2, "0")}`);
    while (!isSession(isoDateOf(target))) target++;
    return isoDateOf(target) === date;
  }

  /** Builds (and caches) a symbol's raw daily series from the origin through `through`. */
  private series(symbol: string, through: string): SymbolSeries {
    const cached = this.cache.get(symbol);
    const last = cached?.bars.at(-1);
    if (cached && last && last.date >= through) return cached;
    const p = this.profile(symbol);
    const dailyVol = p.annualVol / Math.sqrt(252);
    const series: SymbolSeries = cached ?? { bars: [], latent: [], index: new Map(), splits: [], dividends: [] };
    const rho = plantedCorrelation(this.factor.rankIc);
    const persistence = 2 ** (-1 / this.factor.halfLifeSessions);
    let prevClose = last?.close ?? p.startPrice;
    let prevLatent = series.latent.at(-1);
    let day = last ? parseIsoDate(last.date) + 1 : parseIsoDate(MARKET_ORIGIN);
    for (; day <= parseIsoDate(through); day++) {
      const date = isoDateOf(day);
      if (!isSession(date)) continue;
      const z = (label: string): number => normalFor(this.seed, "bar", symbol, date, label);
      let reference = prevClose;
      if (p.dividendYield > 0 && this.isDividendExDate(symbol, date)) {
        const cash = Math.max(0.01, round2((p.dividendYield / 4) * prevClose));
        series.dividends.push({
          symbol, exDate: date, recordDate: addDays(date, 1), payDate: addDays(date, 21),
          declarationDate: addDays(date, -20), cash,
        });
        reference = prevClose - cash;
      }
      const ratio = this.splitOn(symbol, date);
      if (ratio !== 1) {
        series.splits.push({ symbol, exDate: date, ratio });
        reference /= ratio;
      }
      // The first session draws s from its stationary law; later ones step the AR(1).
      const innovation = z("factor");
      const latent = prevLatent === undefined ? innovation : persistence * prevLatent + Math.sqrt(1 - persistence * persistence) * innovation;
      const shock = prevLatent === undefined ? z("close") : rho * prevLatent + Math.sqrt(1 - rho * rho) * z("close");
      const open = round2(reference * Math.exp(0.25 * dailyVol * z("open")));
      const close = round2(reference * Math.exp(0.0002 + dailyVol * shock));
      const high = round2(Math.max(open, close) * Math.exp(0.4 * dailyVol * Math.abs(z("high"))));
      const low = round2(Math.min(open, close) * Math.exp(-0.4 * dailyVol * Math.abs(z("low"))));
      const volume = Math.max(100, Math.round(p.baseVolume * ratio * Math.exp(0.3 * z("volume") + this.factor.volumeLoading * latent)));
      const bar: DailyBar = {
        date, open, high, low, close, volume,
        vwap: round4((high + low + close) / 3), trades: Math.max(1, Math.round(volume / 120)),
      };
      series.index.set(date, series.bars.length);
      series.bars.push(bar);
      series.latent.push(latent);
      prevClose = close;
      prevLatent = latent;
    }
    this.cache.set(symbol, series);
    return series;
  }

  dailyBars(symbol: string, start: string, end: string): DailyBar[] {
    const s = this.series(symbol, end);
    return s.bars.filter((b) => b.date >= start && b.date <= end);
  }

  dailyBar(symbol: string, date: string): DailyBar | undefined {
    const s = this.series(symbol, date);
    const i = s.index.get(date);
    return i === undefined ? undefined : s.bars[i];
  }

  /** The planted factor's latent s for a symbol at a session's close (undefined on a non-session). */
  plantedFactor(symbol: string, date: string): number | undefined {
    const s = this.series(symbol, date);
    const i = s.index.get(date);
    return i === undefined ? undefined : s.latent[i];
  }

  splits(symbol: string, start: string, end: string): SplitEvent[] {
    return this.series(symbol, end).splits.filter((e) => e.exDate >= start && e.exDate <= end);
  }

  dividends(symbol: string, start: string, end: string): DividendEvent[] {
    return this.series(symbol, end).dividends.filter((e) => e.exDate >= start && e.exDate <= end);
  }

  /** One-minute bars for a session (390 on a full day), a Brownian bridge from the day's open to its close kept inside its range. */
  minuteBars(symbol: string, date: string): MinuteBar[] {
    const day = this.dailyBar(symbol, date);
    const hours = sessionHours(date);
    if (!day || !hours) return [];
    const rng = mulberry32(hashString(`minute|${symbol}|${date}`, this.seed));
    const n = hours.minutes;
    const steps: number[] = [0];
    for (let i = 1; i <= n; i++) steps.push((steps[i - 1] ?? 0) + (rng() - 0.5));
    const end = steps[n] ?? 0;
    const logSpan = Math.log(day.close / day.open);
    const scale = Math.log(day.high / day.low) / 6 || 0.001;
    const path = steps.map((w, i) => day.open * Math.exp((logSpan * i) / n + scale * (w - (end * i) / n) / 4));
    const clamp = (x: number): number => round2(Math.min(day.high, Math.max(day.low, x)));
    const openMs = hours.openMs;
    const out: MinuteBar[] = [];
    for (let i = 0; i < n; i++) {
      const o = clamp(path[i] ?? day.open);
      const c = i === n - 1 ? day.close : clamp(path[i + 1] ?? day.close);
      const wiggle = Math.abs(rng() - 0.5) * scale * 0.1;
      const h = clamp(Math.max(o, c) * (1 + wiggle));
      const l = clamp(Math.min(o, c) * (1 - wiggle));
      const volume = Math.max(1, Math.round((day.volume / n) * (0.5 + rng())));
      out.push({ t: openMs + i * 60_000, open: o, high: h, low: l, close: c, volume, vwap: round4((h + l + c) / 3), trades: Math.max(1, Math.round(volume / 100)) });
    }
    return out;
  }

  /** Expiries listed on a date: the next four Fridays and the next two monthly (third-Friday) expiries. */
  expiries(date: string): string[] {
    const set = new Set<string>();
    let d = parseIsoDate(date) + 1;
    while (set.size < 4) {
      if (weekdayOf(d) === 5) set.add(isoDateOf(d));
      d++;
    }
    for (let m = 1; m <= 2; m++) {
      const base = new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1 + m, 1));
      let day = Math.floor(base.getTime() / 86_400_000);
      while (weekdayOf(day) !== 5) day++;
      set.add(isoDateOf(day + 14));
    }
    return [...set].sort();
  }

  /** Strike spacing: the listed-looking step (0.05 … 5) nearest below 1 % of the spot, so every chain spans about ±8 %. */
  strikeStep(spot: number): number {
    const steps = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
    return steps.filter((step) => step <= spot * 0.01).at(-1) ?? 0.05;
  }

  /**
   * The chain of a session: strikes around the close, calls and puts, priced by Black-76 on the expiry's forward
   * at the planted smile's vol, mids rounded to cents and a 2 % (at least a cent) half-spread around them.
   */
  optionChain(symbol: string, date: string, expiries?: readonly string[]): OptionQuote[] {
    const day = this.dailyBar(symbol, date);
    if (!day) return [];
    const spot = day.close;
    const step = this.strikeStep(spot);
    const atm = Math.round(spot / step) * step;
    const out: OptionQuote[] = [];
    for (const expiry of expiries ?? this.expiries(date)) {
      const fwd = this.optionForward(symbol, date, expiry);
      if (fwd === undefined || fwd.t <= 0) continue;
      const smile = this.plantedSmile(symbol, date, expiry);
      // The dividend yield that makes S·e^{(r−q)T} the forward, for the spot Greeks the vendors send.
      const q = fwd.rate - Math.log(fwd.forward / spot) / fwd.t;
      for (let i = -8; i <= 8; i++) {
        const strike = round2(atm + i * step);
        if (strike <= 0) continue;
        const vol = Math.sqrt(sviTotalVariance(smile, Math.log(strike / fwd.forward)) / fwd.t);
        for (const isCall of [true, false]) {
          const price = fwd.df * black76(fwd.forward, strike, vol * Math.sqrt(fwd.t), isCall);
          const g = bsm({ spot, strike, years: fwd.t, rate: fwd.rate, dividendYield: q, vol, isCall });
          const mid = Math.max(0.01, round2(price));
          const half = Math.max(0.01, mid * 0.02);
          const oi = Math.round(5000 * Math.exp(-Math.abs(i) / 3) * (0.5 + uniformFor(this.seed, "oi", symbol, date, expiry, i)));
          const occ = occSymbol(symbol, expiry, isCall, strike);
          out.push({
            underlying: symbol, occ, expiry, strike, isCall, vol, forward: fwd.forward, df: fwd.df,
            mid, bid: round2(Math.max(0, mid - half)), ask: round2(mid + half),
            delta: round4(g.delta), gamma: round4(g.gamma), vega: round4(g.vega), theta: round4(g.theta), rho: round4(g.rho),
            openInterest: oi, volume: Math.round(oi / 10), stale: uniformFor(this.seed, "stale", symbol, date, occ) < 0.01,
          });
        }
      }
    }
    return out;
  }

  /** A Treasury constant-maturity yield in percent: a keyed Nelson–Siegel curve drifting day by day. */
  treasuryYield(series: string, date: string): number | undefined {
    const tenor = TREASURY_TENOR_YEARS[series];
    if (tenor === undefined || !isSession(date)) return undefined;
    const month = date.slice(0, 7);
    const level = 3 + 1.5 * Math.sin(parseIsoDate(date) / 400) + 0.05 * normalFor(this.seed, "ust", month);
    const slope = -1 + 0.5 * Math.cos(parseIsoDate(date) / 300);
    const x = tenor / 2;
    const loading = (1 - Math.exp(-x)) / x;
    return round2(level + slope * loading + 0.01 * normalFor(this.seed, "ust-noise", series, date));
  }
}

/** OCC option symbol: root, YYMMDD, C/P, strike × 1000 in eight digits (OCC Symbology Initiative, 2010). */
export function occSymbol(root: string, expiry: string, isCall: boolean, strike: number): string {
  const ymd = expiry.slice(2, 4) + expiry.slice(5, 7) + expiry.slice(8, 10);
  return `${root}${ymd}${isCall ? "C" : "P"}${String(Math.round(strike * 1000)).padStart(8, "0")}`;
}
