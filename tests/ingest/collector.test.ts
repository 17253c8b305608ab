// The edge collector end to end against the simulator, in-process: what lands in the lake, idempotent reruns,
// bad payloads quarantined, the simulated/real marker, the Polygon window clamp at the collector's call sites.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CURATE_TABLES, curateEquities } from "../../src/curate/curate-equities.ts";
import { addDays } from "../../src/domain/calendar/dates.ts";
import { runCollection } from "../../src/ingest/collector.ts";
import { lakeAccess } from "../../src/lake/lake-access.ts";
import { createFinnhub } from "../../src/vendors/finnhub.ts";
import { ensureLakeOrigin } from "../../src/ingest/ingest-lake.ts";
import { simConnectors } from "../../src/ingest/sim-connectors.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { bookmarkKey, readBookmark } from "../../src/lake/state.ts";
import { sessionsBetween } from "../../src/sim/market.ts";
import { startSimulator, type Simulator } from "../../src/sim/server.ts";
import { RateGovernor } from "../../src/vendors/governor.ts";
import { closeHttpPool } from "../../src/vendors/http.ts";
import { policiesFromLimits } from "../../src/vendors/policies.ts";
import { committedRows, keyCounts, tempDir } from "./helpers.ts";

const TODAY = "2026-11-20";
const THROUGH = "2026-11-19";
const UNIVERSE = ["AAPL", "MSFT", "SPY"];
let sim: Simulator;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  sim = await startSimulator({ today: TODAY, universe: UNIVERSE });
});
afterEach(() => {
  for (const v of ["alpaca", "polygon", "finnhub", "fred"] as const) sim.setFaults(v, undefined);
});
afterAll(async () => {
  await sim.close();
  await closeHttpPool();
  for (const c of cleanups) await c();
});

async function lake(): Promise<{ dir: string; store: LocalStore }> {
  const t = await tempDir("trademl-ingest-");
  cleanups.push(t.cleanup);
  return { dir: t.dir, store: new LocalStore({ root: t.dir }) };
}

function collect(store: LocalStore, datasets: { vendor: string; dataset: string }[], extra: { historyDays?: number } = {}) {
  const governor = new RateGovernor({ policies: policiesFromLimits(undefined, 1 / 120) });
  const runWith = (universe: readonly string[]) =>
    runCollection({ store, origin: "simulated", connectors: simConnectors(sim, governor), governor, universe, datasets, today: TODAY, historyDays: extra.historyDays ?? 20, minuteDays: 1, workers: 3, holder: "test" });
  return { governor, run: () => runWith(UNIVERSE), runWith };
}

describe("edge collector", () => {
  it("lands every session's bar once, with lineage, and a rerun fetches nothing", async () => {
    const { dir, store } = await lake();
    const datasets = [{ vendor: "alpaca", dataset: "equities_bars" }, { vendor: "finnhub", dataset: "equities_bars" }, { vendor: "fred", dataset: "treasury_curve" }];
    const first = await collect(store, datasets).run();
    expect(first.failed).toBe(0);
    expect(first.through).toBe(THROUGH);
    const sessions = sessionsBetween("2026-10-31", THROUGH);
    for (const vendor of ["alpaca", "finnhub"]) {
      const rows = await committedRows(dir, `raw/${vendor}/equities_bars`, "symbol, strftime(date, '%Y-%m-%d') AS d, close, source_name, source_uri");
      expect(rows).toHaveLength(UNIVERSE.length * sessions.length);
      expect([...keyCounts(rows, (r) => `${String(r["symbol"])}|${String(r["d"])}`).values()].every((n) => n === 1)).toBe(true);
      const aapl = rows.find((r) => r["symbol"] === "AAPL" && r["d"] === "2026-11-12");
      expect(aapl?.["close"]).toBe(sim.market.dailyBar("AAPL", "2026-11-12")?.close);
      expect(aapl?.["source_name"]).toBe(vendor);
      expect(String(aapl?.["source_uri"])).toContain(sim.url);
    }
    // The same daily bar from two vendors has the same key: vendors stamp daily bars differently, we do not.
    const stamps = async (vendor: string): Promise<unknown[]> =>
      (await committedRows(dir, `raw/${vendor}/equities_bars`, "symbol, epoch_ms(bar_time) AS ms")).map((r) => `${String(r["symbol"])}|${String(r["ms"])}`);
    expect(await stamps("alpaca")).toEqual(await stamps("finnhub"));
    const bookmark = await readBookmark(store, "alpaca", "equities_bars/AAPL");
    expect(bookmark?.value.through).toBe(THROUGH);
    const usageObject = await store.get(`state/usage/${TODAY}/alpaca.json`);
    const usageFile = JSON.parse(new TextDecoder().decode(usageObject?.body)) as { counters: Record<string, number> };
    expect(usageFile.counters["requests"]).toBeGreaterThan(0);
    expect(usageFile.counters["rows"]).toBe(UNIVERSE.length * sessions.length);

    const before = sim.log.length;
    const second = await collect(store, datasets).run();
    expect(second.units).toBe(0);
    expect(sim.log.length).toBe(before);
  });

  it("moves bookmarks on a pass with nothing to fetch when an earlier pass died between its commit and its bookmarks", async () => {
    // Found by the SIGKILL resume test: a kill after the commit but before the bookmarks moved left the data in
    // the lake and nothing to fetch, so no later pass ever moved those bookmarks.
    const { store } = await lake();
    const datasets = [{ vendor: "alpaca", dataset: "equities_bars" }];
    expect((await collect(store, datasets).run()).failed).toBe(0);
    for (const symbol of UNIVERSE) await store.delete(bookmarkKey("alpaca", `equities_bars/${symbol}`));
    expect(await readBookmark(store, "alpaca", "equities_bars/AAPL")).toBeUndefined();
    const before = sim.log.length;
    const again = await collect(store, datasets).run();
    expect(again.units).toBe(0);
    expect(sim.log.length).toBe(before);
    for (const symbol of UNIVERSE) expect((await readBookmark(store, "alpaca", `equities_bars/${symbol}`))?.value.through).toBe(THROUGH);
  });

  it("quarantines malformed responses and bad rows with reasons, and keeps going", async () => {
    const { dir, store } = await lake();
    sim.setFaults("alpaca", { badRows: true });
    sim.setFaults("polygon", { driftShare: 1 });
    sim.setFaults("finnhub", { malformedShare: 1 });
    const datasets = [{ vendor: "alpaca", dataset: "equities_bars" }, { vendor: "polygon", dataset: "equities_bars" }, { vendor: "finnhub", dataset: "equities_bars" }, { vendor: "fred", dataset: "treasury_curve" }];
    const report = await collect(store, datasets).run();
    // Alpaca: one negative low, one duplicate, one bar from 2009 per symbol's first page.
    expect(report.quarantined["negative_price"]).toBeGreaterThan(0);
    expect(report.quarantined["duplicate"]).toBeGreaterThan(0);
    expect(report.quarantined["out_of_range"]).toBeGreaterThan(0);
    expect(report.quarantined["schema"]).toBeGreaterThan(0);
    expect(report.quarantined["malformed_response"]).toBe(UNIVERSE.length);
    expect(report.vendors["finnhub"]?.quarantinedResponses).toBe(UNIVERSE.length);
    // The rest proceeded: FRED is complete and the good Alpaca rows are there, each once.
    const alpaca = await committedRows(dir, "raw/alpaca/equities_bars", "symbol, date, low");
    expect(alpaca.every((r) => Number(r["low"]) > 0)).toBe(true);
    expect([...keyCounts(alpaca, (r) => `${String(r["symbol"])}|${String(r["date"])}`).values()].every((n) => n === 1)).toBe(true);
    expect((await committedRows(dir, "raw/fred/treasury_curve", "series_id")).length).toBeGreaterThan(0);
    // Quarantine files carry the reason and the offending payload.
    const qdir = join(dir, "quarantine/raw/alpaca/equities_bars", `date=${TODAY}`);
    const parts = await readdir(qdir);
    expect(parts.length).toBeGreaterThan(0);
    const slot = (await readdir(join(qdir, parts[0] ?? ""))).sort().at(-1) ?? "";
    const q = JSON.parse(await readFile(join(qdir, parts[0] ?? "", slot), "utf8")) as { records: { reason: string; detail: string; raw: unknown }[] };
    expect(q.records.some((r) => r.reason === "negative_price" && r.detail.length > 0)).toBe(true);
    // The malformed Finnhub units were not committed, so the next pass asks again and completes.
    sim.setFaults("finnhub", undefined);
    const again = await collect(store, [{ vendor: "finnhub", dataset: "equities_bars" }]).run();
    expect(again.committed).toBe(UNIVERSE.length);
  });

  it("quarantines a symbol the lake cannot key, keeps the rest, and curation still runs", async () => {
    const { dir, store } = await lake();
    // The vendor answers MSFT's bars and actions under "MS:FT": valid JSON, but ":" is not allowed in a lake key
    // (and curation keys its parts by symbol). Before ingestion checked names, every `trademl curate` failed on it.
    sim.setFaults("alpaca", { renameSymbol: { from: "MSFT", to: "MS:FT" } });
    const report = await collect(store, [{ vendor: "alpaca", dataset: "equities_bars" }, { vendor: "alpaca", dataset: "corporate_actions" }], { historyDays: 400 }).run();
    expect(report.failed).toBe(0);
    expect(report.quarantined["bad_symbol"]).toBeGreaterThan(0);
    const bars = await committedRows(dir, "raw/alpaca/equities_bars", "symbol, strftime(date, '%Y-%m-%d') AS d");
    expect(new Set(bars.map((r) => String(r["symbol"])))).toEqual(new Set(["AAPL", "SPY"]));
    expect(keyCounts(bars, (r) => String(r["symbol"])).get("AAPL")).toBe(sessionsBetween(addDays(THROUGH, -399), THROUGH).length);
    // The quarantine keeps the row and says why.
    const qdir = join(dir, "quarantine/raw/alpaca/equities_bars", `date=${TODAY}`);
    const records: { reason: string; detail: string }[] = [];
    for (const part of await readdir(qdir)) {
      const slot = (await readdir(join(qdir, part))).sort().at(-1) ?? "";
      records.push(...(JSON.parse(await readFile(join(qdir, part, slot), "utf8")) as { records: { reason: string; detail: string }[] }).records);
    }
    expect(records.some((r) => r.reason === "bad_symbol" && r.detail.includes("MS:FT"))).toBe(true);
    // Curation runs over what was committed.
    const curated = await curateEquities({ lake: lakeAccess(store), sourcePriority: ["alpaca"] });
    expect(curated.partsWritten[CURATE_TABLES.adjusted]).toBeGreaterThan(0);
  });

  it("refuses a universe the lake cannot key before asking any vendor", async () => {
    const { store } = await lake();
    const before = sim.log.length;
    await expect(collect(store, [{ vendor: "alpaca", dataset: "equities_bars" }]).runWith(["AAPL", "BRK:B"])).rejects.toThrow(/BRK:B/);
    expect(sim.log.length).toBe(before);
  });

  it("refuses to mix simulated and real data in one lake", async () => {
    const { store } = await lake();
    await ensureLakeOrigin(store, "real");
    const governor = new RateGovernor({ policies: policiesFromLimits(undefined, 1 / 120) });
    await expect(runCollection({ store, origin: "simulated", connectors: simConnectors(sim, governor), governor, universe: UNIVERSE, today: TODAY })).rejects.toMatchObject({ code: "lake_origin_mismatch" });
    const { store: simLake } = await lake();
    await ensureLakeOrigin(simLake, "simulated");
    await expect(ensureLakeOrigin(simLake, "real")).rejects.toThrow(/holds simulated data/);
  });

  it("clamps Polygon to its two-year window from the collector too: a long history asks for no 403", async () => {
    const { dir, store } = await lake();
    const before = sim.log.length;
    const report = await collect(store, [{ vendor: "polygon", dataset: "corporate_actions" }], { historyDays: 4 * 365 }).run();
    expect(report.failed).toBe(0);
    const polygon = sim.log.slice(before).filter((e) => e.vendor === "polygon");
    expect(polygon.length).toBeGreaterThan(0);
    expect(polygon.filter((e) => e.status === 403)).toEqual([]);
    // Every request's date filter starts inside the window.
    for (const e of polygon) {
      const gte = new URL(e.path, sim.url).searchParams.get("ex_dividend_date.gte") ?? new URL(e.path, sim.url).searchParams.get("execution_date.gte");
      expect(gte !== null && gte >= "2024-11-21").toBe(true);
    }
    const rows = await committedRows(dir, "raw/polygon/corporate_actions", "strftime(ex_date, '%Y-%m-%d') AS d");
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => String(r["d"]) >= "2024-11-21")).toBe(true);
  });

  it("samples options for the top-ADV underliers only, nearest expiries, capped per underlying", async () => {
    const { dir, store } = await lake();
    const governor = new RateGovernor({ policies: policiesFromLimits(undefined, 1 / 120) });
    const connectors = simConnectors(sim, governor);
    await runCollection({ store, origin: "simulated", connectors, governor, universe: UNIVERSE, datasets: [{ vendor: "alpaca", dataset: "equities_bars" }], today: TODAY, historyDays: 20, holder: "t" });
    const report = await runCollection({
      store, origin: "simulated", connectors, governor, universe: UNIVERSE, datasets: [{ vendor: "polygon", dataset: "options_contracts" }], today: TODAY,
      optionUnderliers: 1, tuning: { optionExpiryDays: 14, maxContractsPerUnderlying: 50 }, holder: "t",
    });
    expect(report.committed).toBe(1);
    const rows = await committedRows(dir, "raw/polygon/options_contracts", "underlying, strftime(expiry, '%Y-%m-%d') AS expiry");
    // The most liquid symbol by average close × volume over the collected bars.
    const adv = (s: string): number => {
      const bars = sim.market.dailyBars(s, "2026-10-31", THROUGH);
      return bars.reduce((a, b) => a + b.close * b.volume, 0) / bars.length;
    };
    const top = [...UNIVERSE].sort((a, b) => adv(b) - adv(a))[0];
    expect(new Set(rows.map((r) => r["underlying"]))).toEqual(new Set([top]));
    expect(rows.length).toBeLessThanOrEqual(50);
    expect(rows.every((r) => String(r["expiry"]) <= "2026-12-03")).toBe(true);
  });

  it("flags Polygon closes that disagree beyond the threshold and minute sessions with missing rows, with a fallback fetch", async () => {
    const { store } = await lake();
    const governor = new RateGovernor({ policies: policiesFromLimits(undefined, 1 / 120) });
    const connectors = simConnectors(sim, governor);
    const base = { store, origin: "simulated" as const, connectors, governor, universe: ["MSFT"], today: TODAY, historyDays: 10, minuteDays: 1, holder: "qc" };
    await runCollection({ ...base, datasets: [{ vendor: "alpaca", dataset: "equities_bars" }] });
    // 5 bps apart: inside the 15 bps threshold, no note.
    sim.setFaults("polygon", { skewBps: 5 });
    const quiet = await runCollection({ ...base, datasets: [{ vendor: "polygon", dataset: "equities_bars" }], historyDays: 5 });
    expect(quiet.qc.qc_checked).toBeGreaterThan(0);
    expect(quiet.qc.qc_close_mismatch).toBe(0);
    // 40 bps apart on the older days, and 20 rows short on the minute session.
    sim.setFaults("polygon", { skewBps: 40 });
    const loud = await runCollection({ ...base, datasets: [{ vendor: "polygon", dataset: "equities_bars" }] });
    // The days the quiet pass did not cover: 2026-11-10 .. 2026-11-14.
    expect(loud.qc.qc_close_mismatch).toBe(sessionsBetween("2026-11-10", "2026-11-14").length);
    const close = loud.qc.notes.find((n) => n.kind === "close_mismatch");
    expect(close?.detail["fallback_agrees_with"]).toBe("alpaca");
    expect(Number(close?.detail["diff_bps"])).toBeGreaterThan(15);
    sim.setFaults("polygon", { dropRows: 20 });
    const gaps = await runCollection({ ...base, datasets: [{ vendor: "polygon", dataset: "equities_minute" }] });
    const minute = gaps.qc.notes.find((n) => n.kind === "minute_rows");
    expect(minute?.detail["polygon_rows"]).toBe(370);
    expect(minute?.detail["fallback_rows"]).toBe(390);
    expect(loud.qc.qc_fallback_fetches + gaps.qc.qc_fallback_fetches).toBe(loud.qc.qc_close_mismatch + gaps.qc.qc_minute_gap);
    const notes: string[] = [];
    for await (const e of store.list(`qc/ingest_notes/date=${TODAY}/`)) notes.push(e.key);
    expect(notes.length).toBe(loud.qc.notes.length + gaps.qc.notes.length);
    const usage = JSON.parse(new TextDecoder().decode((await store.get(`state/usage/${TODAY}/polygon.json`))?.body)) as { counters: Record<string, number> };
    expect(usage.counters["qc_close_mismatch"]).toBe(loud.qc.qc_close_mismatch);
    expect(usage.counters["qc_minute_gap"]).toBe(gaps.qc.qc_minute_gap);
  });

  it("stops asking after a 403 entitlement answer and after the daily budget is spent, and reports both", async () => {
    const { store } = await lake();
    const governor = new RateGovernor({ policies: { ...policiesFromLimits(undefined, 1 / 120), alpaca: { ...policiesFromLimits(undefined, 1 / 120)["alpaca"], rules: [{ limit: 100, windowMs: 1000 }], maxInflight: 1, dailyBudget: 2 } } });
    const connectors = { ...simConnectors(sim, governor), finnhub: createFinnhub({ governor, baseUrl: sim.baseUrl("finnhub"), apiKey: "free-plan-key" }) };
    const before = sim.log.length;
    const report = await runCollection({
      store, origin: "simulated", connectors, governor, universe: UNIVERSE, today: TODAY, historyDays: 20, batchSize: 1, holder: "stops",
      datasets: [{ vendor: "finnhub", dataset: "options_chains" }, { vendor: "alpaca", dataset: "equities_bars" }],
    });
    const log = sim.log.slice(before);
    expect(log.filter((e) => e.vendor === "finnhub")).toHaveLength(1);
    expect(log.filter((e) => e.vendor === "alpaca")).toHaveLength(2);
    expect(report.skipped.some((s) => s.table === "raw/finnhub/options_chains" && /not entitled/.test(s.reason))).toBe(true);
    expect(report.skipped.some((s) => s.vendor === "alpaca" && /daily budget of 2/.test(s.reason))).toBe(true);
    expect(report.committed).toBe(2);
  });
});
