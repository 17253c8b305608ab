/**
 * The options backtester on the demo lake (issue 12, Tests: "Backtester" and "Bad input"), real DuckDB, the real
 * hedging kernel. Expected values are computed here from the lake's SVI parameters, forwards, discount factors and
 * spots with a textbook Black formula (Hart's double-precision normal CDF), never by calling the code under test:
 *   - a one-position, no-cost, zero-rate run: every mark equals DF·Black(F, K, √(w(k)/t), t) to 1e-9, every hedge
 *     is minus the book's zero-carry Black–Scholes delta to 1e-9, and every day's PnL is Σ q·Δmark + h·ΔS to 1e-8;
 *   - costs and borrow change each day's PnL by exactly the configured amounts (stock bps and per share on the hedge
 *     trades, option bps on the marks traded, the tier's bps/360 per calendar day on the short hedge's value);
 *   - a re-run of the same config writes nothing and its tables equal the run's;
 *   - a session stripped of its surfaces and chain carries the last good marks with a flag and takes its spot from
 *     the curated close; an underlier without a chain and an unknown strategy are coded errors that leave no table
 *     behind; lake gc deletes an orphaned backtest part and keeps the committed ones.
 */
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runOptionsBacktest } from "../../src/backtest/options/index.ts";
import { loadConfig } from "../../src/config/index.ts";
import { loadConfigFile } from "../../src/config/load.ts";
import { borrowSchema, type BorrowConfig } from "../../src/config/schemas/borrow.ts";
import { optionsBacktestSchema, type OptionsBacktestConfigInput } from "../../src/config/schemas/options-backtest.ts";
import { NIGHTLY_STEPS, checkGraph, selectSteps } from "../../src/dag/index.ts";
import { createTableView } from "../../src/db/lake-tables.ts";
import { PartWriter } from "../../src/db/part-writer.ts";
import { DuckSession } from "../../src/db/session.ts";
import { runDemo } from "../../src/demo/run-demo.ts";
import { AppError } from "../../src/domain/errors.ts";
import { createKernels, type Kernels } from "../../src/kernels/index.ts";
import { collectGarbage } from "../../src/lake/gc.ts";
import { lakeAccess, type LakeAccess } from "../../src/lake/lake-access.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { OPTIONS_TABLES } from "../../src/options/options-tables.ts";
import { runTrademl } from "../helpers/cli.ts";

const TODAY = "2026-12-05";
const OPTION_DAYS = 8;
const UNDERLIER = "AMZN";

let dir: string;
let store: LocalStore;
let lake: LakeAccess;
let duck: DuckSession;
let kernels: Kernels;
let borrow: BorrowConfig;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "trademl-options-backtest-"));
  const config = await loadConfig({ configDir: new URL("../../configs", import.meta.url).pathname, env: {}, envFile: false });
  borrow = config.borrow;
  await runDemo({
    lakeDir: dir, symbols: ["NVDA", "AMZN"], days: 30, minuteDays: 1, optionDays: OPTION_DAYS, today: TODAY, config,
    steps: selectSteps(checkGraph(NIGHTLY_STEPS), { steps: ["curate"] }),
  });
  store = new LocalStore({ root: dir });
  lake = lakeAccess(store);
  duck = await DuckSession.create({ kernels: false });
  await createTableView(duck, store, OPTIONS_TABLES.surfaces, { viewName: "surfaces" });
  await createTableView(duck, store, OPTIONS_TABLES.iv, { viewName: "iv" });
  kernels = await createKernels();
}, 600_000);

afterAll(async () => {
  duck?.close();
  await kernels?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

// --- the test's own Black–Scholes ---------------------------------------------------------------------------

/** Standard normal CDF, Hart (1968) double-precision rational approximation (West, "Better approximations to cumulative normal functions", 2005). */
function normCdf(x: number): number {
  const z = Math.abs(x);
  let c = 0;
  if (z <= 37) {
    const e = Math.exp((-z * z) / 2);
    if (z < 7.07106781186547) {
      let n = 3.52624965998911e-2 * z + 0.700383064443688;
      n = n * z + 6.37396220353165;
      n = n * z + 33.912866078383;
      n = n * z + 112.079291497871;
      n = n * z + 221.213596169931;
      n = n * z + 220.206867912376;
      let d = 8.83883476483184e-2 * z + 1.75566716318264;
      d = d * z + 16.064177579207;
      d = d * z + 86.7807322029461;
      d = d * z + 296.564248779674;
      d = d * z + 637.333633378831;
      d = d * z + 793.826512519948;
      d = d * z + 440.413735824752;
      c = (e * n) / d;
    } else {
      let f = z + 0.65;
      f = z + 4 / f;
      f = z + 3 / f;
      f = z + 2 / f;
      f = z + 1 / f;
      c = e / f / 2.506628274631;
    }
  }
  return x <= 0 ? c : 1 - c;
}

interface SliceRow { a: number; b: number; rho: number; m: number; sigma: number; t: number; forward: number; df: number; spot: number }

/** The SVI vol at K and the Black price DF·Black(F, K, σ, t) of the slice. */
function handMark(s: SliceRow, strike: number, right: string): { vol: number; price: number } {
  const k = Math.log(strike / s.forward);
  const w = s.a + s.b * (s.rho * (k - s.m) + Math.sqrt((k - s.m) ** 2 + s.sigma ** 2));
  const vol = Math.sqrt(w / s.t);
  const sd = vol * Math.sqrt(s.t);
  const d1 = Math.log(s.forward / strike) / sd + sd / 2;
  const d2 = d1 - sd;
  const call = s.df * (s.forward * normCdf(d1) - strike * normCdf(d2));
  const put = s.df * (strike * normCdf(-d2) - s.forward * normCdf(-d1));
  return { vol, price: right === "C" ? call : put };
}

/** Zero-carry Black–Scholes delta (rates: zero). */
function zeroCarryDelta(spot: number, strike: number, tau: number, vol: number, right: string): number {
  const d1 = (Math.log(spot / strike) + (vol * vol * tau) / 2) / (vol * Math.sqrt(tau));
  return right === "C" ? normCdf(d1) : normCdf(d1) - 1;
}

async function sliceOf(date: string, expiry: string): Promise<SliceRow | undefined> {
  const rows = await duck.rowsJs(`
    SELECT s.a, s.b, s.rho, s.m, s.sigma, s.t, s.forward, any_value(i.df) AS df, any_value(i.spot) AS spot
    FROM surfaces s JOIN iv i USING (underlying, date, expiry)
    WHERE s.underlying = '${UNDERLIER}' AND s.date = DATE '${date}' AND s.expiry = DATE '${expiry}' AND s.qc_status IN ('ok', 'repaired')
    GROUP BY ALL`);
  const r = rows[0];
  return r === undefined ? undefined : {
    a: Number(r["a"]), b: Number(r["b"]), rho: Number(r["rho"]), m: Number(r["m"]), sigma: Number(r["sigma"]), t: Number(r["t"]),
    forward: Number(r["forward"]), df: Number(r["df"]), spot: Number(r["spot"]),
  };
}

async function spotOf(date: string): Promise<number> {
  const rows = await duck.rowsJs(`SELECT any_value(spot) AS spot FROM iv WHERE underlying = '${UNDERLIER}' AND date = DATE '${date}'`);
  return Number(rows[0]?.["spot"]);
}

type Row = Record<string, unknown>;
const num = (row: Row | undefined, key: string): number => Number(row?.[key]);

async function tableRows(table: string, order: string, from = lake): Promise<Row[]> {
  const view = `t_${Math.random().toString(36).slice(2)}`;
  await createTableView(duck, from.store, table, { viewName: view });
  const rows = await duck.rowsJs(`SELECT * EXCLUDE (run_id) FROM ${view} ORDER BY ${order}`);
  // DATE columns as YYYY-MM-DD text.
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString().slice(0, 10) : v])));
}

const ONE_POSITION: OptionsBacktestConfigInput = {
  underlier: UNDERLIER, strategy: "straddle", tenor_days: 14, entry: { every_sessions: 100, hold_sessions: 4 }, rates: "zero", hedge: { mode: "every_step" },
};

async function run(input: OptionsBacktestConfigInput, options: { borrow?: BorrowConfig; lake?: LakeAccess } = {}) {
  return runOptionsBacktest({ lake: options.lake ?? lake, config: optionsBacktestSchema.parse(input), borrow: options.borrow ?? borrow, codeVersion: "test", kernels });
}

describe("options backtester on the demo lake", () => {
  it("reconciles a one-position, no-cost, zero-rate run to marks and deltas computed by hand", async () => {
    const result = await run(ONE_POSITION, { borrow: borrowSchema.parse({ tiers: { gc: 0, warm: 0, htb: 0 } }) });
    expect(result.written).toBe(true);
    const daily = await tableRows(result.tables["daily"] ?? "", "date");
    const positions = await tableRows(result.tables["positions"] ?? "", "date, leg");
    const trades = await tableRows(result.tables["trades"] ?? "", "date, instrument, leg");
    expect(daily.length).toBe(OPTION_DAYS);
    const legs = positions.filter((p) => String(p["date"]) === String(daily[0]?.["date"]));
    expect(legs.map((l) => String(l["right"])).sort()).toEqual(["C", "P"]);
    expect(new Set(positions.map((p) => num(p, "position_id")))).toEqual(new Set([0]));

    // Every mark and vol from the SVI parameters; the hedge is minus the book's zero-carry delta.
    const dates = daily.map((d) => String(d["date"]));
    const exitIndex = 4;
    const marks = new Map<string, number>();
    for (let k = 0; k <= exitIndex; k++) {
      const date = dates[k] ?? "";
      let bookDelta = 0;
      for (const leg of legs) {
        const slice = await sliceOf(date, String(leg["expiry"]));
        expect(slice, `surface of ${date}`).toBeDefined();
        if (slice === undefined) continue;
        const hand = handMark(slice, num(leg, "strike"), String(leg["right"]));
        marks.set(`${date}|${String(leg["right"])}`, hand.price);
        const tau = (Date.parse(String(leg["expiry"])) - Date.parse(date)) / 86_400_000 / 365;
        bookDelta += num(leg, "quantity") * zeroCarryDelta(slice.spot, num(leg, "strike"), tau, hand.vol, String(leg["right"]));
        const row = positions.find((p) => String(p["date"]) === date && String(p["right"]) === String(leg["right"]));
        if (k < exitIndex) {
          expect(Math.abs(num(row, "mark") - hand.price)).toBeLessThan(1e-9);
          expect(Math.abs(num(row, "vol") - hand.vol)).toBeLessThan(1e-12);
          expect(row?.["carried"]).toBe(false);
        } else {
          expect(row).toBeUndefined(); // sold at the exit session
        }
      }
      const hedge = num(daily[k], "hedge_shares");
      expect(Math.abs(hedge - (k < exitIndex ? -bookDelta : 0))).toBeLessThan(1e-9 * Math.max(1, Math.abs(bookDelta)));
    }
    // Entry and exit trades at those marks.
    const optionTrades = trades.filter((t) => t["instrument"] === "option");
    expect(optionTrades.map((t) => `${String(t["date"])}|${String(t["action"])}`).sort()).toEqual(
      [`${dates[0]}|open`, `${dates[0]}|open`, `${dates[exitIndex]}|close`, `${dates[exitIndex]}|close`].sort(),
    );
    for (const t of optionTrades) expect(Math.abs(num(t, "price") - (marks.get(`${String(t["date"])}|${String(t["right"])}`) ?? Number.NaN))).toBeLessThan(1e-9);

    // Each day's PnL: the legs' mark changes plus the previous hedge's stock PnL; nothing else at zero rates and costs.
    let total = 0;
    for (let k = 0; k < dates.length; k++) {
      const date = dates[k] ?? "";
      let expected = 0;
      if (k >= 1 && k <= exitIndex) {
        const previous = dates[k - 1] ?? "";
        for (const leg of legs) {
          const right = String(leg["right"]);
          expected += num(leg, "quantity") * ((marks.get(`${date}|${right}`) ?? Number.NaN) - (marks.get(`${previous}|${right}`) ?? Number.NaN));
        }
        expected += num(daily[k - 1], "hedge_shares") * ((await spotOf(date)) - (await spotOf(previous)));
      }
      const pnl = num(daily[k], "pnl");
      expect(Math.abs(pnl - expected), `pnl of ${date}`).toBeLessThan(1e-8);
      for (const cost of ["financing", "borrow", "stock_cost", "option_cost"]) expect(num(daily[k], cost)).toBe(0);
      total += pnl;
      expect(Math.abs(num(daily[k], "equity") - 100_000 - total)).toBeLessThan(1e-7);
      // The attribution adds up.
      const parts = ["delta_pnl", "gamma_pnl", "vega_pnl", "theta_pnl", "residual"].reduce((s, c) => s + num(daily[k], c), 0);
      expect(Math.abs(parts - pnl)).toBeLessThan(1e-8);
    }
    expect(Math.abs(result.result.summary.totalPnl - total)).toBeLessThan(1e-8);
  }, 120_000);

  it("changes PnL by exactly the configured costs and borrow", async () => {
    const base: OptionsBacktestConfigInput = { ...ONE_POSITION, strategy: "risk_reversal" };
    const costly: OptionsBacktestConfigInput = { ...base, hedge: { mode: "every_step", stock_cost_bps: 5, stock_cost_per_share: 0.01, option_cost_bps: 40 } };
    const BPS = 1000;
    const flat = borrowSchema.parse({ tiers: { gc: BPS, warm: BPS, htb: BPS } });
    const free = borrowSchema.parse({ tiers: { gc: 0, warm: 0, htb: 0 } });
    const a = await run(base, { borrow: free });
    const b = await run(costly, { borrow: flat });
    const da = await tableRows(a.tables["daily"] ?? "", "date");
    const db = await tableRows(b.tables["daily"] ?? "", "date");
    const tb = await tableRows(b.tables["trades"] ?? "", "date, instrument, leg");
    expect(db.length).toBe(da.length);
    let shortDays = 0;
    for (let k = 0; k < db.length; k++) {
      const x = da[k];
      const y = db[k];
      const date = String(y?.["date"]);
      // Costs do not move the hedge.
      expect(num(y, "hedge_shares")).toBe(num(x, "hedge_shares"));
      const trade = num(y, "hedge_shares") - (k === 0 ? 0 : num(db[k - 1], "hedge_shares"));
      const spot = num(y, "spot");
      const stock = -Math.abs(trade) * (spot * 5e-4 + 0.01);
      const option = -tb.filter((t) => String(t["date"]) === date && t["instrument"] === "option" && t["action"] !== "expire")
        .reduce((s, t) => s + Math.abs(num(t, "quantity")) * num(t, "price") * 40e-4, 0);
      let fee = 0;
      if (k > 0) {
        const held = num(db[k - 1], "hedge_shares");
        const days = (Date.parse(date) - Date.parse(String(db[k - 1]?.["date"]))) / 86_400_000;
        if (held < 0) shortDays++;
        fee = held < 0 ? held * num(db[k - 1], "spot") * (BPS / 10_000) * (days / 360) : 0;
      }
      expect(Math.abs(num(y, "stock_cost") - stock), `stock cost ${date}`).toBeLessThan(1e-9);
      expect(Math.abs(num(y, "option_cost") - option), `option cost ${date}`).toBeLessThan(1e-9);
      expect(Math.abs(num(y, "borrow") - fee), `borrow ${date}`).toBeLessThan(1e-9);
      expect(num(x, "borrow")).toBe(0);
      expect(Math.abs(num(y, "pnl") - num(x, "pnl") - (stock + option + fee)), `pnl ${date}`).toBeLessThan(1e-8);
    }
    expect(shortDays, "the risk reversal's hedge is short stock on some day").toBeGreaterThan(0);
    expect(b.result.summary.hedgingCost).toBeLessThan(0);
  }, 120_000);

  it("re-running the same config writes nothing, and its tables are what a re-run computes", async () => {
    const config: OptionsBacktestConfigInput = { underlier: UNDERLIER, strategy: "strangle", entry: { every_sessions: 2, hold_sessions: 3 }, hedge: { option_cost_bps: 20, close_at_end: true } };
    const first = await run(config);
    const manifests = async () => Promise.all(Object.values(first.tables).map(async (t) => (await lake.readManifest(t))?.files.map((f) => f.key)));
    const before = await manifests();
    const second = await run(config);
    expect(first.written).toBe(true);
    expect(second.written).toBe(false);
    expect(second.runId).toBe(first.runId);
    expect(await manifests()).toEqual(before);
    const daily = await tableRows(first.tables["daily"] ?? "", "date");
    expect(daily.map((d) => num(d, "pnl"))).toEqual(second.result.daily.map((d) => d.pnl));
    expect(daily.map((d) => String(d["status"]))).toEqual(second.result.daily.map((d) => d.status));
    const positions = await tableRows(first.tables["positions"] ?? "", "date, position_id, leg");
    expect(positions.length).toBe(second.result.positions.length);
    const runRow = (await tableRows(first.tables["run"] ?? "", "underlier"))[0];
    expect(JSON.parse(String(runRow?.["snapshot"]))).toEqual(first.snapshot);
    expect(String(runRow?.["code_version"])).toBe("test");
    // A different config is a different run.
    const other = await run({ ...config, quantity: 2 });
    expect(other.runId).not.toBe(first.runId);
    // All runs are one view per table in `trademl sql`.
    const sql = await runTrademl(["sql", "-c", `select count(distinct run_id) as runs from backtests_options_daily`, "--format", "json"], { LAKE_ROOT: dir, TRADEML_SERVICES: "off" });
    expect(sql.code, sql.stderr).toBe(0);
    expect(sql.stdout).toMatch(/"runs":\s*"?[4-9]/);
  }, 120_000);

  it("carries the last good mark, flagged, over a session whose surface is missing", async () => {
    const copy = await mkdtemp(join(tmpdir(), "trademl-options-backtest-gap-"));
    try {
      await cp(dir, copy, { recursive: true });
      const copyLake = lakeAccess(new LocalStore({ root: copy }));
      const sessions = (await duck.rowsJs(`SELECT DISTINCT date::VARCHAR AS d FROM surfaces WHERE underlying = '${UNDERLIER}' ORDER BY d`)).map((r) => String(r["d"]));
      const gap = sessions[2] ?? "";
      // The session loses its surfaces and its whole chain (implied vols, and with them the chain's spot).
      const session = await DuckSession.create({ kernels: false });
      const writer = new PartWriter({ session, store: copyLake.store });
      for (const table of [OPTIONS_TABLES.surfaces, OPTIONS_TABLES.iv]) {
        const manifest = await copyLake.readManifest(table);
        const removed = (manifest?.files ?? []).filter((f) => f.key.includes(`/date=${gap}/`)).map((f) => f.key);
        expect(removed.length).toBe(1);
        await writer.commit(table, { kind: "replace", add: [], remove: removed });
      }
      await writer.close();
      session.close();

      const result = await run(ONE_POSITION, { lake: copyLake });
      const daily = await tableRows(result.tables["daily"] ?? "", "date", copyLake);
      const positions = await tableRows(result.tables["positions"] ?? "", "date, leg", copyLake);
      const gapDay = daily.find((d) => String(d["date"]) === gap);
      expect(gapDay?.["status"]).toBe("carried");
      // Without a chain the spot is the session's curated close.
      await createTableView(duck, store, "curated/equities_ohlcv_adj", { viewName: "bars" });
      const close = await duck.rowsJs(`SELECT arg_max(close, bar_time) AS close FROM bars WHERE symbol = '${UNDERLIER}' AND date::DATE = DATE '${gap}'`);
      expect(num(gapDay, "spot")).toBe(num(close[0], "close"));
      expect(gapDay?.["spot_carried"]).toBe(false);
      expect(num(gapDay, "carried_legs")).toBe(2);
      const previous = sessions[1] ?? "";
      for (const right of ["C", "P"]) {
        const atGap = positions.find((p) => String(p["date"]) === gap && p["right"] === right);
        const before = positions.find((p) => String(p["date"]) === previous && p["right"] === right);
        expect(atGap?.["carried"]).toBe(true);
        expect(String(atGap?.["mark_date"])).toBe(previous);
        expect(num(atGap, "mark")).toBe(num(before, "mark"));
      }
      expect(daily.filter((d) => d["status"] === "carried").length).toBe(1);
      // Off the gap, no leg is carried.
      expect(positions.filter((p) => p["carried"] === true).map((p) => String(p["date"]))).toEqual([gap, gap]);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  }, 180_000);

  it("runs the shipped example config through the CLI and prints its summary", async () => {
    const config = new URL("../../configs/backtest/options.yml", import.meta.url).pathname;
    const first = await runTrademl(["backtest", "options", "--config", config], { LAKE_ROOT: dir, TRADEML_SERVICES: "off" });
    expect(first.code, first.stderr).toBe(0);
    for (const measure of ["return", "sharpe", "max drawdown", "hedging cost", "hedge turnover", "option turnover"]) expect(first.stdout).toContain(measure);
    expect(first.stdout).toMatch(/options backtest [0-9a-f]{16}: straddle on AMZN, \d{4}-\d{2}-\d{2} … \d{4}-\d{2}-\d{2} \(\d+ sessions, [1-9]\d* positions/);
    expect(first.stdout).toContain("wrote backtests/options/");
    const second = await runTrademl(["backtest", "options", "--config", config], { LAKE_ROOT: dir, TRADEML_SERVICES: "off" });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain("nothing written");
  }, 120_000);

  it("refuses an underlier without a chain and an unknown strategy with coded errors, writing nothing", async () => {
    const tablesBefore = await countBacktestManifests();
    const error = await run({ ...ONE_POSITION, underlier: "ZZZZ" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("backtest_no_chain");
    expect((error as AppError).message).toContain("ZZZZ");

    const file = join(dir, "bad-options.yml");
    await writeFile(file, "underlier: AMZN\nstrategy: strangel\n");
    const bad = await loadConfigFile(file, optionsBacktestSchema).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(AppError);
    expect((bad as AppError).code).toBe("config_invalid");
    expect((bad as AppError).message).toMatch(/bad-options\.yml:2:\d+: strategy: unknown strategy "strangel": did you mean strangle\?/);
    const cli = await runTrademl(["backtest", "options", "--config", file], { LAKE_ROOT: dir, TRADEML_SERVICES: "off" });
    expect(cli.code).toBe(2);
    expect(await countBacktestManifests()).toBe(tablesBefore);
  }, 60_000);
});

describe("backtest tables and lake gc", () => {
  it("keeps every committed backtest part and lists an orphaned one", async () => {
    const copy = await mkdtemp(join(tmpdir(), "trademl-options-backtest-gc-"));
    try {
      await cp(dir, copy, { recursive: true });
      // The demo's released lease records would hold the grace to their TTL; this lake has no job running.
      await rm(join(copy, "leases"), { recursive: true, force: true });
      const copyStore = new LocalStore({ root: copy });
      await run(ONE_POSITION, { lake: lakeAccess(copyStore) });
      const committed: string[] = [];
      for await (const entry of copyStore.list("backtests/")) committed.push(entry.key);
      expect(committed.length).toBeGreaterThan(0);
      // A run killed after writing a part and before committing it leaves an orphan.
      const session = await DuckSession.create({ kernels: false });
      const writer = new PartWriter({ session, store: copyStore });
      const orphan = await writer.writeRows([["run_id", "VARCHAR"]], [{ run_id: "killed" }], { folder: "backtests/options/0000000000000000/daily" });
      await writer.close();
      session.close();
      const dry = await collectGarbage(copyStore, { graceMs: 0 });
      expect(dry.orphans.map((o) => o.key)).toEqual([orphan.key]);
      await collectGarbage(copyStore, { graceMs: 0, apply: true });
      expect(await copyStore.head(orphan.key)).toBeUndefined();
      for (const key of committed) expect(await copyStore.head(key), key).toBeDefined();
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  }, 120_000);
});

async function countBacktestManifests(): Promise<number> {
  let n = 0;
  for await (const entry of store.list("manifests/backtests/")) if (entry.key.endsWith(".json")) n++;
  return n;
}
