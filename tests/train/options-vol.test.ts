/**
 * options_vol on lakes holding SVI surfaces, their QC and adjusted bars (written through the lake write path, the
 * SQL run for real in DuckDB):
 * - hand-checked features: an SVI family whose ATM total variance is σ²T at every slice gives ATM vol σ, the
 *   skew the raw-SVI formula gives, and a flat term structure; the label is the next day's change;
 * - no look-ahead: a lake that stopped at date d gives the same features, for every date up to d, as the lake after
 *   later sessions and a later split (adjusted closes rescaled before its ex-date);
 * - the QC bar: an underlier-day below min_surface_qc_rate is left out; a lake whose slices pass QC less often
 *   than the bar is refused with the numbers.
 */
import { afterEach, describe, expect, it } from "vitest";
import { optionsVolTrainingSchema } from "../../src/config/schemas/training.ts";
import { DuckSession } from "../../src/db/session.ts";
import { PartWriter, type TableColumns } from "../../src/db/part-writer.ts";
import { DataError } from "../../src/domain/errors.ts";
import type { LakeAccess } from "../../src/lake/lake-access.ts";
import { mulberry32 } from "../../src/sim/random.ts";
import { createFoldScorer } from "../../src/kernels/fold-scoring/index.ts";
import { createLearnKernels } from "../../src/kernels/learn/index.ts";
import { loadKernelModule } from "../../src/kernels/load.ts";
import { buildOptionsVol } from "../../src/train/options-vol.ts";
import { trainModel } from "../../src/train/train-model.ts";
import { createTestLake, type TestLake } from "../curate/lake-fixture.ts";

const SURFACE_COLUMNS: TableColumns = [
  ["underlying", "VARCHAR"], ["date", "DATE"], ["expiry", "DATE"], ["t", "DOUBLE"], ["a", "DOUBLE"], ["b", "DOUBLE"], ["rho", "DOUBLE"],
  ["m", "DOUBLE"], ["sigma", "DOUBLE"], ["qc_status", "VARCHAR"],
];
const QC_COLUMNS: TableColumns = [["underlying", "VARCHAR"], ["date", "DATE"], ["expiries", "INTEGER"], ["ok", "INTEGER"], ["repaired", "INTEGER"], ["rejected", "INTEGER"], ["surface_qc_rate", "DOUBLE"]];
const BAR_COLUMNS: TableColumns = [
  ["symbol", "VARCHAR"], ["date", "DATE"], ["open_adj", "DOUBLE"], ["close_adj", "DOUBLE"], ["close", "DOUBLE"], ["volume", "DOUBLE"], ["volume_split", "DOUBLE"], ["dividend_factor", "DOUBLE"],
];

const UNDERLIERS = ["AAA", "BBB", "CCC", "DDD"];
const TENORS_DAYS = [10, 30, 60, 120];
const B = 0.05;
const RHO = -0.6;
const S = 0.15;

function weekdays(from: string, count: number): string[] {
  const out: string[] = [];
  const d = new Date(`${from}T00:00:00Z`);
  while (out.length < count) {
    const day = d.getUTCDay();
    if (day !== 0 && day !== 6) out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

interface Market {
  readonly dates: readonly string[];
  /** ATM vol per underlier and date index. */
  readonly vol: ReadonlyMap<string, readonly number[]>;
  readonly close: ReadonlyMap<string, readonly number[]>;
  /** Underlier-days whose QC rate is 0.5 (two of four slices rejected). */
  readonly lowQc: ReadonlySet<string>;
}

function market(seed: number, days: number): Market {
  const rng = mulberry32(seed);
  const dates = weekdays("2026-01-05", days);
  const vol = new Map<string, number[]>();
  const close = new Map<string, number[]>();
  for (const u of UNDERLIERS) {
    let v = 0.2 + 0.1 * rng();
    let c = 100;
    const vs: number[] = [];
    const cs: number[] = [];
    for (let i = 0; i < days; i++) {
      // Strong mean reversion to 0.25: the next change is predictable from the level (what the models should find).
      v = Math.max(0.08, v + 0.3 * (0.25 - v) + 0.02 * (rng() - 0.5));
      c *= Math.exp(0.02 * (rng() - 0.5));
      vs.push(v);
      cs.push(c);
    }
    vol.set(u, vs);
    close.set(u, cs);
  }
  return { dates, vol, close, lowQc: new Set([`BBB|${dates[30] ?? ""}`]) };
}

async function writeTable(lake: LakeAccess, table: string, columns: TableColumns, rows: Record<string, unknown>[]): Promise<void> {
  const duck = await DuckSession.create({ kernels: false, memoryLimit: "256MB", threads: 1 });
  const writer = new PartWriter({ session: duck, store: lake.store, commit: lake.commitOptions });
  try {
    await writer.append(table, [await writer.writeRows(columns, rows, { folder: table, bounds: ["date"] })]);
  } finally {
    await writer.close();
    duck.close();
  }
}

/** Writes the market through `through` (index); `splitAfter`: halve adjusted closes before a later ex-date. */
async function writeMarket(t: TestLake, m: Market, through: number, splitAt?: number): Promise<void> {
  const surfaces: Record<string, unknown>[] = [];
  const qc: Record<string, unknown>[] = [];
  const bars: Record<string, unknown>[] = [];
  for (const u of UNDERLIERS) {
    for (let i = 0; i <= through; i++) {
      const date = m.dates[i] ?? "";
      const v = m.vol.get(u)?.[i] ?? 0;
      const low = m.lowQc.has(`${u}|${date}`);
      TENORS_DAYS.forEach((days, j) => {
        const tt = days / 365;
        // w(0) = a + b·sqrt(m² + σ²) = a + b·S with m = 0: ATM total variance v²T at every slice.
        surfaces.push({ underlying: u, date, expiry: date, t: tt, a: v * v * tt - B * tt * S, b: B * tt, rho: RHO, m: 0, sigma: S, qc_status: low && j >= 2 ? "rejected" : "ok" });
      });
      qc.push({ underlying: u, date, expiries: 4, ok: low ? 2 : 4, repaired: 0, rejected: low ? 2 : 0, surface_qc_rate: low ? 0.5 : 1 });
      const c = m.close.get(u)?.[i] ?? 0;
      const factor = splitAt !== undefined && u === "AAA" && i < splitAt ? 0.5 : 1;
      bars.push({ symbol: u, date, open_adj: c * factor, close_adj: c * factor, close: c, volume: 1e6, volume_split: 1e6, dividend_factor: 1 });
    }
  }
  await writeTable(t.lake, "curated/options_surfaces", SURFACE_COLUMNS, surfaces);
  await writeTable(t.lake, "qc/options_surface_qc", QC_COLUMNS, qc);
  await writeTable(t.lake, "curated/equities_ohlcv_adj", BAR_COLUMNS, bars);
}

const config = (minRate = 0.95) =>
  optionsVolTrainingSchema.parse({ dependencies: ["curated/options_surfaces"], min_surface_qc_rate: minRate, dataset: { atm_tenor_days: 30 } });

describe("options_vol dataset", () => {
  const lakes: TestLake[] = [];
  afterEach(async () => {
    for (const t of lakes.splice(0)) await t.close();
  });
  async function lakeWith(m: Market, through: number, splitAt?: number): Promise<TestLake> {
    const t = await createTestLake();
    lakes.push(t);
    await writeMarket(t, m, through, splitAt);
    return t;
  }

  it("computes ATM vol, skew, term slope and the next-day label as the SVI formulas give them", async () => {
    const m = market(1, 40);
    const t = await lakeWith(m, 39);
    const ds = await buildOptionsVol(t.lake, config());
    const at = (name: string, feature: string, date: string): number => {
      const row = ds.rowDates.findIndex((d, i) => d === date && ds.names[i] === name);
      return ds.features[ds.featureNames.indexOf(feature)]?.[row] ?? Number.NaN;
    };
    const d5 = m.dates[5] ?? "";
    const v5 = m.vol.get("CCC")?.[5] ?? 0;
    expect(at("CCC", "atm_vol", d5)).toBeCloseTo(v5, 12);
    // The 30-day slice is fitted exactly: vol(k) = sqrt(w(k)/T), w(k) = a + b(ρk + sqrt(k² + S²)).
    const T = 30 / 365;
    const w = (k: number): number => v5 * v5 * T - B * T * S + B * T * (RHO * k + Math.sqrt(k * k + S * S));
    expect(at("CCC", "skew", d5)).toBeCloseTo(Math.sqrt(w(-0.1) / T) - Math.sqrt(w(0.1) / T), 12);
    // ATM total variance is v²T at every slice, so the 90-day ATM vol equals the 30-day one.
    expect(at("CCC", "term_slope", d5)).toBeCloseTo(0, 12);
    expect(at("CCC", "atm_change_1", d5)).toBeCloseTo(v5 - (m.vol.get("CCC")?.[4] ?? 0), 12);
    const row = ds.rowDates.findIndex((d, i) => d === d5 && ds.names[i] === "CCC");
    expect(ds.target[row]).toBeCloseTo((m.vol.get("CCC")?.[6] ?? 0) - v5, 12);
    expect(ds.backtestReturn?.[row]).toBeCloseTo(((m.vol.get("CCC")?.[6] ?? 0) - v5) / v5, 12);
    expect(ds.labelEndDates[row]).toBe(m.dates[6]);
    // The label is the target itself (not ranked), and the realised vol needs 20 returns.
    expect(ds.label[row]).toBe(ds.target[row]);
    expect(Number.isNaN(at("CCC", "iv_minus_rv", m.dates[10] ?? ""))).toBe(true);
    expect(at("CCC", "iv_minus_rv", m.dates[25] ?? "")).toBeCloseTo((m.vol.get("CCC")?.[25] ?? 0) - at("CCC", "rv_20", m.dates[25] ?? ""), 12);
  });

  it("leaves out an underlier-day below min_surface_qc_rate, and refuses a lake below it overall", async () => {
    const m = market(2, 40);
    const t = await lakeWith(m, 39);
    const ds = await buildOptionsVol(t.lake, config(0.95));
    const low = m.dates[30] ?? "";
    expect(ds.rowDates.some((d, i) => d === low && ds.names[i] === "BBB")).toBe(false);
    // The day before now labels to the next accepted surface, two sessions on.
    const before = ds.rowDates.findIndex((d, i) => d === m.dates[29] && ds.names[i] === "BBB");
    expect(ds.labelEndDates[before]).toBe(m.dates[31]);
    expect(ds.rowDates.some((d, i) => d === low && ds.names[i] === "AAA")).toBe(true);
    // Overall 1 − 2/640 of the slices passed: a bar above that refuses the lake, naming the numbers.
    const error = await buildOptionsVol(t.lake, config(0.999)).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).code).toBe("surface_qc_rate_not_met");
    expect((error as DataError).message).toMatch(/99\.7% of 640 SVI slices passed QC \(638\), below min_surface_qc_rate 99\.9%/);
  });

  it("has no look-ahead: a lake cut at d gives the full lake's features for every date up to d", async () => {
    const m = market(3, 60);
    const cut = 35;
    const early = await buildOptionsVol((await lakeWith(m, cut)).lake, config(), { includeUnlabelled: true });
    // The full lake has 24 more sessions and a split of AAA after the cut (its adjusted history rescaled).
    const late = await buildOptionsVol((await lakeWith(m, 59, 45)).lake, config(), { includeUnlabelled: true });
    const index = new Map(late.rowDates.map((d, i) => [`${d}|${late.names[i] ?? ""}`, i]));
    let compared = 0;
    early.rowDates.forEach((date, i) => {
      const j = index.get(`${date}|${early.names[i] ?? ""}`);
      expect(j, `${date} ${early.names[i] ?? ""}`).toBeDefined();
      early.featureNames.forEach((f, k) => {
        const a = early.features[k]?.[i] ?? Number.NaN;
        const b = late.features[late.featureNames.indexOf(f)]?.[j ?? -1] ?? Number.NaN;
        if (Number.isNaN(a)) expect(Number.isNaN(b), `${f} ${date}`).toBe(true);
        // Relative 1e-12: rv_20 of AAA is a ratio of closes rescaled by 0.5, equal up to rounding.
        else expect(Math.abs(a - b), `${f} ${date}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(a)));
        compared++;
      });
      if (date < (m.dates[cut] ?? "")) expect(early.target[i]).toBe(late.target[j ?? -1]);
      else expect(Number.isNaN(early.target[i] ?? 0)).toBe(true);
    });
    expect(compared).toBeGreaterThan(36 * 4 * 6);
  });

  it("trains through CPCV, the straddle backtest and the gates (the trainer's options_vol path)", async () => {
    const m = market(4, 180);
    const ds = await buildOptionsVol((await lakeWith(m, 179)).lake, config());
    const training = optionsVolTrainingSchema.parse({
      dependencies: ["curated/options_surfaces"],
      cpcv: { folds: 4, test_folds: 2, purge_days: 2, embargo_days: 2 },
      scoring: { quantiles: 2 },
      backtest: { quantiles: 2, cost_bps_by_adv: [{ min_adv_usd: 0, bps: 50 }] },
      candidates: [{ name: "ridge", kind: "ridge", params: { lambda: 10 } }, { name: "ridge_weak", kind: "ridge", params: { lambda: 0.1 } }],
    });
    const kernels = createLearnKernels(await loadKernelModule({ build: "release" }));
    const noBorrow = { dailyFee: () => 0, rateOf: () => ({ tier: "" }) };
    const outcome = trainModel({ dataset: ds, config: training, kernels, scorer: await createFoldScorer(), borrow: noBorrow, earlierTrials: [] });
    expect(outcome.gates.checks.map((c) => c.name)).toEqual(expect.arrayContaining(["net_sharpe", "dsr", "pbo", "calibration_ece"]));
    // The book's return is the straddle's (dvol / vol), not the label (dvol).
    const index = new Map(ds.rowDates.map((d, i) => [`${d}|${ds.names[i] ?? ""}`, i]));
    const held = outcome.selected.backtest.positions.filter((p) => Number.isFinite(p.forwardReturn));
    expect(held.length).toBeGreaterThan(100);
    for (const p of held.slice(0, 50)) expect(p.forwardReturn).toBe(ds.backtestReturn?.[index.get(`${p.date}|${p.symbol}`) ?? -1]);
    // Vol mean-reverts in this market (and atm_change_1 sees it): the out-of-fold predictions rank the next change.
    expect(outcome.selected.meanRankIc).toBeGreaterThan(0.1);
  });
});
