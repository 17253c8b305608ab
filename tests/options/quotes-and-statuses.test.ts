/**
 * The options pass on hand-made raw chains (real DuckDB, a real local lake): one row per contract and session by
 * source priority, the quarantine reasons (crossed, locked, zero bid, stale, expired), and IV statuses that are
 * never a silent NaN (at or below intrinsic, zero price, T ≤ 0, a missing forward), through the SQL functions and
 * the batch API alike.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { optionsCurationSchema } from "../../src/config/schemas/options.ts";
import { PartWriter } from "../../src/db/part-writer.ts";
import { writeRawParts } from "../../src/db/raw-parts.ts";
import { DuckSession } from "../../src/db/session.ts";
import { createKernels, type Kernels } from "../../src/kernels/index.ts";
import { forwardIvStatusName, impliedVolForward } from "../../src/kernels/implied-vol-forward.ts";
import { lakeAccess } from "../../src/lake/lake-access.ts";
import { rawTable } from "../../src/lake/keys.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { curateOptions, type OptionsReport } from "../../src/options/curate-options.ts";
import { OPTIONS_TABLES } from "../../src/options/options-tables.ts";
import { sessionOn } from "../../src/domain/calendar/index.ts";

const SESSION = "2024-06-04";
const EXPIRY = "2024-07-19";
const closeMs = sessionOn(SESSION)?.closeMs ?? 0;
const at = (minutesBeforeClose: number): string => new Date(closeMs - minutesBeforeClose * 60_000).toISOString();

let dir: string;
let store: LocalStore;
let duck: DuckSession;
let kernels: Kernels;
let report: OptionsReport;

function quote(over: Record<string, unknown>): Record<string, unknown> {
  return {
    underlying: "XYZ", contract: "XYZ240719C00100000", quote_date: SESSION, expiry: EXPIRY, strike: 100, right: "C", bid: 4.9, ask: 5.1,
    last: 5, iv: null, delta: null, open_interest: 10, volume: 1, quote_time: at(1), source_name: "test", source_uri: "test://", ingested_at: "2024-06-04T21:00:00.000Z",
    ...over,
  };
}

async function writeRaw(writer: PartWriter, vendor: string, dataset: string, records: Record<string, unknown>[]): Promise<void> {
  const table = rawTable(vendor, dataset);
  const parts = await writeRawParts(writer, { table, dataset, records });
  await writer.commit(table, { kind: "append", add: parts });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "trademl-options-quotes-"));
  store = new LocalStore({ root: dir });
  duck = await DuckSession.create();
  const writer = new PartWriter({ session: duck, store });
  const c = (strike: number): string => `XYZ240719C${String(strike * 1000).padStart(8, "0")}`;
  const p = (strike: number): string => `XYZ240719P${String(strike * 1000).padStart(8, "0")}`;
  await writeRaw(writer, "alpaca", "options_chains", [
    quote({}), quote({ contract: p(100), right: "P", bid: 4.3, ask: 4.5 }),
    quote({ contract: c(105), strike: 105, bid: 2.6, ask: 2.4 }), // crossed at Alpaca; Finnhub's clean quote wins
    quote({ contract: c(110), strike: 110, bid: 1.0, ask: 1.0 }), // locked
    quote({ contract: c(150), strike: 150, bid: 0, ask: 0.02 }), // zero bid
    quote({ contract: c(95), strike: 95, bid: 7.9, ask: 8.1, quote_time: at(24 * 60) }), // stale: a day old
    quote({ contract: "XYZ240604C00100000", expiry: SESSION, bid: 0.1, ask: 0.2 }), // expires on the session
    quote({ contract: c(50), strike: 50, bid: 40, ask: 40.2 }), // ITM call quoted below intrinsic (F ≈ 100.5)
  ]);
  await writeRaw(writer, "finnhub", "options_chains", [
    quote({ bid: 4.0, ask: 6.0, quote_time: null }), // loses to Alpaca's clean quote on priority
    quote({ contract: c(105), strike: 105, bid: 2.4, ask: 2.6, quote_time: null }),
  ]);
  // ABC: calls only (no parity), so its forward is carried from its close and its dividends: one announced
  // (pending) and one from last year that projects past the announced one, both before expiry.
  await writeRaw(writer, "alpaca", "options_chains", [
    quote({ underlying: "ABC", contract: "ABC240719C00050000", strike: 50, bid: 2.0, ask: 2.2 }),
    quote({ underlying: "ABC", contract: "ABC240719C00055000", strike: 55, bid: 0.5, ask: 0.6 }),
  ]);
  const bars = await writer.writeRows([["symbol", "VARCHAR"], ["date", "DATE"], ["bar_time", "TIMESTAMP"], ["close", "DOUBLE"]],
    [{ symbol: "ABC", date: SESSION, bar_time: `${SESSION}T00:00:00.000Z`, close: 51.2 }, { symbol: "XYZ", date: SESSION, bar_time: `${SESSION}T00:00:00.000Z`, close: 100 }],
    { folder: "curated/equities_ohlcv_adj/delta" });
  await writer.commit("curated/equities_ohlcv_adj", { kind: "append", add: [bars] });
  const actions = await writer.writeRows([["symbol", "VARCHAR"], ["ex_date", "DATE"], ["action_type", "VARCHAR"], ["amount", "DOUBLE"], ["ratio", "DOUBLE"]], [
    { symbol: "ABC", ex_date: "2024-06-20", action_type: "dividend", amount: 0.3, ratio: null }, // announced
    { symbol: "ABC", ex_date: "2023-07-01", action_type: "dividend", amount: 0.25, ratio: null }, // projects to 2024-06-30
    { symbol: "ABC", ex_date: "2023-06-10", action_type: "dividend", amount: 0.2, ratio: null }, // projects to 2024-06-09: before the announced one, dropped
    { symbol: "ABC", ex_date: "2024-01-10", action_type: "split", amount: null, ratio: 2 },
  ], { folder: "curated/corporate_actions" });
  await writer.commit("curated/corporate_actions", { kind: "append", add: [actions] });
  await writeRaw(writer, "fred", "treasury_curve", ["DGS1MO", "DGS3MO", "DGS6MO", "DGS1"].map((series_id) => ({
    series_id, date: "2024-06-03", value: 5.3, realtime_start: "2024-06-04", realtime_end: "2024-06-04", source_name: "test", source_uri: "test://", ingested_at: "2024-06-04T12:00:00.000Z",
  })));
  await writer.close();
  report = await curateOptions({ lake: lakeAccess(store), config: optionsCurationSchema.parse({}) });
  for (const table of Object.values(OPTIONS_TABLES)) {
    const manifest = await lakeAccess(store).readManifest(table);
    if (manifest === undefined) continue;
    const paths = await lakeAccess(store).localPaths(manifest.files, table);
    await duck.run(`CREATE OR REPLACE VIEW ${table.replace(/^curated\//, "").replace("/", "_")} AS SELECT * FROM read_parquet([${paths.map((x) => `'${x}'`).join(", ")}])`);
  }
  kernels = await createKernels();
}, 120_000);

afterAll(async () => {
  duck?.close();
  await kernels?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("options quotes", () => {
  it("merges vendors by priority and quarantines crossed, locked, zero-bid, stale and expired quotes with reasons", async () => {
    expect(report.sessions).toEqual([SESSION]);
    const clean = await duck.rowsJs(`SELECT contract, source, bid, ask FROM options_quotes ORDER BY contract`);
    const byContract = new Map(clean.map((r) => [String(r["contract"]), r]));
    expect(byContract.get("XYZ240719C00100000")?.["source"]).toBe("alpaca");
    expect(byContract.get("XYZ240719C00105000")?.["source"]).toBe("finnhub");
    const quarantined = await duck.rowsJs(`SELECT contract, reasons FROM quarantine_options_quotes ORDER BY contract`);
    expect(Object.fromEntries(quarantined.map((r) => [String(r["contract"]), String(r["reasons"])]))).toEqual({
      XYZ240604C00100000: "expired",
      XYZ240719C00095000: "stale",
      XYZ240719C00110000: "locked",
      XYZ240719C00150000: "zero_bid",
    });
  });

  it("gives every IV row a status: parity forward, below intrinsic, zero bid, expired", async () => {
    const rows = await duck.rowsJs(`SELECT contract, status, status_bid, iv_mid, forward_source, forward FROM options_iv ORDER BY contract`);
    const status = Object.fromEntries(rows.map((r) => [String(r["contract"]), String(r["status"])]));
    expect(status["XYZ240719C00050000"]).toBe("below_intrinsic");
    expect(status["XYZ240719C00150000"]).toBe("zero_bid");
    expect(status["XYZ240604C00100000"]).toBe("expired");
    expect(status["XYZ240719C00100000"]).toBe("ok");
    for (const r of rows) if (r["iv_mid"] === null) expect(r["status"]).not.toBe("ok");
    const zero = rows.find((r) => r["contract"] === "XYZ240719C00150000");
    expect(zero?.["status_bid"]).toBe("zero_price");
    // Both sides trade at 100: F = K + (C − P)/DF.
    const atm = rows.find((r) => r["contract"] === "XYZ240719C00100000");
    expect(atm?.["forward_source"]).toBe("parity");
    const df = Math.exp(-2 * Math.log(1 + 5.3 / 200) * (45 / 365));
    expect(Number(atm?.["forward"])).toBeCloseTo(100 + (5.0 - 4.4) / df, 10);
  });

  it("carries the forward from the close and the projected dividends where no put-call pair trades", async () => {
    const [row] = await duck.rowsJs(`SELECT DISTINCT forward, forward_source, spot, pv_dividends, rate, t FROM options_iv WHERE underlying = 'ABC'`);
    expect(row?.["forward_source"]).toBe("carry");
    expect(row?.["spot"]).toBe(51.2);
    const r = 2 * Math.log(1 + 5.3 / 200);
    const pv = 0.3 * Math.exp((-r * 16) / 365) + 0.25 * Math.exp((-r * 26) / 365);
    expect(Number(row?.["pv_dividends"])).toBeCloseTo(pv, 12);
    expect(Number(row?.["forward"])).toBeCloseTo((51.2 - pv) / Math.exp((-r * 45) / 365), 10);
  });

  it("names each edge case the same way in SQL and in the batch API, with the same bits", async () => {
    const cases = [
      { price: 5, forward: 100, strike: 100, t: 0.5, df: 0.98, isCall: 1 }, // ok
      { price: 0, forward: 100, strike: 120, t: 0.5, df: 0.98, isCall: 1 }, // zero price
      { price: 2, forward: 100, strike: 100, t: 0, df: 1, isCall: 1 }, // T = 0
      { price: 2, forward: 100, strike: 100, t: -0.1, df: 1, isCall: 0 }, // T < 0
      { price: 0.98 * 10, forward: 110, strike: 100, t: 0.5, df: 0.98, isCall: 1 }, // exactly intrinsic
      { price: 9, forward: 110, strike: 100, t: 0.5, df: 0.98, isCall: 1 }, // below intrinsic
      { price: 150, forward: 100, strike: 100, t: 0.5, df: 0.98, isCall: 1 }, // above the maximum
    ];
    const batch = impliedVolForward(kernels, {
      price: Float64Array.from(cases, (c) => c.price), forward: Float64Array.from(cases, (c) => c.forward), strike: Float64Array.from(cases, (c) => c.strike),
      t: Float64Array.from(cases, (c) => c.t), df: Float64Array.from(cases, (c) => c.df), isCall: Uint8Array.from(cases, (c) => c.isCall),
    });
    const names = Array.from(batch.status, forwardIvStatusName);
    expect(names).toEqual(["ok", "zero_price", "expired", "expired", "below_intrinsic", "below_intrinsic", "above_maximum"]);
    const values = cases.map((c) => `(${c.price}::DOUBLE, ${c.forward}::DOUBLE, ${c.strike}::DOUBLE, ${c.t}::DOUBLE, ${c.df}::DOUBLE, ${c.isCall === 1})`).join(", ");
    const sql = await duck.rowsJs(`SELECT implied_vol_fwd(p, f, k, t, df, c) AS v, implied_vol_fwd_status(p, f, k, t, df, c) AS s FROM (VALUES ${values}) AS x(p, f, k, t, df, c)`);
    expect(sql.map((r) => r["s"])).toEqual(names);
    expect(Object.is(sql[0]?.["v"], batch.vol[0])).toBe(true);
    expect(sql.slice(1).every((r) => r["v"] === null)).toBe(true);
    // The forward form is the spot form with S = F, r = q = 0 on the undiscounted price.
    const spot = kernels.impliedVol({ price: 5 / 0.98, spot: 100, strike: 100, t: 0.5, rate: 0, div: 0, isCall: true });
    expect(Object.is(spot.vol[0], batch.vol[0])).toBe(true);
    const missing = await duck.rowsJs(`SELECT implied_vol_fwd_status(5, NULL, 100, 0.5, 0.98, true) AS s, implied_vol_fwd(5, NULL, 100, 0.5, 0.98, true) AS v`);
    expect(missing[0]).toEqual({ s: "missing_input", v: null });
  });
});
