/**
 * Candidate strategies and their next-session PnL (issue 12 item 4) on a hand-made lake (real DuckDB, a real local
 * lake, the WebAssembly kernels): two sessions of one underlier with flat 30 % SVI slices, the same spot and the
 * same rates, so the expected values are Black's formula at 30 % and the one-day passage of time.
 *
 * Tolerances, and why:
 *   - straddle price against DF·(Black call + Black put) at 30 %: 1e-12 relative (the same kernel, reached through
 *     (F, r = q = 0) in the test and through (S, r, q) in the code);
 *   - attribution: pnl = gamma + vega + theta + residual to 1e-12 (residual is defined as the rest);
 *   - flat surface, no spot move: an ATM straddle's value is ∝ √t, so its one-day change differs from Θ·Δt by about
 *     Δt/(4t) of it (1/56 at 14 days, 1/84 at 21): held to 3 %;
 *   - a one-standard-deviation spot move at zero rates: ½ΓΔS² + ΘΔt = 0 to 1e-9 relative (Θ = −½σ²S²Γ), and the
 *     residual (third order) within 2 % of the gamma term (0.3 % measured).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { optionsCurationSchema } from "../../src/config/schemas/options.ts";
import { PartWriter } from "../../src/db/part-writer.ts";
import { DuckSession } from "../../src/db/session.ts";
import { createTableView } from "../../src/db/lake-tables.ts";
import { createKernels, type Kernels } from "../../src/kernels/index.ts";
import { lakeAccess } from "../../src/lake/lake-access.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { OPTIONS_TABLES, sessionFolder } from "../../src/options/options-tables.ts";
import { writeStrategies } from "../../src/options/strategies-pass.ts";
import { buildStrategies, remarkStrategy, type StrategySlice } from "../../src/options/strategies.ts";
import type { TableColumns } from "../../src/db/part-writer.ts";

const SESSIONS = ["2026-12-07", "2026-12-08"] as const;
const EXPIRIES = ["2026-12-21", "2026-12-28"] as const;
const SPOT = 100;
const RATE = 0.04;
const DIV = 0.01;
const VOL = 0.3;
const days = (from: string, to: string): number => (Date.parse(to) - Date.parse(from)) / 86_400_000;

let dir: string;
let duck: DuckSession;
let kernels: Kernels;
let store: LocalStore;
let firstCommits: Record<string, number>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "trademl-strategies-"));
  store = new LocalStore({ root: dir });
  duck = await DuckSession.create();
  kernels = await createKernels();
  const parts = new PartWriter({ session: duck, store });
  const surfaceColumns: TableColumns = [
    ["underlying", "VARCHAR"], ["date", "DATE"], ["expiry", "DATE"], ["t", "DOUBLE"], ["forward", "DOUBLE"], ["a", "DOUBLE"], ["b", "DOUBLE"],
    ["rho", "DOUBLE"], ["m", "DOUBLE"], ["sigma", "DOUBLE"], ["k_min", "DOUBLE"], ["k_max", "DOUBLE"], ["qc_status", "VARCHAR"],
  ];
  const ivColumns: TableColumns = [["underlying", "VARCHAR"], ["date", "DATE"], ["expiry", "DATE"], ["strike", "DOUBLE"], ["spot", "DOUBLE"], ["df", "DOUBLE"], ["t", "DOUBLE"]];
  for (const date of SESSIONS) {
    const surfaces = EXPIRIES.map((expiry) => {
      const t = days(date, expiry) / 365;
      // A flat slice: b = 0 leaves w(k) = a = σ²t.
      return { underlying: "XYZ", date, expiry, t, forward: SPOT * Math.exp((RATE - DIV) * t), a: VOL * VOL * t, b: 0, rho: 0, m: 0, sigma: 0.1, k_min: -0.25, k_max: 0.25, qc_status: "ok" };
    });
    const iv = EXPIRIES.flatMap((expiry) => {
      const t = days(date, expiry) / 365;
      return Array.from({ length: 41 }, (_, i) => ({ underlying: "XYZ", date, expiry, strike: 80 + i, spot: SPOT, df: Math.exp(-RATE * t), t }));
    });
    for (const [table, columns, rows] of [[OPTIONS_TABLES.surfaces, surfaceColumns, surfaces], [OPTIONS_TABLES.iv, ivColumns, iv]] as const) {
      const part = await parts.writeRows(columns, rows, { folder: sessionFolder(table, date), symbolColumn: "underlying" });
      await parts.commit(table, { kind: "append", add: [part] });
    }
  }
  const config = optionsCurationSchema.parse({ strategies: { tenors_days: [14, 21] } }).strategies;
  firstCommits = await writeStrategies({ duck, lake: lakeAccess(store), parts, kernels, config, sessions: SESSIONS });
  for (const table of [OPTIONS_TABLES.strategies, OPTIONS_TABLES.strategyPnl]) await createTableView(duck, store, table, { viewName: table.replace("curated/", "") });
  await parts.close();
}, 120_000);

afterAll(async () => {
  duck?.close();
  await kernels?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Row = Record<string, unknown>;
const num = (row: Row | undefined, key: string): number => Number(row?.[key]);

describe("option strategies on flat surfaces", () => {
  it("builds every structure per tenor and a calendar, and prices the straddle at the legs' Black prices", async () => {
    expect(Object.keys(firstCommits).sort()).toEqual([OPTIONS_TABLES.strategies, OPTIONS_TABLES.strategyPnl].sort());
    const names = await duck.rowsJs(`SELECT strategy, tenor_days, count(*) AS n FROM options_strategies WHERE date = '2026-12-07' GROUP BY ALL ORDER BY ALL`);
    expect(names.map((r) => `${String(r["strategy"])}@${num(r, "tenor_days")}`)).toEqual([
      "butterfly@14", "butterfly@21", "calendar@14", "call_vertical@14", "call_vertical@21", "put_vertical@14", "put_vertical@21",
      "risk_reversal@14", "risk_reversal@21", "straddle@14", "straddle@21", "strangle@14", "strangle@21",
    ]);
    for (const expiry of EXPIRIES) {
      const [row] = await duck.rowsJs(`SELECT price, legs FROM options_strategies WHERE date = '2026-12-07' AND strategy = 'straddle' AND expiry = '${expiry}'`);
      const t = days(SESSIONS[0], expiry) / 365;
      const forward = SPOT * Math.exp((RATE - DIV) * t);
      const df = Math.exp(-RATE * t);
      // ATM: the listed strike nearest the forward (100.1…, 100.2…).
      const legs = JSON.parse(String(row?.["legs"])) as { strike: number; vol: number }[];
      expect(legs.map((l) => l.strike)).toEqual([100, 100]);
      for (const leg of legs) expect(leg.vol).toBeCloseTo(VOL, 14);
      const black = (type: "call" | "put"): number => df * kernels.bsmOne({ spot: forward, strike: 100, t, rate: 0, div: 0, vol: VOL, type }).price;
      const expected = black("call") + black("put");
      expect(Math.abs(num(row, "price") / expected - 1)).toBeLessThanOrEqual(1e-12);
    }
    // The wings sit at the listed strikes whose deltas are nearest ±0.25 (a strike is worth about 0.03 of delta here).
    const [strangle] = await duck.rowsJs(`SELECT legs FROM options_strategies WHERE date = '2026-12-07' AND strategy = 'strangle' AND tenor_days = 14`);
    const wings = JSON.parse(String(strangle?.["legs"])) as { right: string; delta: number }[];
    expect(wings.map((l) => l.right)).toEqual(["P", "C"]);
    expect(Math.abs((wings[0]?.delta ?? 0) + 0.25)).toBeLessThan(0.03);
    expect(Math.abs((wings[1]?.delta ?? 0) - 0.25)).toBeLessThan(0.03);
  });

  it("re-marks each structure on the next session: attribution adds up, and with nothing moving the PnL is theta", async () => {
    const rows = await duck.rowsJs(`SELECT * REPLACE (mark_date::VARCHAR AS mark_date) FROM options_strategy_pnl ORDER BY strategy, tenor_days`);
    // Entered on the first session only: the second has no next session in this lake.
    expect(rows.length).toBe(13);
    for (const r of rows) {
      expect(r["mark_date"]).toBe("2026-12-08");
      expect(num(r, "dt")).toBe(1 / 365);
      expect(num(r, "delta_pnl")).toBe(0);
      expect(num(r, "delta_pnl") + num(r, "hedge_pnl")).toBe(0);
      expect(num(r, "gamma_pnl")).toBe(0);
      expect(Math.abs(num(r, "vega_pnl"))).toBeLessThan(1e-12);
      const explained = num(r, "gamma_pnl") + num(r, "vega_pnl") + num(r, "theta_pnl") + num(r, "residual");
      expect(Math.abs(explained - num(r, "pnl"))).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(num(r, "option_pnl") - (num(r, "price_next") - num(r, "price")))).toBeLessThanOrEqual(1e-12);
    }
    for (const r of rows.filter((x) => x["strategy"] === "straddle")) {
      expect(num(r, "theta_pnl")).toBeLessThan(0);
      expect(Math.abs(num(r, "pnl") / num(r, "theta_pnl") - 1)).toBeLessThanOrEqual(0.03);
    }
  });

  it("writes the same rows when the step runs again", async () => {
    const before = await duck.rowsJs(`SELECT * FROM options_strategy_pnl ORDER BY ALL`);
    const parts = new PartWriter({ session: duck, store });
    const config = optionsCurationSchema.parse({ strategies: { tenors_days: [14, 21] } }).strategies;
    await writeStrategies({ duck, lake: lakeAccess(store), parts, kernels, config, sessions: SESSIONS });
    await parts.close();
    await createTableView(duck, store, OPTIONS_TABLES.strategyPnl, { viewName: "options_strategy_pnl" });
    const after = await duck.rowsJs(`SELECT * FROM options_strategy_pnl ORDER BY ALL`);
    expect(after).toEqual(before);
  });
});

describe("attribution when the spot moves one standard deviation", () => {
  it("has gamma and theta cancel for an ATM straddle at zero rates (Θ = −½σ²S²Γ), leaving a small residual", () => {
    const move = SPOT * VOL * Math.sqrt(1 / 365);
    const slice = (date: string, spot: number): StrategySlice => {
      const t = days(date, EXPIRIES[0]) / 365;
      return {
        underlying: "XYZ", date, expiry: EXPIRIES[0], t, spot, forward: spot, df: 1, params: { a: VOL * VOL * t, b: 0, rho: 0, m: 0, sigma: 0.1 },
        kMin: -0.25, kMax: 0.25, strikes: Array.from({ length: 41 }, (_, i) => 80 + i),
      };
    };
    const [straddle] = buildStrategies(kernels, [slice(SESSIONS[0], SPOT)], { tenors_days: [14], wing_delta: 0.25 }).filter((s) => s.strategy === "straddle");
    if (straddle === undefined) throw new Error("no straddle");
    const row = remarkStrategy(kernels, straddle, [slice(SESSIONS[1], SPOT + move)]);
    if (row === undefined) throw new Error("not re-marked");
    expect(row.gamma_pnl).toBeGreaterThan(0);
    // ΔS² = σ²S²Δt, so ½ΓΔS² + ΘΔt = ½Γ(ΔS² − σ²S²Δt) = 0 up to rounding.
    expect(Math.abs(row.gamma_pnl + row.theta_pnl) / row.gamma_pnl).toBeLessThan(1e-9);
    expect(row.vega_pnl).toBe(0);
    // What is left is third order in ΔS (speed) and the ΔS²·Δt cross term: measured at 0.3 % of the gamma term for
    // this 1.6 % move on a 14-day straddle; held to 2 %.
    expect(Math.abs(row.residual) / row.gamma_pnl).toBeLessThan(0.02);
  });
});
