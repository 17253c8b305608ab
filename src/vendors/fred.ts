/**
 * FRED API (fred.stlouisfed.org/docs/api/fred/series_observations.html): observations with their vintages
 * (`realtime_start`/`realtime_end`), paged by `offset`/`limit` (100 000 max). Values are strings and "."
 * means no observation, which we keep as null rather than drop, so a gap is visible downstream.
 */
import { z } from "zod";
import { getJson } from "./http.ts";
import { httpFor, lineage, schemaReject, secret, withQuery, type ConnectorOptions } from "./connector.ts";
import { parseEnvelope, zodDetail } from "./alpaca.ts";
import type { FetchResult, MacroObservationRow, RejectedRecord } from "./rows.ts";

export const FRED_URL = "https://api.stlouisfed.org";
const SOURCE = "fred";

export interface FredOptions extends ConnectorOptions {
  readonly apiKey: string;
  readonly pageLimit?: number;
}

const envelope = z.object({ count: z.number(), offset: z.number(), limit: z.number(), observations: z.array(z.unknown()) });
const observation = z.object({ date: z.string(), value: z.string(), realtime_start: z.string(), realtime_end: z.string() });

export interface FredConnector {
  readonly vendor: "fred";
  observations(req: { seriesId: string; start: string; end: string; realtimeStart?: string; realtimeEnd?: string; signal?: AbortSignal }): Promise<FetchResult<MacroObservationRow>>;
}

export function createFred(options: FredOptions): FredConnector {
  const base = options.baseUrl ?? FRED_URL;
  const http = httpFor(SOURCE, options);
  const now = options.now ?? (() => new Date());
  const key = secret(options.apiKey);
  return {
    vendor: "fred",
    async observations(req) {
      const rows: MacroObservationRow[] = [];
      const rejected: RejectedRecord[] = [];
      const limit = options.pageLimit ?? 100_000;
      let pages = 0;
      for (let offset = 0; ; offset += limit) {
        const url = withQuery(`${base}/fred/series/observations`, {
          series_id: req.seriesId, api_key: key, file_type: "json", observation_start: req.start, observation_end: req.end,
          realtime_start: req.realtimeStart, realtime_end: req.realtimeEnd, limit, offset,
        });
        const res = await getJson(http, url, req.signal ? { signal: req.signal } : {});
        pages++;
        const env = parseEnvelope(envelope, res.body, SOURCE, res.uri);
        const lin = lineage(SOURCE, res.uri, now);
        for (const raw of env.observations) {
          const o = observation.safeParse(raw);
          if (!o.success) {
            rejected.push(schemaReject(SOURCE, res.uri, raw, zodDetail(o.error)));
            continue;
          }
          const value = o.data.value === "." ? null : Number(o.data.value);
          if (value !== null && !Number.isFinite(value)) {
            rejected.push({ reason: "non_finite", detail: `value "${o.data.value}" is neither a number nor "."`, source_name: SOURCE, source_uri: res.uri, raw });
            continue;
          }
          rows.push({ series_id: req.seriesId, date: o.data.date, value, realtime_start: o.data.realtime_start, realtime_end: o.data.realtime_end, ...lin });
        }
        if (env.observations.length < limit || offset + limit >= env.count) break;
      }
      return { rows, rejected, pages };
    },
  };
}
