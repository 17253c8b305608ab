/**
 * Finnhub (finnhub.io/docs/api): stock candles (`/api/v1/stock/candle`, parallel arrays, `s: "ok"|"no_data"`)
 * and the option chain (`/api/v1/stock/option-chain`). A 403 means the plan lacks the endpoint: that answer is
 * remembered and the endpoint is not asked again by this connector (asking again only burns the 60/min limit).
 */
import { z } from "zod";
import { addDays, dateStartMs } from "../domain/calendar/dates.ts";
import { newYorkDate } from "../domain/calendar/time-zone.ts";
import { EntitlementError } from "./errors.ts";
import { getJson } from "./http.ts";
import { httpFor, lineage, schemaReject, secret, withQuery, type ConnectorOptions } from "./connector.ts";
import { parseEnvelope, zodDetail } from "./alpaca.ts";
import type { EquityBarRow, FetchResult, OptionQuoteRow, RejectedRecord } from "./rows.ts";
import { parseOcc } from "./rows.ts";
import { checkBars } from "./validate.ts";

export const FINNHUB_URL = "https://finnhub.io";
const SOURCE = "finnhub";

export interface FinnhubOptions extends ConnectorOptions {
  readonly apiKey: string;
}

const candleEnvelope = z.union([
  z.object({ s: z.literal("no_data") }),
  z.object({ s: z.literal("ok"), c: z.array(z.unknown()), h: z.array(z.unknown()), l: z.array(z.unknown()), o: z.array(z.unknown()), t: z.array(z.unknown()), v: z.array(z.unknown()) }),
]);
const chainEnvelope = z.object({ code: z.string().optional(), lastTradeDate: z.string().optional(), data: z.array(z.object({ expirationDate: z.string(), options: z.object({ CALL: z.array(z.unknown()).optional(), PUT: z.array(z.unknown()).optional() }) })).optional() });
const optionSchema = z.object({
  contractName: z.string(), strike: z.number(), bid: z.number().nullable(), ask: z.number().nullable(), lastPrice: z.number().nullable().optional(),
  impliedVolatility: z.number().nullable().optional(), delta: z.number().nullable().optional(), openInterest: z.number().nullable().optional(), volume: z.number().nullable().optional(),
});
const num = z.number();

export interface FinnhubConnector {
  readonly vendor: "finnhub";
  candles(req: { symbol: string; start: string; end: string; signal?: AbortSignal }): Promise<FetchResult<EquityBarRow>>;
  optionChain(req: { symbol: string; signal?: AbortSignal }): Promise<FetchResult<OptionQuoteRow>>;
  /** Endpoints this key was refused (403) — the collector reports them and skips their units. */
  readonly denied: ReadonlySet<string>;
}

export function createFinnhub(options: FinnhubOptions): FinnhubConnector {
  const base = options.baseUrl ?? FINNHUB_URL;
  const http = httpFor(SOURCE, options);
  const now = options.now ?? (() => new Date());
  const headers = { "X-Finnhub-Token": secret(options.apiKey) };
  const denied = new Set<string>();

  async function get(path: string, query: Record<string, string | number>, signal?: AbortSignal): Promise<{ body: unknown; uri: string }> {
    if (denied.has(path)) {
      throw new EntitlementError({ vendor: SOURCE, path, status: 403 }, "refused earlier in this run; not asking again");
    }
    try {
      return await getJson(http, withQuery(`${base}${path}`, query), { headers, ...(signal ? { signal } : {}) });
    } catch (error) {
      if (error instanceof EntitlementError) denied.add(path);
      throw error;
    }
  }

  return {
    vendor: "finnhub",
    denied,

    async candles(req) {
      const path = "/api/v1/stock/candle";
      const res = await get(path, { symbol: req.symbol, resolution: "D", from: dateStartMs(req.start) / 1000, to: dateStartMs(addDays(req.end, 1)) / 1000 - 1 }, req.signal);
      const env = parseEnvelope(candleEnvelope, res.body, SOURCE, res.uri);
      if (env.s === "no_data") return { rows: [], rejected: [], pages: 1 };
      const lin = lineage(SOURCE, res.uri, now);
      const rows: EquityBarRow[] = [];
      const rejected: RejectedRecord[] = [];
      env.t.forEach((tRaw, i) => {
        const parts = [tRaw, env.o[i], env.h[i], env.l[i], env.c[i], env.v[i]].map((x) => num.safeParse(x));
        const [t, o, h, l, c, v] = parts.map((p) => (p.success ? p.data : NaN));
        if (!parts.every((p) => p.success) || t === undefined || o === undefined || h === undefined || l === undefined || c === undefined || v === undefined) {
          rejected.push(schemaReject(SOURCE, res.uri, { t: tRaw, o: env.o[i], h: env.h[i], l: env.l[i], c: env.c[i], v: env.v[i] }, "a candle field is not a number"));
          return;
        }
        // Finnhub stamps daily candles at 00:00 UTC of the session date.
        const date = new Date(t * 1000).toISOString().slice(0, 10);
        rows.push({ symbol: req.symbol, timeframe: "1d", date, ts: t * 1000, open: o, high: h, low: l, close: c, volume: v, vwap: null, trades: null, ...lin });
      });
      const checked = checkBars(rows, { start: req.start, end: req.end });
      return { rows: checked.good, rejected: [...rejected, ...checked.rejected], pages: 1 };
    },

    async optionChain(req) {
      const res = await get("/api/v1/stock/option-chain", { symbol: req.symbol }, req.signal);
      const env = parseEnvelope(chainEnvelope, res.body, SOURCE, res.uri);
      const lin = lineage(SOURCE, res.uri, now);
      const quoteDate = env.lastTradeDate ?? newYorkDate(now().getTime());
      const rows: OptionQuoteRow[] = [];
      const rejected: RejectedRecord[] = [];
      for (const group of env.data ?? []) {
        for (const raw of [...(group.options.CALL ?? []), ...(group.options.PUT ?? [])]) {
          const o = optionSchema.safeParse(raw);
          const occ = o.success ? parseOcc(o.data.contractName) : undefined;
          if (!o.success || !occ) {
            rejected.push(schemaReject(SOURCE, res.uri, raw, o.success ? `"${o.data.contractName}" is not an OCC symbol` : zodDetail(o.error)));
            continue;
          }
          rows.push({
            underlying: req.symbol, contract: o.data.contractName, quote_date: quoteDate, expiry: group.expirationDate, strike: o.data.strike,
            right: occ.right, bid: o.data.bid, ask: o.data.ask, last: o.data.lastPrice ?? null,
            // Finnhub sends implied volatility in percent.
            iv: o.data.impliedVolatility == null ? null : o.data.impliedVolatility / 100,
            // Finnhub stamps the chain's last trade, not each quote: no quote time, so never judged stale.
            delta: o.data.delta ?? null, open_interest: o.data.openInterest ?? null, volume: o.data.volume ?? null, quote_time: null, ...lin,
          });
        }
      }
      return { rows, rejected, pages: 1 };
    },
  };
}
