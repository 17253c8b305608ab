/**
 * Polygon.io (Massive) REST shapes (polygon.io/docs: "Aggregates (Bars)", "Splits", "Dividends", "Tickers",
 * "Options Contracts"): `{status, request_id, results, next_url}`; aggregates carry `t` in Unix ms and page by
 * a `next_url` that omits the API key, as the real service does. Errors are `{status: "ERROR", error}`.
 */
import { addDays, parseIsoDate } from "../domain/calendar/dates.ts";
import { easternOffsetHours, occSymbol, sessionsBetween } from "./market.ts";
import { clampLimit, makePageToken, readPageToken } from "./paging.ts";
import { hashString } from "./random.ts";
import type { SimHandler, SimRequest, SimResponse } from "./types.ts";

let requestCounter = 0;
const requestId = (): string => `sim${(hashString(String(++requestCounter)) >>> 0).toString(16)}`;
const error = (status: number, message: string): SimResponse => ({
  status, body: { status: status === 403 ? "NOT_AUTHORIZED" : "ERROR", request_id: requestId(), error: message },
});

function authorised(req: SimRequest): boolean {
  const auth = req.headers["authorization"];
  return Boolean(req.query.get("apiKey")) || (typeof auth === "string" && auth.startsWith("Bearer "));
}

/** Builds a next_url that keeps the query (minus the key) and sets the cursor. */
function nextUrl(req: SimRequest, path: string, cursor: string): string {
  const q = new URLSearchParams(req.query);
  q.delete("apiKey");
  q.set("cursor", cursor);
  return `${req.vendorBase}${path}?${q.toString()}`;
}

function paged<T>(req: SimRequest, all: readonly T[], key: string, defaultLimit: number, maxLimit: number): { page: T[]; next?: string } | SimResponse {
  const limit = clampLimit(req.query.get("limit"), defaultLimit, maxLimit);
  const offset = readPageToken(req.query.get("cursor"), key);
  if (offset === undefined) return error(400, "invalid cursor");
  const page = all.slice(offset, offset + limit);
  return offset + limit < all.length ? { page, next: nextUrl(req, req.path, makePageToken(key, offset + limit)) } : { page };
}

const aggs: SimHandler = (req) => {
  if (!authorised(req)) return error(401, "API Key was not provided");
  const m = /^\/v2\/aggs\/ticker\/([A-Z0-9.]+)\/range\/(\d+)\/(day|minute)\/([\d-]+)\/([\d-]+)$/.exec(req.path);
  if (!m) return error(404, "not found");
  const [, ticker = "", multiplier = "1", timespan = "day", fromRaw = "", toRaw = ""] = m;
  if (multiplier !== "1") return error(400, "the simulator serves multiplier 1 only");
  const toDate = (s: string): string => (/^\d+$/.test(s) ? new Date(Number(s)).toISOString().slice(0, 10) : s);
  const from = toDate(fromRaw);
  let to = toDate(toRaw);
  if (to >= req.today) to = addDays(req.today, -1);
  // The free tier serves two years of history; older requests get a 403, as the real service answers.
  if (parseIsoDate(from) < parseIsoDate(req.today) - 730) return error(403, "Your plan doesn't include this data timeframe.");
  const rows: { v: number; vw: number; o: number; c: number; h: number; l: number; t: number; n: number }[] = [];
  for (const date of sessionsBetween(from, to)) {
    if (timespan === "day") {
      const b = req.market.dailyBar(ticker, date);
      if (b) rows.push({ v: b.volume, vw: b.vwap, o: b.open, c: b.close, h: b.high, l: b.low, t: parseIsoDate(date) * 86_400_000 - easternOffsetHours(date) * 3_600_000, n: b.trades });
    } else {
      for (const b of req.market.minuteBars(ticker, date)) rows.push({ v: b.volume, vw: b.vwap, o: b.open, c: b.close, h: b.high, l: b.low, t: b.t, n: b.trades });
    }
  }
  const page = paged(req, rows, `${req.path}`, 5000, 50_000);
  if ("status" in page) return page;
  const body: Record<string, unknown> = {
    ticker, queryCount: rows.length, resultsCount: page.page.length, adjusted: req.query.get("adjusted") !== "false",
    results: page.page, status: "OK", request_id: requestId(), count: page.page.length,
  };
  if (page.next) body["next_url"] = page.next;
  return { status: 200, body };
};

function referenceWindow(req: SimRequest, field: string): { start: string; end: string } {
  return {
    start: req.query.get(`${field}.gte`) ?? addDays(req.today, -730),
    end: req.query.get(`${field}.lte`) ?? addDays(req.today, -1),
  };
}

function tickersOf(req: SimRequest, universe: readonly string[]): string[] {
  const one = req.query.get("ticker");
  return one ? [one] : [...universe];
}

function reference(universe: readonly string[]): Record<string, SimHandler> {
  return {
    "/v3/reference/splits": (req) => {
      if (!authorised(req)) return error(401, "API Key was not provided");
      const { start, end } = referenceWindow(req, "execution_date");
      const all = tickersOf(req, universe).flatMap((t) => req.market.splits(t, start, end))
        .map((e) => ({ id: `E${hashString(e.symbol + e.exDate).toString(16)}`, execution_date: e.exDate, split_from: 1, split_to: e.ratio, ticker: e.symbol }));
      const page = paged(req, all, `splits|${start}|${end}|${req.query.get("ticker") ?? ""}`, 10, 1000);
      if ("status" in page) return page;
      return { status: 200, body: { results: page.page, status: "OK", request_id: requestId(), ...(page.next ? { next_url: page.next } : {}) } };
    },
    "/v3/reference/dividends": (req) => {
      if (!authorised(req)) return error(401, "API Key was not provided");
      const { start, end } = referenceWindow(req, "ex_dividend_date");
      const all = tickersOf(req, universe).flatMap((t) => req.market.dividends(t, start, end)).map((e) => ({
        cash_amount: e.cash, currency: "USD", declaration_date: e.declarationDate, dividend_type: "CD",
        ex_dividend_date: e.exDate, frequency: 4, pay_date: e.payDate, record_date: e.recordDate, ticker: e.symbol,
      }));
      const page = paged(req, all, `divs|${start}|${end}|${req.query.get("ticker") ?? ""}`, 10, 1000);
      if ("status" in page) return page;
      return { status: 200, body: { results: page.page, status: "OK", request_id: requestId(), ...(page.next ? { next_url: page.next } : {}) } };
    },
    "/v3/reference/tickers": (req) => {
      if (!authorised(req)) return error(401, "API Key was not provided");
      const all = [...universe].sort().map((t) => ({
        ticker: t, name: `${t} Synthetic Inc.`, market: "stocks", locale: "us", primary_exchange: "XNAS", type: "CS",
        active: true, currency_name: "usd", cik: String(hashString(t) % 1_000_000).padStart(10, "0"),
        last_updated_utc: `${addDays(req.today, -1)}T00:00:00Z`,
      }));
      const page = paged(req, all, "tickers", 100, 1000);
      if ("status" in page) return page;
      return { status: 200, body: { results: page.page, status: "OK", request_id: requestId(), count: page.page.length, ...(page.next ? { next_url: page.next } : {}) } };
    },
    "/v3/reference/options/contracts": (req) => {
      if (!authorised(req)) return error(401, "API Key was not provided");
      const underlying = req.query.get("underlying_ticker");
      if (!underlying) return error(400, "underlying_ticker is required by the simulator");
      const asOf = req.query.get("as_of") ?? addDays(req.today, -1);
      let date = asOf;
      for (let i = 0; i < 7 && !req.market.dailyBar(underlying, date); i++) date = addDays(date, -1);
      const gte = req.query.get("expiration_date.gte") ?? date;
      const lte = req.query.get("expiration_date.lte") ?? "9999-12-31";
      const all = req.market.optionChain(underlying, date).filter((q) => q.expiry >= gte && q.expiry <= lte).map((q) => ({
        cfi: q.isCall ? "OCASPS" : "OPASPS", contract_type: q.isCall ? "call" : "put", exercise_style: "american",
        expiration_date: q.expiry, primary_exchange: "BATO", shares_per_contract: 100, strike_price: q.strike,
        ticker: `O:${occSymbol(underlying, q.expiry, q.isCall, q.strike)}`, underlying_ticker: underlying,
      }));
      const page = paged(req, all, `contracts|${underlying}|${date}|${gte}|${lte}`, 10, 1000);
      if ("status" in page) return page;
      return { status: 200, body: { results: page.page, status: "OK", request_id: requestId(), ...(page.next ? { next_url: page.next } : {}) } };
    },
  };
}

export function polygonRoute(path: string, universe: readonly string[]): SimHandler | undefined {
  if (path.startsWith("/v2/aggs/ticker/")) return aggs;
  return reference(universe)[path];
}

export function polygonError(status: number, message: string): unknown {
  return { status: "ERROR", request_id: requestId(), error: message };
}
