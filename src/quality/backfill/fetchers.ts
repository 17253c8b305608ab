/**
 * Backfill fetchers over the vendor connectors. Each request goes through the connector's rate governor, which
 * spends the vendor's shared daily budget and throws BudgetExhaustedError when it is gone.
 */
import type { AlpacaConnector } from "../../vendors/alpaca.ts";
import type { PolygonConnector } from "../../vendors/polygon.ts";
import type { EquityBarRow } from "../../vendors/rows.ts";
import { UsageError } from "../../domain/errors.ts";
import type { BackfillFetcher, BackfillTask } from "./types.ts";

function timeframeOf(task: BackfillTask): "1d" | "1m" {
  if (task.granularity === "events" || task.granularity === "chains") throw new UsageError("not_bars", `${task.table} holds ${task.granularity}, not bars`);
  return task.granularity === "daily" ? "1d" : "1m";
}

/** Daily or minute bars from Alpaca's multi-symbol bars endpoint: one request (plus pages) per task. */
export function alpacaBarsFetcher(connector: Pick<AlpacaConnector, "stockBars">): BackfillFetcher {
  return async (task, signal) => {
    const result = await connector.stockBars({
      symbols: task.symbols,
      timeframe: timeframeOf(task),
      start: task.start,
      end: task.end,
      ...(signal === undefined ? {} : { signal }),
    });
    return { kind: "bars", rows: result.rows, rejected: result.rejected.length };
  };
}

/** Splits and cash dividends from Alpaca's corporate-actions endpoint, many symbols per request. */
export function alpacaActionsFetcher(connector: Pick<AlpacaConnector, "corporateActions">): BackfillFetcher {
  return async (task, signal) => {
    const result = await connector.corporateActions({ symbols: task.symbols, start: task.start, end: task.end, ...(signal === undefined ? {} : { signal }) });
    return { kind: "actions", rows: result.rows, rejected: result.rejected.length };
  };
}

/**
 * Daily or minute aggregates from Polygon, one ticker per request (its aggregates endpoint takes one ticker;
 * the free tier serves about two years, so older ranges come back empty).
 */
export function polygonBarsFetcher(connector: Pick<PolygonConnector, "aggregates">): BackfillFetcher {
  return async (task, signal) => {
    const rows: EquityBarRow[] = [];
    let rejected = 0;
    for (const ticker of task.symbols) {
      const result = await connector.aggregates({
        ticker,
        timeframe: timeframeOf(task),
        start: task.start,
        end: task.end,
        ...(signal === undefined ? {} : { signal }),
      });
      rows.push(...result.rows);
      rejected += result.rejected.length;
    }
    return { kind: "bars", rows, rejected };
  };
}
