/** Runs one unit against its vendor's connector and turns the result into Parquet records and refusals. */
import { UsageError } from "../domain/errors.ts";
import { keySegmentProblem } from "../lake/keys.ts";
import type { AlpacaConnector } from "../vendors/alpaca.ts";
import { addDays } from "../domain/calendar/dates.ts";
import type { FinnhubConnector } from "../vendors/finnhub.ts";
import type { FredConnector } from "../vendors/fred.ts";
import type { PolygonConnector } from "../vendors/polygon.ts";
import type { FetchResult, Lineage, RejectedRecord } from "../vendors/rows.ts";
import { actionRecord, barRecord, contractRecord, macroRecord, quoteRecord, tickerRecord } from "../db/raw-tables.ts";
import type { Unit } from "./plan.ts";

export interface Connectors {
  readonly alpaca?: AlpacaConnector;
  readonly polygon?: PolygonConnector;
  readonly finnhub?: FinnhubConnector;
  readonly fred?: FredConnector;
}

export interface FetchTuning {
  /** Option expiries collected: those within this many days of the quote date (nearest expiries first). */
  readonly optionExpiryDays: number;
  /** Cap on contracts listed per underlying per day (Polygon options sampling); the collector lowers it to what
   *  is left of the day's cap (edge.yml `option_contracts_per_day`) for each page it asks. */
  readonly maxContractsPerUnderlying: number;
  /** Ticker pages fetched per pass; the cursor persists in the manifest between passes. */
  readonly tickerPagesPerPass: number;
}

export interface UnitData {
  readonly records: Record<string, unknown>[];
  readonly rejected: RejectedRecord[];
  readonly pages: number;
  readonly cursorNext?: string;
}

function need<T>(connector: T | undefined, vendor: string): T {
  if (connector === undefined) throw new UsageError("vendor_not_configured", `no ${vendor} connector is configured`);
  return connector;
}

/** Row fields that name an instrument; each ends up in lake keys downstream (curated parts are keyed by symbol). */
const NAME_FIELDS = ["symbol", "underlying", "contract", "series_id"] as const;

/**
 * Why a vendor row names an instrument the lake cannot key, if it does. Checked once, here, as rows enter the
 * lake, with the lake's own rule: a hostile name is quarantined with its reason and the rest of the unit proceeds
 * (before, it reached curation, which then failed on every run).
 */
function nameProblem(row: object): string | undefined {
  for (const field of NAME_FIELDS) {
    const value: unknown = (row as Record<string, unknown>)[field];
    if (typeof value !== "string") continue;
    const problem = keySegmentProblem(value);
    if (problem !== undefined) return `${field} ${problem}`;
  }
  return undefined;
}

function data<T extends Lineage>(result: FetchResult<T>, toRecord: (row: T) => Record<string, unknown>): UnitData {
  const records: Record<string, unknown>[] = [];
  const rejected = [...result.rejected];
  for (const row of result.rows) {
    const problem = nameProblem(row);
    if (problem === undefined) records.push(toRecord(row));
    else rejected.push({ reason: "bad_symbol", detail: problem, source_name: row.source_name, source_uri: row.source_uri, raw: row });
  }
  return { records, rejected, pages: result.pages };
}

export async function fetchUnit(unit: Unit, connectors: Connectors, tuning: FetchTuning, signal?: AbortSignal): Promise<UnitData> {
  const sig = signal ? { signal } : {};
  const one = unit.series[0] ?? "";
  const key = `${unit.vendor}/${unit.dataset}`;
  switch (key) {
    case "alpaca/equities_bars":
    case "alpaca/equities_minute":
      return data(await need(connectors.alpaca, "alpaca").stockBars({ symbols: unit.series, timeframe: unit.dataset === "equities_bars" ? "1d" : "1m", start: unit.start, end: unit.end, ...sig }), barRecord);
    case "alpaca/corporate_actions":
      return data(await need(connectors.alpaca, "alpaca").corporateActions({ symbols: unit.series, start: unit.start, end: unit.end, ...sig }), actionRecord);
    case "alpaca/options_chains": {
      const res = await need(connectors.alpaca, "alpaca").optionSnapshots({ underlying: one, quoteDate: unit.start, ...sig });
      const until = addDays(unit.start, tuning.optionExpiryDays);
      return data({ ...res, rows: res.rows.filter((r) => r.expiry <= until) }, quoteRecord);
    }
    case "polygon/equities_bars":
    case "polygon/equities_minute":
      return data(await need(connectors.polygon, "polygon").aggregates({ ticker: one, timeframe: unit.dataset === "equities_bars" ? "1d" : "1m", start: unit.start, end: unit.end, ...sig }), barRecord);
    case "polygon/corporate_actions": {
      const polygon = need(connectors.polygon, "polygon");
      const splits = await polygon.splits({ ticker: one, start: unit.start, end: unit.end, ...sig });
      const dividends = await polygon.dividends({ ticker: one, start: unit.start, end: unit.end, ...sig });
      return data({ rows: [...splits.rows, ...dividends.rows], rejected: [...splits.rejected, ...dividends.rejected], pages: splits.pages + dividends.pages }, actionRecord);
    }
    case "polygon/options_contracts": {
      // One page per call: the collector commits each page with the cursor after it before asking for the next.
      const res = await need(connectors.polygon, "polygon").optionContracts({
        underlying: one, asOf: unit.start, expiryUntil: addDays(unit.start, tuning.optionExpiryDays), maxContracts: tuning.maxContractsPerUnderlying,
        maxPages: 1, ...(unit.cursor ? { cursor: unit.cursor } : {}), ...sig,
      });
      return { ...data(res, contractRecord), cursorNext: res.nextCursor };
    }
    case "polygon/tickers": {
      const res = await need(connectors.polygon, "polygon").tickers({ ...(unit.cursor ? { cursor: unit.cursor } : {}), maxPages: tuning.tickerPagesPerPass, ...sig });
      return { ...data(res, (r) => tickerRecord(r, unit.start)), cursorNext: res.nextCursor ?? "" };
    }
    case "finnhub/equities_bars":
      return data(await need(connectors.finnhub, "finnhub").candles({ symbol: one, start: unit.start, end: unit.end, ...sig }), barRecord);
    case "finnhub/options_chains": {
      const res = await need(connectors.finnhub, "finnhub").optionChain({ symbol: one, ...sig });
      const until = addDays(unit.start, tuning.optionExpiryDays);
      return data({ ...res, rows: res.rows.filter((r) => r.expiry <= until) }, quoteRecord);
    }
    case "fred/treasury_curve":
      return data(await need(connectors.fred, "fred").observations({ seriesId: one, start: unit.start, end: unit.end, ...sig }), macroRecord);
    default:
      throw new UsageError("unknown_dataset", `the collector has no fetcher for ${key}`);
  }
}
