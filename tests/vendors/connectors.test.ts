// Every connector against the loopback simulator: paging, normalisation, lineage, error bodies.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeHttpPool } from "../../src/vendors/http.ts";
import { createAlpaca } from "../../src/vendors/alpaca.ts";
import { clampToWindow, createPolygon } from "../../src/vendors/polygon.ts";
import { createFinnhub } from "../../src/vendors/finnhub.ts";
import { createFred } from "../../src/vendors/fred.ts";
import { EntitlementError, MalformedResponseError, VendorAuthError } from "../../src/vendors/errors.ts";
import { startSimulator, type Simulator } from "../../src/sim/server.ts";
import { sessionsBetween } from "../../src/sim/market.ts";
import { FIXED_NOW, TODAY, fastGovernor } from "./helpers.ts";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ today: TODAY, seed: 11 });
});
afterAll(async () => {
  await sim.close();
  await closeHttpPool();
});

describe("alpaca connector", () => {
  it("pages multi-symbol daily bars with page_token and returns every session once, with lineage", async () => {
    const governor = fastGovernor();
    const alpaca = createAlpaca({ governor, baseUrl: sim.baseUrl("alpaca"), keyId: "kid", secretKey: "sec", pageLimit: 7, now: FIXED_NOW });
    const res = await alpaca.stockBars({ symbols: ["MSFT", "AAPL"], timeframe: "1d", start: "2026-10-01", end: "2026-10-31" });
    const sessions = sessionsBetween("2026-10-01", "2026-10-31");
    expect(res.rows).toHaveLength(2 * sessions.length);
    expect(res.pages).toBe(Math.ceil((2 * sessions.length) / 7));
    expect(res.rejected).toEqual([]);
    const aapl = res.rows.filter((r) => r.symbol === "AAPL").map((r) => r.date);
    expect(aapl).toEqual(sessions);
    const truth = sim.market.dailyBar("AAPL", "2026-10-15");
    const row = res.rows.find((r) => r.symbol === "AAPL" && r.date === "2026-10-15");
    expect(row?.close).toBe(truth?.close);
    expect(row?.source_name).toBe("alpaca");
    expect(row?.source_uri).toBe(`${sim.baseUrl("alpaca")}/v2/stocks/bars`);
    expect(row?.ingested_at).toBe(FIXED_NOW().toISOString());
    expect(governor.usage("alpaca")[FIXED_NOW().toISOString().slice(0, 10)] ?? governor.usage("alpaca")[new Date().toISOString().slice(0, 10)]).toBeDefined();
  });

  it("returns minute bars inside the session and corporate actions as splits and dividends", async () => {
    const alpaca = createAlpaca({ governor: fastGovernor(), baseUrl: sim.baseUrl("alpaca"), keyId: "kid", secretKey: "sec" });
    const minutes = await alpaca.stockBars({ symbols: ["NVDA"], timeframe: "1m", start: "2026-11-16", end: "2026-11-16" });
    expect(minutes.rows).toHaveLength(390);
    expect(new Set(minutes.rows.map((r) => r.date))).toEqual(new Set(["2026-11-16"]));
    const actions = await alpaca.corporateActions({ symbols: ["AAPL", "MSFT", "NVDA", "AMZN", "SPY"], start: "2024-01-01", end: "2026-11-19" });
    const truthSplits = ["AAPL", "MSFT", "NVDA", "AMZN", "SPY"].flatMap((s) => sim.market.splits(s, "2024-01-01", "2026-11-19"));
    const truthDivs = ["AAPL", "MSFT", "NVDA", "AMZN", "SPY"].flatMap((s) => sim.market.dividends(s, "2024-01-01", "2026-11-19"));
    expect(actions.rows.filter((r) => r.action === "split").map((r) => [r.symbol, r.ex_date, r.ratio])).toEqual(truthSplits.map((e) => [e.symbol, e.exDate, e.ratio]));
    expect(actions.rows.filter((r) => r.action === "cash_dividend")).toHaveLength(truthDivs.length);
    expect(truthSplits.length + truthDivs.length).toBeGreaterThan(0);
  });

  it("reads option snapshots into OCC-parsed quotes", async () => {
    const alpaca = createAlpaca({ governor: fastGovernor(), baseUrl: sim.baseUrl("alpaca"), keyId: "kid", secretKey: "sec" });
    const res = await alpaca.optionSnapshots({ underlying: "SPY", quoteDate: "2026-11-19" });
    expect(res.rows.length).toBeGreaterThan(100);
    const q = res.rows[0];
    expect(q?.contract.startsWith("SPY")).toBe(true);
    expect(q && q.ask !== null && q.bid !== null && q.ask >= q.bid).toBe(true);
    expect(q?.iv).toBeGreaterThan(0);
  });

  it("turns a missing key into an auth error, not a retry loop", async () => {
    const governor = fastGovernor();
    const alpaca = createAlpaca({ governor, baseUrl: sim.baseUrl("alpaca"), keyId: "", secretKey: "" });
    await expect(alpaca.stockBars({ symbols: ["AAPL"], timeframe: "1d", start: "2026-11-02", end: "2026-11-03" })).rejects.toBeInstanceOf(VendorAuthError);
    const today = Object.values(governor.usage("alpaca"))[0];
    expect(today?.requests).toBe(1);
  });
});

describe("polygon connector", () => {
  it("follows next_url (re-attaching the key) for aggregates and matches the market", async () => {
    const polygon = createPolygon({ governor: fastGovernor(), baseUrl: sim.baseUrl("polygon"), apiKey: "pk", pageLimit: 5, today: () => TODAY });
    const res = await polygon.aggregates({ ticker: "MSFT", timeframe: "1d", start: "2026-09-01", end: "2026-10-30" });
    const sessions = sessionsBetween("2026-09-01", "2026-10-30");
    expect(res.rows.map((r) => r.date)).toEqual(sessions);
    expect(res.pages).toBe(Math.ceil(sessions.length / 5));
    expect(res.rows.at(-1)?.close).toBe(sim.market.dailyBar("MSFT", "2026-10-30")?.close);
    // Keys never reach the simulator's log in the clear, and next_url requests carried one (else 401).
    expect(sim.log.some((e) => e.path.includes("pk"))).toBe(false);
  });

  it("clamps every call site to the two-year window instead of asking for a 403", async () => {
    const polygon = createPolygon({ governor: fastGovernor(), baseUrl: sim.baseUrl("polygon"), apiKey: "pk", today: () => TODAY });
    const before = sim.log.length;
    const aggs = await polygon.aggregates({ ticker: "AAPL", timeframe: "1d", start: "2015-01-01", end: "2026-11-19" });
    expect(aggs.window?.clamped).toBe(true);
    expect(aggs.rows[0]?.date).toBe(sessionsBetween(aggs.window?.start ?? "", "2026-11-19")[0]);
    const splits = await polygon.splits({ start: "2010-01-01", end: "2026-11-19" });
    const divs = await polygon.dividends({ start: "2010-01-01", end: "2026-11-19", ticker: "MSFT" });
    const contracts = await polygon.optionContracts({ underlying: "SPY", asOf: "2019-01-01", expiryUntil: "2026-12-31", maxContracts: 10 });
    // as_of moved into the window: the listing is the one on the window's first day.
    expect(contracts.rows.length).toBeGreaterThan(0);
    expect(contracts.rows.every((r) => r.as_of === "2024-11-21" && r.expiry >= "2024-11-21")).toBe(true);
    expect(splits.rows.every((r) => r.ex_date >= "2024-11-21")).toBe(true);
    expect(divs.rows.length).toBeGreaterThanOrEqual(0);
    const statuses = sim.log.slice(before).map((e) => e.status);
    expect(statuses.filter((s) => s === 403)).toEqual([]);
    // A range wholly older than the window costs no request at all.
    const n = sim.log.length;
    expect((await polygon.aggregates({ ticker: "AAPL", timeframe: "1d", start: "2015-01-01", end: "2016-01-01" })).pages).toBe(0);
    expect(sim.log.length).toBe(n);
    expect(clampToWindow("2020-01-01", "2026-01-01", TODAY)?.start).toBe("2024-11-21");
  });

  it("persists where ticker paging stopped so the next run continues from the cursor", async () => {
    const polygon = createPolygon({ governor: fastGovernor(), baseUrl: sim.baseUrl("polygon"), apiKey: "pk", today: () => TODAY });
    const first = await polygon.tickers({ maxPages: 1 });
    expect(first.rows).toHaveLength(5);
    expect(first.nextCursor).toBeUndefined();
    const sim2 = await startSimulator({ today: TODAY, universe: Array.from({ length: 2500 }, (_, i) => `T${String.fromCharCode(65 + (i % 26))}${i}`.replace(/\d/g, (d) => String.fromCharCode(65 + Number(d)))) });
    try {
      const p2 = createPolygon({ governor: fastGovernor(), baseUrl: sim2.baseUrl("polygon"), apiKey: "pk", today: () => TODAY });
      const a = await p2.tickers({ maxPages: 1 });
      expect(a.rows).toHaveLength(1000);
      expect(a.nextCursor).toBeDefined();
      const b = await p2.tickers({ cursor: a.nextCursor, maxPages: 5 });
      expect(b.rows).toHaveLength(1500);
      expect(new Set([...a.rows, ...b.rows].map((r) => r.symbol)).size).toBe(2500);
    } finally {
      await sim2.close();
    }
  });

  it("lists option contracts nearest-expiry first and caps them", async () => {
    const polygon = createPolygon({ governor: fastGovernor(), baseUrl: sim.baseUrl("polygon"), apiKey: "pk", today: () => TODAY });
    const res = await polygon.optionContracts({ underlying: "AAPL", asOf: "2026-11-19", expiryUntil: "2026-12-31", maxContracts: 40 });
    expect(res.rows).toHaveLength(40);
    const expiries = res.rows.map((r) => r.expiry);
    expect([...expiries].sort()).toEqual(expiries);
  });
});

describe("finnhub connector", () => {
  it("reads candles and an option chain with IV as a decimal", async () => {
    const finnhub = createFinnhub({ governor: fastGovernor(), baseUrl: sim.baseUrl("finnhub"), apiKey: "fk" });
    const candles = await finnhub.candles({ symbol: "AMZN", start: "2026-11-02", end: "2026-11-13" });
    expect(candles.rows.map((r) => r.date)).toEqual(sessionsBetween("2026-11-02", "2026-11-13"));
    expect(candles.rows[0]?.close).toBe(sim.market.dailyBar("AMZN", "2026-11-02")?.close);
    const chain = await finnhub.optionChain({ symbol: "AMZN" });
    expect(chain.rows.length).toBeGreaterThan(50);
    const q = chain.rows[0];
    expect(q?.iv).toBeGreaterThan(0.05);
    expect(q?.iv).toBeLessThan(2);
  });

  it("takes a 403 as an entitlement answer: no retry, and no second request", async () => {
    const finnhub = createFinnhub({ governor: fastGovernor(), baseUrl: sim.baseUrl("finnhub"), apiKey: "free-plan" });
    const before = sim.log.filter((e) => e.vendor === "finnhub").length;
    await expect(finnhub.optionChain({ symbol: "AAPL" })).rejects.toBeInstanceOf(EntitlementError);
    await expect(finnhub.optionChain({ symbol: "MSFT" })).rejects.toBeInstanceOf(EntitlementError);
    expect(sim.log.filter((e) => e.vendor === "finnhub").length - before).toBe(1);
    expect(finnhub.denied.has("/api/v1/stock/option-chain")).toBe(true);
  });
});

describe("fred connector", () => {
  it("pages observations by offset, keeps '.' as null and carries vintages", async () => {
    const fred = createFred({ governor: fastGovernor(), baseUrl: sim.baseUrl("fred"), apiKey: "fredkey", pageLimit: 50 });
    const res = await fred.observations({ seriesId: "DGS10", start: "2026-01-01", end: "2026-11-19", realtimeStart: "2026-01-01", realtimeEnd: "2026-11-19" });
    expect(res.pages).toBeGreaterThan(3);
    expect(res.rows.length).toBeGreaterThan(200);
    expect(new Set(res.rows.map((r) => r.date)).size).toBe(res.rows.length);
    const holiday = res.rows.find((r) => r.date === "2026-07-03");
    expect(holiday?.value).toBeNull();
    const normal = res.rows.find((r) => r.value !== null);
    expect(normal?.value).toBe(sim.market.treasuryYield("DGS10", normal?.date ?? ""));
    expect(res.rows.every((r) => r.realtime_start > r.date)).toBe(true);
  });

  it("rejects a drifted envelope as malformed and quarantines rows with wrong types", async () => {
    sim.setFaults("fred", { driftShare: 1 });
    try {
      const fred = createFred({ governor: fastGovernor(), baseUrl: sim.baseUrl("fred"), apiKey: "fredkey" });
      const res = await fred.observations({ seriesId: "DGS2", start: "2026-11-02", end: "2026-11-06" });
      expect(res.rows).toHaveLength(0);
      expect(res.rejected.length).toBeGreaterThan(0);
      expect(res.rejected[0]?.reason).toBe("schema");
    } finally {
      sim.setFaults("fred", undefined);
    }
    sim.setFaults("polygon", { malformedShare: 1 });
    try {
      const polygon = createPolygon({ governor: fastGovernor({ maxRetries: 1 }), baseUrl: sim.baseUrl("polygon"), apiKey: "pk", today: () => TODAY });
      await expect(polygon.aggregates({ ticker: "AAPL", timeframe: "1d", start: "2026-11-02", end: "2026-11-06" })).rejects.toBeInstanceOf(MalformedResponseError);
    } finally {
      sim.setFaults("polygon", undefined);
    }
  });
});
