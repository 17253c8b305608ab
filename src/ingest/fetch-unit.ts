/** Runs one unit against its vendor's connector and turns the result into Parquet records and refusals. */
import { UsageError } from "../domain/errors.ts";
import type { AlpacaConnector } from "../vendors/alpaca.ts";
import { addDays } from "../domain/calendar/dates.ts";
import type { FinnhubConnector } from "../vendors/finnhub.ts";
import type { FredConnector } from "../vendors/fred.ts";
import type { PolygonConnector } from "../vendors/polygon.ts";
import type { FetchResult, RejectedRecord } from "../vendors/rows.ts";
import { actionRecord, barRecord, contractRecord, macroRecord, quoteRecord, tickerRecord } from "./datasets.ts";
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
  /** Cap on contracts listed per underlying per day (Polygon options sampling). */
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

function data<T>(result: FetchResult<T>, toRecord: (row: T) => Record<string, unknown>): UnitData {
  return { records: result.rows.map(toRecord), rejected: result.rejected, pages: result.pages };
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
    case "polygon/options_contracts":
      return data(await need(connectors.polygon, "polygon").optionContracts({ underlying: one, asOf: unit.start, expiryUntil: addDays(unit.start, tuning.optionExpiryDays), maxContracts: tuning.maxContractsPerUnderlying, ...sig }), contractRecord);
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
