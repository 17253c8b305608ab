/**
 * Alpaca Market Data API v2 (docs.alpaca.markets/reference): stock bars (`GET /v2/stocks/bars`, multi-symbol,
 * `page_token` paging, `feed=iex` on the free plan, `adjustment=raw` so splits and dividends are applied by
 * our own curation), corporate actions (`GET /v1/corporate-actions`) and option chain snapshots
 * (`GET /v1beta1/options/snapshots/{underlying}`). Auth: APCA-API-KEY-ID / APCA-API-SECRET-KEY headers.
 */
import { z } from "zod";
import { addDays } from "../domain/calendar/dates.ts";
import { newYorkDate } from "../domain/calendar/time-zone.ts";
import { MalformedResponseError } from "./errors.ts";
import { getJson } from "./http.ts";
import { httpFor, lineage, schemaReject, secret, withQuery, type ConnectorOptions } from "./connector.ts";
import { parseOcc, type BarTimeframe, type CorporateActionRow, type EquityBarRow, type FetchResult, type OptionQuoteRow, type RejectedRecord } from "./rows.ts";
import { checkBars } from "./validate.ts";

export const ALPACA_DATA_URL = "https://data.alpaca.markets";
const SOURCE = "alpaca";

export interface AlpacaOptions extends ConnectorOptions {
  readonly keyId: string;
  readonly secretKey: string;
  /** "iex" on the free plan (default), "sip" with a subscription. */
  readonly feed?: "iex" | "sip";
  /** Bars per page (Alpaca allows up to 10 000). */
  readonly pageLimit?: number;
}

const barSchema = z.object({
  t: z.string(), o: z.number(), h: z.number(), l: z.number(), c: z.number(), v: z.number(),
  n: z.number().optional(), vw: z.number().optional(),
});
const barsEnvelope = z.object({
  bars: z.record(z.string(), z.array(z.unknown())).nullable(),
  next_page_token: z.string().nullable().optional(),
});
const actionsEnvelope = z.object({
  corporate_actions: z.object({
    forward_splits: z.array(z.unknown()).optional(),
    cash_dividends: z.array(z.unknown()).optional(),
  }),
  next_page_token: z.string().nullable().optional(),
});
const splitSchema = z.object({ symbol: z.string(), new_rate: z.number().positive(), old_rate: z.number().positive(), ex_date: z.string(), record_date: z.string().nullable().optional(), payable_date: z.string().nullable().optional() });
const dividendSchema = z.object({ symbol: z.string(), rate: z.number(), ex_date: z.string(), record_date: z.string().nullable().optional(), payable_date: z.string().nullable().optional() });
const snapshotsEnvelope = z.object({ snapshots: z.record(z.string(), z.unknown()).nullable(), next_page_token: z.string().nullable().optional() });
const snapshotSchema = z.object({
  latestQuote: z.object({ ap: z.number(), bp: z.number(), t: z.string() }).optional(),
  latestTrade: z.object({ p: z.number() }).optional(),
  impliedVolatility: z.number().optional(),
  greeks: z.object({ delta: z.number() }).partial().optional(),
});

export function zodDetail(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
}

export function parseEnvelope<T>(schema: z.ZodType<T>, body: unknown, vendor: string, uri: string): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new MalformedResponseError({ vendor, path: new URL(uri).pathname }, `schema drift: ${zodDetail(parsed.error)}`, JSON.stringify(body).slice(0, 4000));
  }
  return parsed.data;
}

export interface BarsRequest {
  readonly symbols: readonly string[];
  readonly timeframe: BarTimeframe;
  /** Inclusive session dates. */
  readonly start: string;
  readonly end: string;
  readonly signal?: AbortSignal;
}

export interface AlpacaConnector {
  readonly vendor: "alpaca";
  stockBars(req: BarsRequest): Promise<FetchResult<EquityBarRow>>;
  corporateActions(req: { symbols: readonly string[]; start: string; end: string; signal?: AbortSignal }): Promise<FetchResult<CorporateActionRow>>;
  optionSnapshots(req: { underlying: string; expiry?: string; quoteDate: string; signal?: AbortSignal }): Promise<FetchResult<OptionQuoteRow>>;
}

export function createAlpaca(options: AlpacaOptions): AlpacaConnector {
  const base = options.baseUrl ?? ALPACA_DATA_URL;
  const http = httpFor(SOURCE, options);
  const now = options.now ?? (() => new Date());
  const headers = { "APCA-API-KEY-ID": secret(options.keyId), "APCA-API-SECRET-KEY": secret(options.secretKey) };

  /** Follows next_page_token until the vendor says there is no more. */
  async function* pages(url: string, signal: AbortSignal | undefined): AsyncGenerator<{ body: unknown; uri: string }> {
    let token: string | undefined;
    do {
      const res = await getJson(http, withQuery(url, { page_token: token }), { headers, ...(signal ? { signal } : {}) });
      yield { body: res.body, uri: res.uri };
      const next = (res.body as { next_page_token?: unknown }).next_page_token;
      token = typeof next === "string" && next !== "" ? next : undefined;
    } while (token !== undefined);
  }

  return {
    vendor: "alpaca",

    async stockBars(req) {
      const url = withQuery(`${base}/v2/stocks/bars`, {
        symbols: [...req.symbols].sort().join(","), timeframe: req.timeframe === "1d" ? "1Day" : "1Min",
        start: `${req.start}T00:00:00Z`, end: `${addDays(req.end, 1)}T00:00:00Z`, limit: options.pageLimit ?? 10_000,
        adjustment: "raw", feed: options.feed ?? "iex", sort: "asc",
      });
      const rows: EquityBarRow[] = [];
      const rejected: RejectedRecord[] = [];
      let pageCount = 0;
      for await (const page of pages(url, req.signal)) {
        pageCount++;
        const env = parseEnvelope(barsEnvelope, page.body, SOURCE, page.uri);
        const lin = lineage(SOURCE, page.uri, now);
        for (const [symbol, list] of Object.entries(env.bars ?? {})) {
          for (const raw of list) {
            const bar = barSchema.safeParse(raw);
            if (!bar.success) {
              rejected.push(schemaReject(SOURCE, page.uri, { symbol, bar: raw }, zodDetail(bar.error)));
              continue;
            }
            const ts = Date.parse(bar.data.t);
            rows.push({
              symbol, timeframe: req.timeframe, date: Number.isFinite(ts) ? newYorkDate(ts) : "", ts,
              open: bar.data.o, high: bar.data.h, low: bar.data.l, close: bar.data.c, volume: bar.data.v,
              vwap: bar.data.vw ?? null, trades: bar.data.n ?? null, ...lin,
            });
          }
        }
      }
      const checked = checkBars(rows, { start: req.start, end: req.end });
      return { rows: checked.good, rejected: [...rejected, ...checked.rejected], pages: pageCount };
    },

    async corporateActions(req) {
      const url = withQuery(`${base}/v1/corporate-actions`, {
        symbols: [...req.symbols].sort().join(","), types: "forward_split,cash_dividend", start: req.start, end: req.end, limit: 1000,
      });
      const rows: CorporateActionRow[] = [];
      const rejected: RejectedRecord[] = [];
      let pageCount = 0;
      for await (const page of pages(url, req.signal)) {
        pageCount++;
        const env = parseEnvelope(actionsEnvelope, page.body, SOURCE, page.uri);
        const lin = lineage(SOURCE, page.uri, now);
        for (const raw of env.corporate_actions.forward_splits ?? []) {
          const s = splitSchema.safeParse(raw);
          if (!s.success) rejected.push(schemaReject(SOURCE, page.uri, raw, zodDetail(s.error)));
          else rows.push({ symbol: s.data.symbol, action: "split", ex_date: s.data.ex_date, ratio: s.data.new_rate / s.data.old_rate, cash: null, record_date: s.data.record_date ?? null, pay_date: s.data.payable_date ?? null, ...lin });
        }
        for (const raw of env.corporate_actions.cash_dividends ?? []) {
          const d = dividendSchema.safeParse(raw);
          if (!d.success) rejected.push(schemaReject(SOURCE, page.uri, raw, zodDetail(d.error)));
          else if (d.data.rate <= 0) rejected.push({ reason: "negative_price", detail: `dividend ${d.data.rate} ≤ 0`, source_name: SOURCE, source_uri: page.uri, raw });
          else rows.push({ symbol: d.data.symbol, action: "cash_dividend", ex_date: d.data.ex_date, ratio: null, cash: d.data.rate, record_date: d.data.record_date ?? null, pay_date: d.data.payable_date ?? null, ...lin });
        }
      }
      return { rows, rejected, pages: pageCount };
    },

    async optionSnapshots(req) {
      const url = withQuery(`${base}/v1beta1/options/snapshots/${encodeURIComponent(req.underlying)}`, {
        feed: "indicative", limit: 1000, expiration_date: req.expiry,
      });
      const rows: OptionQuoteRow[] = [];
      const rejected: RejectedRecord[] = [];
      let pageCount = 0;
      for await (const page of pages(url, req.signal)) {
        pageCount++;
        const env = parseEnvelope(snapshotsEnvelope, page.body, SOURCE, page.uri);
        const lin = lineage(SOURCE, page.uri, now);
        for (const [symbol, raw] of Object.entries(env.snapshots ?? {})) {
          const occ = parseOcc(symbol);
          const snap = snapshotSchema.safeParse(raw);
          if (!occ || !snap.success) {
            rejected.push(schemaReject(SOURCE, page.uri, { symbol, raw }, occ ? zodDetail(snap.error ?? new z.ZodError([])) : `"${symbol}" is not an OCC symbol`));
            continue;
          }
          const q = snap.data.latestQuote;
          rows.push({
            underlying: req.underlying, contract: symbol, quote_date: req.quoteDate, quote_time: q?.t ?? null, expiry: occ.expiry,
            strike: occ.strike, right: occ.right, bid: q?.bp ?? null, ask: q?.ap ?? null, last: snap.data.latestTrade?.p ?? null,
            iv: snap.data.impliedVolatility ?? null, delta: snap.data.greeks?.delta ?? null, open_interest: null, volume: null, ...lin,
          });
        }
      }
      // Every row belongs to the snapshot's session: the New York date of its freshest quote (the requested
      // session when no quote has a time). An older quote keeps its own time in quote_time, so the options pass
      // calls it stale instead of filing it under an earlier session.
      const stamps = rows.map((r) => Date.parse(r.quote_time ?? "")).filter(Number.isFinite);
      const session = stamps.length === 0 ? req.quoteDate : newYorkDate(Math.max(...stamps));
      return { rows: rows.map((r) => ({ ...r, quote_date: session })), rejected, pages: pageCount };
    },
  };
}
