/**
 * Alpaca Market Data API v2 shapes (docs.alpaca.markets, "Historical bars", "Corporate actions",
 * "Option snapshots"): multi-symbol bars keyed by symbol with `next_page_token`, corporate actions grouped by
 * type, option snapshots keyed by OCC symbol. Errors are `{code, message}`.
 */
import { addDays, isoDateOf, parseIsoDate } from "../domain/calendar/dates.ts";
import { easternOffsetHours, sessionHours, sessionsBetween } from "./market.ts";
import { clampLimit, makePageToken, readPageToken } from "./paging.ts";
import type { SimHandler, SimRequest, SimResponse } from "./types.ts";

const error = (status: number, code: number, message: string): SimResponse => ({ status, body: { code, message } });

function authorised(req: SimRequest): boolean {
  return Boolean(req.headers["apca-api-key-id"]) && Boolean(req.headers["apca-api-secret-key"]);
}

/** Daily bars are stamped at midnight New York time, as Alpaca does. */
function dailyStamp(date: string): string {
  return new Date(parseIsoDate(date) * 86_400_000 - easternOffsetHours(date) * 3_600_000).toISOString().replace(".000Z", "Z");
}

/** Alpaca takes RFC 3339 instants (or dates): bars whose stamp falls in [start, end] are returned. */
function rangeDates(req: SimRequest): { start: string; end: string; startMs: number; endMs: number } | SimResponse {
  const startRaw = req.query.get("start") ?? "";
  const endRaw = req.query.get("end") ?? `${addDays(req.today, -1)}T23:59:59Z`;
  const startMs = Date.parse(startRaw);
  const endMs = Date.parse(endRaw);
  if (!Number.isFinite(startMs)) return error(422, 42210000, "invalid start");
  if (!Number.isFinite(endMs)) return error(422, 42210000, "invalid end");
  const yesterday = addDays(req.today, -1);
  const endDate = endRaw.slice(0, 10) > yesterday ? yesterday : endRaw.slice(0, 10);
  return { start: startRaw.slice(0, 10), end: endDate, startMs, endMs };
}

interface AlpacaBar {
  t: string;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  n: number;
  vw: number;
}

const bars: SimHandler = (req) => {
  if (!authorised(req)) return error(401, 40110000, "request is not authorized");
  const symbols = (req.query.get("symbols") ?? "").split(",").filter(Boolean);
  if (symbols.length === 0) return error(422, 42210000, "symbols is required");
  const timeframe = req.query.get("timeframe") ?? "";
  if (timeframe !== "1Day" && timeframe !== "1Min") return error(422, 42210000, `invalid timeframe ${timeframe}`);
  const range = rangeDates(req);
  if ("status" in range) return range;
  const limit = clampLimit(req.query.get("limit"), 1000, 10_000);
  const queryKey = `${symbols.join(",")}|${timeframe}|${range.start}|${range.end}`;
  const offset = readPageToken(req.query.get("page_token"), queryKey);
  if (offset === undefined) return error(400, 40010001, "invalid page_token");

  // Flatten symbol-major, time-ascending, then cut one page; Alpaca's limit counts bars across symbols.
  const flat: { symbol: string; bar: AlpacaBar }[] = [];
  for (const symbol of [...symbols].sort()) {
    for (const date of sessionsBetween(range.start, range.end)) {
      if (timeframe === "1Day") {
        const b = req.market.dailyBar(symbol, date);
        if (b && Date.parse(dailyStamp(date)) >= range.startMs && Date.parse(dailyStamp(date)) <= range.endMs) flat.push({ symbol, bar: { t: dailyStamp(date), o: b.open, h: b.high, l: b.low, c: b.close, v: b.volume, n: b.trades, vw: b.vwap } });
      } else {
        for (const m of req.market.minuteBars(symbol, date)) {
          if (m.t < range.startMs || m.t > range.endMs) continue;
          flat.push({ symbol, bar: { t: new Date(m.t).toISOString().replace(".000Z", "Z"), o: m.open, h: m.high, l: m.low, c: m.close, v: m.volume, n: m.trades, vw: m.vwap } });
        }
      }
    }
  }
  const page = flat.slice(offset, offset + limit);
  const grouped: Record<string, AlpacaBar[]> = {};
  for (const { symbol, bar } of page) (grouped[symbol] ??= []).push(bar);
  const next = offset + limit < flat.length ? makePageToken(queryKey, offset + limit) : null;
  return { status: 200, body: { bars: grouped, next_page_token: next } };
};

const corporateActions: SimHandler = (req) => {
  if (!authorised(req)) return error(401, 40110000, "request is not authorized");
  const symbols = (req.query.get("symbols") ?? "").split(",").filter(Boolean);
  const start = req.query.get("start") ?? "";
  const end = req.query.get("end") ?? addDays(req.today, -1);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(start)) return error(422, 42210000, "invalid start");
  const types = (req.query.get("types") ?? "forward_split,cash_dividend").split(",");
  const forward_splits = types.includes("forward_split")
    ? symbols.flatMap((s) => req.market.splits(s, start, end)).map((e) => ({
        symbol: e.symbol, new_rate: e.ratio, old_rate: 1, process_date: e.exDate, ex_date: e.exDate,
        record_date: addDays(e.exDate, 1), payable_date: addDays(e.exDate, -1),
      }))
    : [];
  const cash_dividends = types.includes("cash_dividend")
    ? symbols.flatMap((s) => req.market.dividends(s, start, end)).map((e) => ({
        symbol: e.symbol, rate: e.cash, special: false, foreign: false, process_date: e.exDate,
        ex_date: e.exDate, record_date: e.recordDate, payable_date: e.payDate,
      }))
    : [];
  return { status: 200, body: { corporate_actions: { forward_splits, cash_dividends }, next_page_token: null } };
};

const optionSnapshots: SimHandler = (req) => {
  if (!authorised(req)) return error(401, 40110000, "request is not authorized");
  const underlying = req.path.split("/").at(-1) ?? "";
  const asOf = addDays(req.today, -1);
  let date = asOf;
  while (!req.market.dailyBar(underlying, date) && parseIsoDate(date) > parseIsoDate(asOf) - 7) date = isoDateOf(parseIsoDate(date) - 1);
  const expiry = req.query.get("expiration_date");
  const chain = req.market.optionChain(underlying, date).filter((q) => expiry === null || q.expiry === expiry);
  const limit = clampLimit(req.query.get("limit"), 100, 1000);
  const queryKey = `${underlying}|${expiry ?? ""}|${date}`;
  const offset = readPageToken(req.query.get("page_token"), queryKey);
  if (offset === undefined) return error(400, 40010001, "invalid page_token");
  const snapshots: Record<string, unknown> = {};
  // Quotes stamped a minute before the session's close; a stale one a day earlier.
  const hours = sessionHours(date);
  const closeMs = hours === undefined ? parseIsoDate(date) * 86_400_000 : hours.openMs + hours.minutes * 60_000;
  const stamp = new Date(closeMs - 60_000).toISOString();
  const staleStamp = new Date(closeMs - 86_400_000).toISOString();
  for (const q of chain.slice(offset, offset + limit)) {
    snapshots[q.occ] = {
      latestQuote: { ap: q.ask, as: 10, ax: "C", bp: q.bid, bs: 10, bx: "C", c: "A", t: q.stale ? staleStamp : stamp },
      latestTrade: { p: q.mid, s: 1, x: "C", t: stamp },
      impliedVolatility: q.vol,
      greeks: { delta: q.delta, gamma: q.gamma, theta: q.theta / 365, vega: q.vega / 100, rho: q.rho / 100 },
    };
  }
  const next = offset + limit < chain.length ? makePageToken(queryKey, offset + limit) : null;
  return { status: 200, body: { snapshots, next_page_token: next } };
};

export function alpacaRoute(path: string): SimHandler | undefined {
  if (path === "/v2/stocks/bars") return bars;
  if (path === "/v1/corporate-actions") return corporateActions;
  if (/^\/v1beta1\/options\/snapshots\/[A-Z0-9.]+$/.test(path)) return optionSnapshots;
  return undefined;
}

export function alpacaError(status: number, message: string): unknown {
  return { code: status * 100_000, message };
}
