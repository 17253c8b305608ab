/**
 * Polygon.io / Massive REST (polygon.io/docs/stocks): aggregates (`/v2/aggs/ticker/{t}/range/1/{day|minute}/
 * {from}/{to}`, `adjusted=false`), reference splits and dividends (`/v3/reference/splits|dividends`), tickers
 * (`/v3/reference/tickers`) and options contracts (`/v3/reference/options/contracts`). Every list follows
 * `next_url`, which omits the key, so the key is re-attached; each page is one request against the free tier's
 * 5 requests per minute. The free tier serves two years of history: every call site clamps its start date
 * to that window first (`clampToWindow`) instead of spending a request on a 403.
 */
import { z } from "zod";
import { addDays, maxDate, parseIsoDate } from "../domain/calendar/dates.ts";
import { newYorkDate } from "../domain/calendar/time-zone.ts";
import { getJson } from "./http.ts";
import { httpFor, lineage, schemaReject, secret, withQuery, type ConnectorOptions } from "./connector.ts";
import { parseEnvelope, zodDetail } from "./alpaca.ts";
import { parseOcc, type BarTimeframe, type CorporateActionRow, type EquityBarRow, type FetchResult, type OptionContractRow, type RejectedRecord, type TickerRow } from "./rows.ts";
import { checkBars } from "./validate.ts";
import { defaultVendorLimits } from "../config/schemas/node.ts";

export const POLYGON_URL = "https://api.polygon.io";
const SOURCE = "polygon";
/** Free-tier history window (Polygon "Basic" plan: 2 years): node.yml's default `history_window_days`. */
export const POLYGON_HISTORY_DAYS: number = defaultVendorLimits().polygon.history_window_days;

export interface PolygonOptions extends ConnectorOptions {
  readonly apiKey: string;
  /** History the plan serves, in days back from `today` (node.yml `history_window_days`; default 730). */
  readonly historyDays?: number;
  /** The date the window is measured from (default: the UTC date of `now`). */
  readonly today?: () => string;
  readonly pageLimit?: number;
  /** Contracts per page of the options-contracts listing (default and the vendor's maximum: 1000). */
  readonly contractsPageLimit?: number;
}

export interface ClampedRange {
  readonly start: string;
  readonly end: string;
  /** True when the start moved forward to fit the window. */
  readonly clamped: boolean;
}

/** Clamps [start, end] to the plan's history window ending today; undefined when nothing is left of it. */
export function clampToWindow(start: string, end: string, today: string, historyDays = POLYGON_HISTORY_DAYS): ClampedRange | undefined {
  const earliest = addDays(today, -historyDays + 1);
  const clampedStart = maxDate(start, earliest);
  if (parseIsoDate(end) < parseIsoDate(clampedStart)) return undefined;
  return { start: clampedStart, end, clamped: clampedStart !== start };
}

const aggSchema = z.object({ t: z.number(), o: z.number(), h: z.number(), l: z.number(), c: z.number(), v: z.number(), vw: z.number().optional(), n: z.number().optional() });
const listEnvelope = z.object({ status: z.string(), results: z.array(z.unknown()).optional(), next_url: z.string().optional() });
const splitSchema = z.object({ ticker: z.string(), execution_date: z.string(), split_from: z.number().positive(), split_to: z.number().positive() });
const dividendSchema = z.object({ ticker: z.string(), ex_dividend_date: z.string(), cash_amount: z.number(), record_date: z.string().optional(), pay_date: z.string().optional(), dividend_type: z.string().optional() });
const tickerSchema = z.object({ ticker: z.string(), name: z.string(), primary_exchange: z.string().optional(), type: z.string().optional(), active: z.boolean(), cik: z.string().optional() });
const contractSchema = z.object({ ticker: z.string(), underlying_ticker: z.string(), expiration_date: z.string(), strike_price: z.number(), contract_type: z.enum(["call", "put"]), exercise_style: z.string(), shares_per_contract: z.number() });

export interface OptionContractsRequest {
  readonly underlying: string;
  readonly asOf: string;
  readonly expiryUntil: string;
  readonly maxContracts?: number;
  readonly cursor?: string;
  readonly maxPages?: number;
  readonly signal?: AbortSignal;
}

/** The `cursor` query parameter of a `next_url` ("" when there is none). */
function cursorOf(nextUrl: string | undefined): string {
  return nextUrl === undefined ? "" : (new URL(nextUrl).searchParams.get("cursor") ?? "");
}

export interface PolygonConnector {
  readonly vendor: "polygon";
  readonly today: () => string;
  aggregates(req: { ticker: string; timeframe: BarTimeframe; start: string; end: string; signal?: AbortSignal }): Promise<FetchResult<EquityBarRow> & { window?: ClampedRange }>;
  splits(req: { start: string; end: string; ticker?: string; signal?: AbortSignal }): Promise<FetchResult<CorporateActionRow>>;
  dividends(req: { start: string; end: string; ticker?: string; signal?: AbortSignal }): Promise<FetchResult<CorporateActionRow>>;
  /** One run of ticker pages from `cursor` (undefined = the beginning); returns where to continue next time. */
  tickers(req: { cursor?: string; maxPages?: number; signal?: AbortSignal }): Promise<FetchResult<TickerRow> & { nextCursor?: string }>;
  /**
   * One run of an underlier's contract pages, from `cursor` (undefined or "" = the beginning) for at most
   * `maxPages` pages or `maxContracts` contracts. `nextCursor` is where the listing continues, "" when it is
   * complete (or stopped at `maxContracts`: a capped listing is done for its day).
   */
  optionContracts(req: OptionContractsRequest): Promise<FetchResult<OptionContractRow> & { nextCursor: string }>;
}

export function createPolygon(options: PolygonOptions): PolygonConnector {
  const base = options.baseUrl ?? POLYGON_URL;
  const http = httpFor(SOURCE, options);
  const now = options.now ?? (() => new Date());
  const today = options.today ?? (() => now().toISOString().slice(0, 10));
  const key = secret(options.apiKey);
  const historyDays = options.historyDays ?? POLYGON_HISTORY_DAYS;

  /** Follows next_url (re-attaching the key) until it stops, or `maxPages` is reached. */
  async function* pages(url: string, signal: AbortSignal | undefined, maxPages = Infinity): AsyncGenerator<{ body: unknown; uri: string; next?: string }> {
    let next: string | undefined = url;
    for (let n = 0; next !== undefined && n < maxPages; n++) {
      const res = await getJson(http, withQuery(next, { apiKey: key }), signal ? { signal } : {});
      const env = parseEnvelope(listEnvelope, res.body, SOURCE, res.uri);
      next = env.next_url;
      yield { body: res.body, uri: res.uri, ...(next ? { next } : {}) };
    }
  }

  async function corporate(
    path: string, dateField: string, req: { start: string; end: string; ticker?: string; signal?: AbortSignal },
    toRow: (raw: unknown, uri: string) => CorporateActionRow | RejectedRecord,
  ): Promise<FetchResult<CorporateActionRow>> {
    const window = clampToWindow(req.start, req.end, today(), historyDays);
    if (!window) return { rows: [], rejected: [], pages: 0 };
    const url = withQuery(`${base}${path}`, { ticker: req.ticker, [`${dateField}.gte`]: window.start, [`${dateField}.lte`]: window.end, limit: 1000 });
    const rows: CorporateActionRow[] = [];
    const rejected: RejectedRecord[] = [];
    let count = 0;
    for await (const page of pages(url, req.signal)) {
      count++;
      for (const raw of (page.body as { results?: unknown[] }).results ?? []) {
        const out = toRow(raw, page.uri);
        if ("reason" in out) rejected.push(out);
        else rows.push(out);
      }
    }
    return { rows, rejected, pages: count };
  }

  return {
    vendor: "polygon",
    today,

    async aggregates(req) {
      const window = clampToWindow(req.start, req.end, today(), historyDays);
      if (!window) return { rows: [], rejected: [], pages: 0 };
      const span = req.timeframe === "1d" ? "day" : "minute";
      const url = withQuery(`${base}/v2/aggs/ticker/${encodeURIComponent(req.ticker)}/range/1/${span}/${window.start}/${window.end}`, {
        adjusted: "false", sort: "asc", limit: options.pageLimit ?? 50_000,
      });
      const rows: EquityBarRow[] = [];
      const rejected: RejectedRecord[] = [];
      let count = 0;
      for await (const page of pages(url, req.signal)) {
        count++;
        const lin = lineage(SOURCE, page.uri, now);
        for (const raw of (page.body as { results?: unknown[] }).results ?? []) {
          const a = aggSchema.safeParse(raw);
          if (!a.success) {
            rejected.push(schemaReject(SOURCE, page.uri, raw, zodDetail(a.error)));
            continue;
          }
          rows.push({
            symbol: req.ticker, timeframe: req.timeframe, date: newYorkDate(a.data.t), ts: a.data.t, open: a.data.o, high: a.data.h,
            low: a.data.l, close: a.data.c, volume: a.data.v, vwap: a.data.vw ?? null, trades: a.data.n ?? null, ...lin,
          });
        }
      }
      const checked = checkBars(rows, { start: window.start, end: window.end });
      return { rows: checked.good, rejected: [...rejected, ...checked.rejected], pages: count, window };
    },

    splits(req) {
      return corporate("/v3/reference/splits", "execution_date", req, (raw, uri) => {
        const s = splitSchema.safeParse(raw);
        if (!s.success) return schemaReject(SOURCE, uri, raw, zodDetail(s.error));
        return { symbol: s.data.ticker, action: "split", ex_date: s.data.execution_date, ratio: s.data.split_to / s.data.split_from, cash: null, record_date: null, pay_date: null, ...lineage(SOURCE, uri, now) };
      });
    },

    dividends(req) {
      return corporate("/v3/reference/dividends", "ex_dividend_date", req, (raw, uri) => {
        const d = dividendSchema.safeParse(raw);
        if (!d.success) return schemaReject(SOURCE, uri, raw, zodDetail(d.error));
        if (d.data.cash_amount <= 0) return { reason: "negative_price", detail: `cash_amount ${d.data.cash_amount} ≤ 0`, source_name: SOURCE, source_uri: uri, raw };
        return { symbol: d.data.ticker, action: "cash_dividend", ex_date: d.data.ex_dividend_date, ratio: null, cash: d.data.cash_amount, record_date: d.data.record_date ?? null, pay_date: d.data.pay_date ?? null, ...lineage(SOURCE, uri, now) };
      });
    },

    async tickers(req) {
      const start = req.cursor === undefined
        ? withQuery(`${base}/v3/reference/tickers`, { market: "stocks", active: true, limit: 1000 })
        : withQuery(`${base}/v3/reference/tickers`, { cursor: req.cursor, limit: 1000 });
      const rows: TickerRow[] = [];
      const rejected: RejectedRecord[] = [];
      let count = 0;
      let nextCursor: string | undefined;
      for await (const page of pages(start, req.signal, req.maxPages ?? Infinity)) {
        count++;
        nextCursor = cursorOf(page.next) || undefined;
        for (const raw of (page.body as { results?: unknown[] }).results ?? []) {
          const t = tickerSchema.safeParse(raw);
          if (!t.success) rejected.push(schemaReject(SOURCE, page.uri, raw, zodDetail(t.error)));
          else rows.push({ symbol: t.data.ticker, name: t.data.name, exchange: t.data.primary_exchange ?? null, type: t.data.type ?? null, active: t.data.active, cik: t.data.cik ?? null, ...lineage(SOURCE, page.uri, now) });
        }
      }
      return { rows, rejected, pages: count, ...(nextCursor ? { nextCursor } : {}) };
    },

    async optionContracts(req) {
      // Contracts listed as of a date older than the window would be refused: clamp as_of too.
      const window = clampToWindow(req.asOf, req.expiryUntil, today(), historyDays);
      if (!window) return { rows: [], rejected: [], pages: 0, nextCursor: "" };
      // A resumed listing sends the first request's query again with the cursor (what next_url holds), not the
      // stored next_url itself: that names a host, and the simulator's port changes between runs.
      const url = withQuery(`${base}/v3/reference/options/contracts`, {
        underlying_ticker: req.underlying, as_of: window.start, "expiration_date.gte": window.start,
        "expiration_date.lte": window.end, limit: options.contractsPageLimit ?? 1000, order: "asc", sort: "expiration_date",
        ...(req.cursor ? { cursor: req.cursor } : {}),
      });
      const rows: OptionContractRow[] = [];
      const rejected: RejectedRecord[] = [];
      let count = 0;
      let nextCursor = "";
      for await (const page of pages(url, req.signal, req.maxPages ?? Infinity)) {
        count++;
        nextCursor = cursorOf(page.next);
        for (const raw of (page.body as { results?: unknown[] }).results ?? []) {
          const c = contractSchema.safeParse(raw);
          const occ = c.success ? parseOcc(c.data.ticker) : undefined;
          if (!c.success || !occ) {
            rejected.push(schemaReject(SOURCE, page.uri, raw, c.success ? `"${c.data.ticker}" is not an OCC symbol` : zodDetail(c.error)));
            continue;
          }
          rows.push({
            underlying: c.data.underlying_ticker, contract: c.data.ticker.replace(/^O:/, ""), expiry: c.data.expiration_date,
            strike: c.data.strike_price, right: c.data.contract_type === "call" ? "C" : "P", exercise_style: c.data.exercise_style,
            shares_per_contract: c.data.shares_per_contract, as_of: window.start, ...lineage(SOURCE, page.uri, now),
          });
        }
        if (req.maxContracts !== undefined && rows.length >= req.maxContracts) {
          nextCursor = "";
          break;
        }
      }
      return { rows: req.maxContracts === undefined ? rows : rows.slice(0, req.maxContracts), rejected, pages: count, nextCursor };
    },
  };
}
