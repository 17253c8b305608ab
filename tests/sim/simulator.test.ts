// The vendor simulator itself: loopback only, deterministic, the market it models (splits, dividends, a known
// smile), sliding-window limits with vendor-shaped 429s, and every misbehaviour on request.
import { networkInterfaces } from "node:os";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bsm } from "../../src/sim/bsm.ts";
import { SyntheticMarket, sessionsBetween } from "../../src/sim/market.ts";
import { startSimulator, type Simulator } from "../../src/sim/server.ts";
import { parseIsoDate } from "../../src/domain/calendar/dates.ts";

const TODAY = "2026-11-20";
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ today: TODAY });
});
afterAll(async () => {
  await sim.close();
});

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const res = await request(url, { headers });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

describe("vendor simulator", () => {
  it("listens on 127.0.0.1 only", async () => {
    expect(new URL(sim.url).hostname).toBe("127.0.0.1");
    const external = Object.values(networkInterfaces()).flat().find((i) => i && i.family === "IPv4" && !i.internal);
    if (external) {
      const port = new URL(sim.url).port;
      await expect(request(`http://${external.address}:${port}/fred/fred/series/observations`, { headersTimeout: 2000 })).rejects.toThrow();
    }
  });

  it("serves the same bytes for the same seed and different prices for another", async () => {
    const other = await startSimulator({ today: TODAY });
    const third = await startSimulator({ today: TODAY, seed: 8 });
    try {
      const path = "/polygon/v2/aggs/ticker/NVDA/range/1/day/2026-10-01/2026-10-31?apiKey=k";
      const a = await get(`${sim.url}${path}`);
      const b = await get(`${other.url}${path}`);
      const c = await get(`${third.url}${path}`);
      const results = (t: string): unknown => (JSON.parse(t) as { results: unknown }).results;
      expect(results(a.text)).toEqual(results(b.text));
      expect(results(a.text)).not.toEqual(results(c.text));
    } finally {
      await other.close();
      await third.close();
    }
  });

  it("serves every ticker the demo accepts, digits included (trademl demo --symbols takes [A-Z][A-Z0-9.]*)", async () => {
    // The polygon aggregates and alpaca option snapshot routes once matched [A-Z.]+ only: a universe such as
    // S0001..S0500 (the dag bench's) got 404 for every polygon bar and every alpaca chain of those symbols.
    const bars = await get(`${sim.url}/polygon/v2/aggs/ticker/S0042/range/1/day/2026-10-01/2026-10-31?apiKey=k`);
    expect(bars.status).toBe(200);
    expect((JSON.parse(bars.text) as { results: unknown[] }).results.length).toBeGreaterThan(15);
    const minute = await get(`${sim.url}/polygon/v2/aggs/ticker/BRK.B2/range/1/minute/2026-11-19/2026-11-19?apiKey=k`);
    expect(minute.status).toBe(200);
    expect((JSON.parse(minute.text) as { results: unknown[] }).results.length).toBeGreaterThan(0);
    const chain = await get(`${sim.url}/alpaca/v1beta1/options/snapshots/S0042`, { "APCA-API-KEY-ID": "k", "APCA-API-SECRET-KEY": "s" });
    expect(chain.status).toBe(200);
    expect(Object.keys((JSON.parse(chain.text) as { snapshots: Record<string, unknown> }).snapshots).length).toBeGreaterThan(0);
  });

  it("applies splits and cash dividends to raw prices", () => {
    const market = new SyntheticMarket(7);
    let checkedSplit = false;
    let checkedDividend = false;
    for (const symbol of ["AAPL", "MSFT", "NVDA", "AMZN", "SPY", "QQQ", "IWM", "TSLA"]) {
      const bars = market.dailyBars(symbol, "2019-01-01", "2026-11-19");
      const byDate = new Map(bars.map((b, i) => [b.date, i]));
      for (const split of market.splits(symbol, "2019-01-01", "2026-11-19")) {
        const i = byDate.get(split.exDate) ?? 0;
        const prev = bars[i - 1];
        const day = bars[i];
        if (!prev || !day) continue;
        // The open after a 4-for-1 split sits near a quarter of the previous close, not near the close.
        expect(Math.abs(Math.log((day.open * split.ratio) / prev.close))).toBeLessThan(0.1);
        checkedSplit = true;
      }
      for (const div of market.dividends(symbol, "2019-01-01", "2026-11-19")) {
        expect(div.cash).toBeGreaterThan(0);
        expect(div.payDate > div.exDate && div.recordDate > div.exDate).toBe(true);
        checkedDividend = true;
      }
    }
    expect(checkedSplit && checkedDividend).toBe(true);
  });

  it("prices option chains from its planted SVI smile on the forward, and put-call parity holds on the marks", () => {
    const market = new SyntheticMarket(7);
    const date = "2026-11-18";
    const chain = market.optionChain("SPY", date);
    expect(chain.length).toBeGreaterThan(100);
    for (const q of chain) {
      const fwd = market.optionForward("SPY", date, q.expiry);
      if (fwd === undefined) throw new Error("no forward");
      expect(q.forward).toBe(fwd.forward);
      const smile = market.plantedSmile("SPY", date, q.expiry);
      const k = Math.log(q.strike / fwd.forward);
      const w = smile.a + smile.b * (smile.rho * (k - smile.m) + Math.sqrt((k - smile.m) ** 2 + smile.sigma ** 2));
      expect(q.vol).toBeCloseTo(Math.sqrt(w / fwd.t), 12);
      // The vendors' spot Greeks use q with S·e^{(r−q)T} = F, so BSM on the spot reprices the Black-76 mid.
      const div = fwd.rate - Math.log(fwd.forward / fwd.spot) / fwd.t;
      const price = bsm({ spot: fwd.spot, strike: q.strike, years: fwd.t, rate: fwd.rate, dividendYield: div, vol: q.vol, isCall: q.isCall }).price;
      expect(Math.abs(Math.max(0.01, price) - q.mid)).toBeLessThanOrEqual(0.006);
      expect(q.bid).toBeLessThanOrEqual(q.ask);
    }
    // Put-call parity on the mids: C − P = DF·(F − K) within the cents of rounding.
    for (const call of chain.filter((q) => q.isCall && q.mid > 0.05)) {
      const put = chain.find((q) => !q.isCall && q.strike === call.strike && q.expiry === call.expiry);
      if (put === undefined || put.mid <= 0.05) continue;
      expect(Math.abs(call.mid - put.mid - call.df * (call.forward - call.strike))).toBeLessThanOrEqual(0.011);
    }
    // The Treasury curve's 1-month yield sets the short rate: the discount factor is below 1 for a positive curve.
    expect(chain.every((q) => q.df < 1 && q.df > 0.9)).toBe(true);
  });

  it("enforces a sliding window with vendor-shaped 429s and Retry-After / X-RateLimit headers", async () => {
    const limited = await startSimulator({ today: TODAY, limits: { polygon: [{ limit: 3, windowMs: 600 }] } });
    try {
      const url = `${limited.url}/polygon/v3/reference/tickers?apiKey=k`;
      for (let i = 0; i < 3; i++) expect((await get(url)).status).toBe(200);
      const refused = await get(url);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers["retry-after"])).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers["x-ratelimit-reset"])).toBeGreaterThan(Date.now() / 1000 - 1);
      expect(JSON.parse(refused.text)).toMatchObject({ status: "ERROR" });
      await new Promise((r) => setTimeout(r, 650));
      expect((await get(url)).status).toBe(200);
      expect(limited.log.filter((e) => e.fault === "limit")).toHaveLength(1);
    } finally {
      await limited.close();
    }
  });

  it("misbehaves on request: storms, 5xx, slow answers, truncated JSON, schema drift", async () => {
    const url = `${sim.url}/fred/fred/series/observations?series_id=DGS10&api_key=secret-fred-key&file_type=json&observation_start=2026-11-02`;
    sim.setFaults("fred", { rate429: 1, retryAfterSeconds: 7 });
    const storm = await get(url);
    expect(storm.status).toBe(429);
    expect(storm.headers["retry-after"]).toBe("7");
    sim.setFaults("fred", { rate5xx: 1 });
    expect((await get(url)).status).toBe(503);
    sim.setFaults("fred", { slowShare: 1, slowMs: 300 });
    const t0 = performance.now();
    expect((await get(url)).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    sim.setFaults("fred", { malformedShare: 1 });
    const cut = await get(url);
    expect(() => JSON.parse(cut.text)).toThrow();
    sim.setFaults("fred", { driftShare: 1 });
    const drifted = JSON.parse((await get(url)).text) as { observations: { value: unknown }[] };
    expect(typeof drifted.observations[0]?.value).not.toBe("string");
    sim.setFaults("fred", undefined);
    const faults = sim.log.filter((e) => e.vendor === "fred").map((e) => e.fault);
    expect(faults).toEqual(expect.arrayContaining(["storm", "5xx", "slow", "malformed", "drift"]));
    // The log is evidence for tests and never holds a key.
    expect(sim.log.some((e) => e.path.includes("secret-fred-key"))).toBe(false);
  });

  it("trades on NYSE sessions only, holidays included", () => {
    const market = new SyntheticMarket(7);
    const bars = market.dailyBars("AAPL", "2026-11-01", "2026-11-30").map((b) => b.date);
    expect(bars).toEqual(sessionsBetween("2026-11-01", "2026-11-30"));
    expect(bars).not.toContain("2026-11-26"); // Thanksgiving
  });
});
