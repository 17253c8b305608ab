/**
 * The options pipeline end to end on the demo (issue 12, Tests): the simulator serves chains for past sessions
 * priced from planted SVI smiles on the forward the pipeline derives (its Treasury curve, its dividends); the
 * demo collects them and curation turns them into options_quotes, options_iv and options_surfaces. Expected
 * values come from the simulator's own market (src/sim/market.ts, seed 7), never from the pipeline's output.
 *
 * Tolerances, and why:
 *   - discount factors: 1e-12 relative (the same yields and the same arithmetic; only the order of operations differs);
 *   - parity forwards: 0.0102 absolute: each mid is rounded to the cent (±0.005), so C − P is within ±0.01 and
 *     F = K + (C − P)/DF within 0.01/DF;
 *   - recovered smiles, over each slice's quoted log-moneyness range: at most OK_TOLERANCE_VP vol points between
 *     the fitted and the planted slice on every `ok` slice (cent rounding of option prices of a few cents on a $10
 *     underlier moves their implied vols by up to a vol point), OK_TOLERANCE_LIQUID_VP where the forward is above
 *     $50; `repaired` slices are the JW repair of a noisy fit that showed butterfly arbitrage: a prescribed change
 *     of the fit (it keeps ATM variance, skew and put wing and moves the call wing), not a recovery, so they are
 *     held to the QC's own RMSE bound (surface.max_rmse_vol_points at the quotes) and to being butterfly-free
 *     (measured on this lake: up to about 7 vol points from the planted slice at the edges of the quoted range);
 *   - put-call parity on the curated marks: |C − P − DF·(F − K)| ≤ 0.011 (the two mids' cent rounding).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NIGHTLY_STEPS, checkGraph, selectSteps } from "../../src/dag/index.ts";
import { runDemo } from "../../src/demo/run-demo.ts";
import { loadConfig } from "../../src/config/index.ts";
import { createTableView } from "../../src/db/lake-tables.ts";
import { DuckSession } from "../../src/db/session.ts";
import { createKernels, type Kernels } from "../../src/kernels/index.ts";
import { impliedVolForward } from "../../src/kernels/implied-vol-forward.ts";
import { lakeAccess } from "../../src/lake/lake-access.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { runCuration } from "../../src/curate/run-curation.ts";
import { SyntheticMarket } from "../../src/sim/market.ts";
import { sviTotalVariance } from "../../src/sim/planted-surface.ts";
import { OPTIONS_TABLES } from "../../src/options/options-tables.ts";
import { runTrademl } from "../helpers/cli.ts";
import { readFile } from "node:fs/promises";

const OK_TOLERANCE_VP = 1.5;
const OK_TOLERANCE_LIQUID_VP = 0.75;
const TODAY = "2026-12-05";
const OPTION_DAYS = 4;
const market = new SyntheticMarket(7);

let dir: string;
let duck: DuckSession;
let kernels: Kernels;
let store: LocalStore;
let maxRmse: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "trademl-options-demo-"));
  const config = await loadConfig({ configDir: new URL("../../configs", import.meta.url).pathname, env: {}, envFile: false });
  maxRmse = config.curator.options.surface.max_rmse_vol_points;
  await runDemo({
    lakeDir: dir, symbols: ["AAPL", "NVDA", "AMZN"], days: 30, minuteDays: 1, optionDays: OPTION_DAYS, today: TODAY, config,
    steps: selectSteps(checkGraph(NIGHTLY_STEPS), { steps: ["curate"] }),
  });
  store = new LocalStore({ root: dir });
  duck = await DuckSession.create();
  for (const table of Object.values(OPTIONS_TABLES)) {
    await createTableView(duck, store, table, { viewName: table.replace(/^curated\//, "").replace("/", "_") });
  }
  kernels = await createKernels();
}, 600_000);

afterAll(async () => {
  duck?.close();
  await kernels?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Row = Record<string, unknown>;
const num = (row: Row, key: string): number => Number(row[key]);
const str = (row: Row, key: string): string => String(row[key]);

describe("options pipeline on the demo", () => {
  it("curates one row per contract and session for every replayed session, quarantining zero bids and stale quotes", async () => {
    const sessions = await duck.rowsJs(`SELECT DISTINCT quote_date::VARCHAR AS d FROM options_quotes ORDER BY d`);
    expect(sessions.length).toBe(OPTION_DAYS);
    const dupes = await duck.rowsJs(`SELECT count(*) AS n FROM (SELECT underlying, contract, quote_date FROM options_quotes GROUP BY ALL HAVING count(*) > 1)`);
    expect(num(dupes[0] ?? {}, "n")).toBe(0);
    const reasons = await duck.rowsJs(`SELECT reasons, count(*) AS n FROM quarantine_options_quotes GROUP BY ALL`);
    const byReason = new Map(reasons.map((r) => [str(r, "reasons"), num(r, "n")]));
    expect([...byReason.keys()].some((r) => r.includes("zero_bid"))).toBe(true);
    // Every stale quote the simulator planted (Alpaca stamps it a day old) is quarantined as stale or worse; Finnhub
    // sends no quote time, but its row loses to the clean one only when Alpaca's is clean.
    const stale = await duck.rowsJs(`SELECT underlying, contract, quote_date::VARCHAR AS d, reasons, source FROM quarantine_options_quotes WHERE reasons LIKE '%stale%'`);
    for (const row of stale) {
      const q = market.optionChain(str(row, "underlying"), str(row, "d")).find((c) => c.occ === str(row, "contract"));
      expect(q?.stale).toBe(true);
    }
  });

  it("derives the simulator's discount factors and forwards", async () => {
    const rows = await duck.rowsJs(`SELECT DISTINCT underlying, date::VARCHAR AS d, expiry::VARCHAR AS e, df, forward, forward_source FROM options_iv WHERE t > 0`);
    expect(rows.length).toBeGreaterThan(20);
    let parity = 0;
    for (const row of rows) {
      const truth = market.optionForward(str(row, "underlying"), str(row, "d"), str(row, "e"));
      if (truth === undefined) throw new Error("the simulator has no forward");
      expect(Math.abs(num(row, "df") / truth.df - 1)).toBeLessThanOrEqual(1e-12);
      if (str(row, "forward_source") === "parity") {
        parity++;
        expect(Math.abs(num(row, "forward") - truth.forward)).toBeLessThanOrEqual(0.0102);
      }
    }
    expect(parity).toBeGreaterThan(rows.length / 2);
  });

  it("recovers the planted smiles on every accepted slice", async () => {
    const slices = await duck.rowsJs(`SELECT underlying, date::VARCHAR AS d, expiry::VARCHAR AS e, t, forward, a, b, rho, m, sigma, k_min, k_max, qc_status, butterfly_free, rmse_vol_points FROM options_surfaces WHERE qc_status <> 'rejected'`);
    expect(slices.filter((s) => str(s, "qc_status") === "ok").length).toBeGreaterThan(10);
    for (const s of slices) {
      let worst = 0;
      const planted = market.plantedSmile(str(s, "underlying"), str(s, "d"), str(s, "e"));
      const fitted = { a: num(s, "a"), b: num(s, "b"), rho: num(s, "rho"), m: num(s, "m"), sigma: num(s, "sigma") };
      const t = num(s, "t");
      for (let i = 0; i <= 20; i++) {
        const k = num(s, "k_min") + ((num(s, "k_max") - num(s, "k_min")) * i) / 20;
        const diff = 100 * Math.abs(Math.sqrt(sviTotalVariance(fitted, k) / t) - Math.sqrt(sviTotalVariance(planted, k) / t));
        worst = Math.max(worst, diff);
      }
      const label = `${str(s, "underlying")} ${str(s, "d")} ${str(s, "e")} ${str(s, "qc_status")}`;
      if (str(s, "qc_status") === "repaired") expect(num(s, "rmse_vol_points"), label).toBeLessThanOrEqual(maxRmse);
      else expect(worst, label).toBeLessThanOrEqual(num(s, "forward") > 50 ? OK_TOLERANCE_LIQUID_VP : OK_TOLERANCE_VP);
      expect(s["butterfly_free"]).toBe(true);
    }
    const qc = await duck.rowsJs(`SELECT min(surface_qc_rate) AS lo, max(surface_qc_rate) AS hi FROM qc_options_surface_qc`);
    expect(num(qc[0] ?? {}, "hi")).toBeGreaterThan(0);
  });

  it("keeps put-call parity on the curated marks", async () => {
    const pairs = await duck.rowsJs(`
      SELECT c.underlying, c.quote_date::VARCHAR AS d, c.expiry::VARCHAR AS e, c.strike, c.mid AS c_mid, p.mid AS p_mid
      FROM options_quotes c JOIN options_quotes p USING (underlying, quote_date, expiry, strike)
      WHERE c."right" = 'C' AND p."right" = 'P'`);
    expect(pairs.length).toBeGreaterThan(50);
    for (const row of pairs) {
      const f = market.optionForward(str(row, "underlying"), str(row, "d"), str(row, "e"));
      if (f === undefined) throw new Error("the simulator has no forward");
      // The simulator floors a mid at one cent: deep out-of-the-money sides sit on the floor, not on parity.
      if (num(row, "c_mid") <= 0.01 || num(row, "p_mid") <= 0.01) continue;
      expect(Math.abs(num(row, "c_mid") - num(row, "p_mid") - f.df * (f.forward - num(row, "strike")))).toBeLessThanOrEqual(0.011);
    }
  });

  it("gives every row a status, and a query reproduces the stored vols bit for bit through SQL and the batch API", async () => {
    const silent = await duck.rowsJs(`SELECT count(*) AS n FROM options_iv WHERE status IS NULL OR status_mid IS NULL OR (iv_mid IS NULL) <> (status_mid <> 'ok')`);
    expect(num(silent[0] ?? {}, "n")).toBe(0);
    const differ = await duck.rowsJs(`SELECT count(*) AS n FROM options_iv
      WHERE iv_mid IS DISTINCT FROM implied_vol_fwd(mid, forward, strike, t, df, is_call)
         OR iv_bid IS DISTINCT FROM implied_vol_fwd(bid, forward, strike, t, df, is_call)
         OR status_mid IS DISTINCT FROM implied_vol_fwd_status(mid, forward, strike, t, df, is_call)`);
    expect(num(differ[0] ?? {}, "n")).toBe(0);
    const cols = await duck.columns(`SELECT mid, forward, strike, t, df, is_call::INTEGER AS is_call, iv_mid FROM options_iv WHERE status_mid = 'ok'`);
    const f64 = (name: string): Float64Array => Float64Array.from(cols[name] ?? [], Number);
    const batch = impliedVolForward(kernels, {
      price: f64("mid"), forward: f64("forward"), strike: f64("strike"), t: f64("t"), df: f64("df"), isCall: Uint8Array.from(cols["is_call"] ?? [], Number),
    });
    const stored = f64("iv_mid");
    expect(stored.length).toBeGreaterThan(100);
    // Bit for bit: the bytes of the two Float64Arrays.
    expect(new Uint8Array(batch.vol.buffer)).toEqual(new Uint8Array(stored.buffer));
    // The façade's method is the same path.
    const facade = kernels.impliedVolForward({
      price: f64("mid"), forward: f64("forward"), strike: f64("strike"), t: f64("t"), df: f64("df"), isCall: Uint8Array.from(cols["is_call"] ?? [], Number),
    });
    expect(new Uint8Array(facade.vol.buffer)).toEqual(new Uint8Array(stored.buffer));
    expect(kernels.engine).toBe("wasm");
  });

  it("prints a surface's slice table and writes its smile plot with `trademl options surface`", async () => {
    const env = { LAKE_ROOT: dir, TRADEML_CONFIG_DIR: new URL("../../configs", import.meta.url).pathname };
    const run = await runTrademl(["options", "surface", "--underlier", "amzn", "--date", "2026-12-04", "--png", "smile.png", "--log-level", "warn"], env, dir);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const slices = await duck.rowsJs(`SELECT expiry::VARCHAR AS e, qc_status FROM options_surfaces WHERE underlying = 'AMZN' AND date = '2026-12-04' ORDER BY e`);
    expect(slices.length).toBeGreaterThan(0);
    expect(run.stdout).toContain(`AMZN 2026-12-04: ${slices.length} expiries`);
    for (const slice of slices) expect(run.stdout).toMatch(new RegExp(`^${str(slice, "e")} .*${str(slice, "qc_status")}`, "m"));
    const png = await readFile(join(dir, "smile.png"));
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join("")).toBe("PNG");
    expect(png.length).toBeGreaterThan(10_000);
    const missing = await runTrademl(["options", "surface", "--underlier", "NOPE", "--log-level", "warn"], env, dir);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("no_surface");
  });

  it("builds candidate strategies on every session with an accepted slice and evaluates them on the next session", async () => {
    const accepted = await duck.rowsJs(`SELECT DISTINCT underlying, date::VARCHAR AS d FROM options_surfaces WHERE qc_status <> 'rejected' ORDER BY ALL`);
    const built = await duck.rowsJs(`SELECT DISTINCT underlying, date::VARCHAR AS d FROM options_strategies ORDER BY ALL`);
    expect(built.length).toBeGreaterThan(0);
    // Strategies only where a surface was accepted.
    const acceptedKeys = new Set(accepted.map((r) => `${str(r, "underlying")}|${str(r, "d")}`));
    for (const r of built) expect(acceptedKeys.has(`${str(r, "underlying")}|${str(r, "d")}`)).toBe(true);
    const pnl = await duck.rowsJs(`SELECT strategy, date::VARCHAR AS d, mark_date::VARCHAR AS md, pnl, gamma_pnl, vega_pnl, theta_pnl, residual, delta_pnl, hedge_pnl FROM options_strategy_pnl`);
    expect(pnl.length).toBeGreaterThan(0);
    for (const r of pnl) {
      expect(str(r, "md") > str(r, "d")).toBe(true);
      expect(Math.abs(num(r, "gamma_pnl") + num(r, "vega_pnl") + num(r, "theta_pnl") + num(r, "residual") - num(r, "pnl"))).toBeLessThanOrEqual(1e-9);
      expect(num(r, "delta_pnl") + num(r, "hedge_pnl")).toBe(0);
    }
  });

  it("commits nothing when curation runs again", async () => {
    const seqs = async (): Promise<(number | undefined)[]> => Promise.all([OPTIONS_TABLES.strategies, OPTIONS_TABLES.strategyPnl].map(async (t) => (await lakeAccess(store).readManifest(t))?.seq));
    const before = await seqs();
    expect(before.every((s) => s !== undefined)).toBe(true);
    const config = await loadConfig({ configDir: new URL("../../configs", import.meta.url).pathname, env: {}, envFile: false });
    const run = await runCuration(store, config.curator, { holder: "options-test" });
    expect(run.ran).toBe(true);
    if (run.ran) expect(run.options?.sessions).toEqual([]);
    expect(await seqs()).toEqual(before);
  }, 300_000);
});
