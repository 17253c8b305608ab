/**
 * Finnhub shapes (finnhub.io/docs/api: "Stock Candles", "Option Chain"): candles as parallel arrays with
 * `s: "ok" | "no_data"` and Unix-second stamps; the option chain grouped by expiry with CALL/PUT lists.
 * A key without the entitlement gets 403 `{"error": "You don't have access to this resource."}`.
 */
import { addDays, parseIsoDate } from "../domain/calendar/dates.ts";
import { sessionsBetween } from "./market.ts";
import type { SimHandler, SimRequest, SimResponse } from "./types.ts";

const error = (status: number, message: string): SimResponse => ({ status, body: { error: message } });

function token(req: SimRequest): string {
  const header = req.headers["x-finnhub-token"];
  return req.query.get("token") ?? (typeof header === "string" ? header : "");
}

/** Keys starting with "free" model a plan without option-chain access. */
const entitledToOptions = (key: string): boolean => !key.startsWith("free");

const candle: SimHandler = (req) => {
  if (!token(req)) return error(401, "Please use an API key.");
  const symbol = req.query.get("symbol") ?? "";
  if (req.query.get("resolution") !== "D") return error(422, "the simulator serves resolution D only");
  const from = Number(req.query.get("from"));
  const to = Number(req.query.get("to"));
  if (!Number.isFinite(from) || !Number.isFinite(to)) return error(422, "Wrong from/to");
  const start = new Date(from * 1000).toISOString().slice(0, 10);
  let end = new Date(to * 1000).toISOString().slice(0, 10);
  if (end >= req.today) end = addDays(req.today, -1);
  const out = { c: [] as number[], h: [] as number[], l: [] as number[], o: [] as number[], t: [] as number[], v: [] as number[] };
  for (const date of sessionsBetween(start, end)) {
    const b = req.market.dailyBar(symbol, date);
    if (!b) continue;
    out.c.push(b.close); out.h.push(b.high); out.l.push(b.low); out.o.push(b.open); out.v.push(b.volume);
    out.t.push(parseIsoDate(date) * 86_400);
  }
  return { status: 200, body: out.t.length === 0 ? { s: "no_data" } : { ...out, s: "ok" } };
};

const optionChain: SimHandler = (req) => {
  const key = token(req);
  if (!key) return error(401, "Please use an API key.");
  if (!entitledToOptions(key)) return error(403, "You don't have access to this resource.");
  const symbol = req.query.get("symbol") ?? "";
  let date = addDays(req.today, -1);
  for (let i = 0; i < 7 && !req.market.dailyBar(symbol, date); i++) date = addDays(date, -1);
  const bar = req.market.dailyBar(symbol, date);
  if (!bar) return { status: 200, body: {} };
  const chain = req.market.optionChain(symbol, date);
  const byExpiry = new Map<string, typeof chain>();
  for (const q of chain) byExpiry.set(q.expiry, [...(byExpiry.get(q.expiry) ?? []), q]);
  const row = (q: (typeof chain)[number]): Record<string, unknown> => ({
    contractName: q.occ, contractSize: "REGULAR", contractPeriod: "REGULAR", currency: "USD", type: q.isCall ? "CALL" : "PUT",
    inTheMoney: String(q.isCall ? q.strike < bar.close : q.strike > bar.close).toUpperCase(), lastTradeDateTime: `${date} 15:59:59`,
    expirationDate: q.expiry, strike: q.strike, lastPrice: q.mid, bid: q.bid, ask: q.ask, change: 0, changePercent: 0,
    volume: q.volume, openInterest: q.openInterest, impliedVolatility: q.vol * 100,
    delta: q.delta, gamma: q.gamma, theta: q.theta / 365, vega: q.vega / 100, rho: q.rho / 100,
  });
  const data = [...byExpiry.entries()].map(([expirationDate, quotes]) => ({
    expirationDate, impliedVolatility: 0, putVolume: 0, callVolume: 0, putCallVolumeRatio: 0, putOpenInterest: 0,
    callOpenInterest: 0, putCallOpenInterestRatio: 0, optionsCount: quotes.length,
    options: { CALL: quotes.filter((q) => q.isCall).map(row), PUT: quotes.filter((q) => !q.isCall).map(row) },
  }));
  return { status: 200, body: { code: symbol, exchange: "NASDAQ", lastTradeDate: date, lastTradePrice: bar.close, data } };
};

export function finnhubRoute(path: string): SimHandler | undefined {
  if (path === "/api/v1/stock/candle") return candle;
  if (path === "/api/v1/stock/option-chain") return optionChain;
  return undefined;
}

export function finnhubError(_status: number, message: string): unknown {
  return { error: message };
}
