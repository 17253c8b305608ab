/**
 * FRED API shapes (fred.stlouisfed.org/docs/api/fred/series_observations.html): observations with
 * `realtime_start`/`realtime_end` vintages and string values where "." means missing; `offset`/`limit` paging;
 * errors as `{error_code, error_message}`. Here a value is first published the next weekday and never revised,
 * so a vintage query sees an observation only once its publication date falls inside the real-time period.
 */
import { addDays, datesBetween, isWeekday } from "../domain/calendar/dates.ts";
import { TREASURY_SERIES } from "./market.ts";
import { uniformFor } from "./random.ts";
import { clampLimit } from "./paging.ts";
import type { SimHandler, SimResponse } from "./types.ts";

const error = (status: number, message: string): SimResponse => ({ status, body: { error_code: status, error_message: message } });

function publication(date: string): string {
  let d = addDays(date, 1);
  while (!isWeekday(d)) d = addDays(d, 1);
  return d;
}

const observations: SimHandler = (req) => {
  if (!req.query.get("api_key")) return error(400, "Bad Request.  Variable api_key is not set.");
  if (req.query.get("file_type") !== "json") return error(400, "Bad Request.  The simulator serves file_type=json only.");
  const series = req.query.get("series_id") ?? "";
  if (!(TREASURY_SERIES as readonly string[]).includes(series)) return error(400, "Bad Request.  The series does not exist.");
  const yesterday = addDays(req.today, -1);
  // FRED's real-time period defaults to today: the latest vintage.
  const rtStart = req.query.get("realtime_start") ?? req.today;
  const rtEnd = req.query.get("realtime_end") ?? req.today;
  const obsStart = req.query.get("observation_start") ?? "2018-01-01";
  const obsEnd = req.query.get("observation_end") ?? yesterday;
  const all: { realtime_start: string; realtime_end: string; date: string; value: string }[] = [];
  for (const date of datesBetween(obsStart, obsEnd > yesterday ? yesterday : obsEnd)) {
    if (!isWeekday(date)) continue;
    const published = publication(date);
    if (published > rtEnd || published > req.today) continue;
    // Holidays, and a few keyed days besides, have no print: FRED returns "." for them.
    const yieldPct = req.market.treasuryYield(series, date);
    const value = yieldPct === undefined || uniformFor(7, "fred-missing", date) < 0.02 ? "." : yieldPct.toFixed(2);
    all.push({ realtime_start: published > rtStart ? published : rtStart, realtime_end: rtEnd, date, value });
  }
  const limit = clampLimit(req.query.get("limit"), 100_000, 100_000);
  const offset = Number(req.query.get("offset") ?? "0");
  const page = all.slice(offset, offset + limit);
  return {
    status: 200,
    body: {
      realtime_start: rtStart, realtime_end: rtEnd, observation_start: obsStart, observation_end: obsEnd,
      units: "lin", output_type: 1, file_type: "json", order_by: "observation_date", sort_order: "asc",
      count: all.length, offset, limit, observations: page,
    },
  };
};

export function fredRoute(path: string): SimHandler | undefined {
  return path === "/fred/series/observations" ? observations : undefined;
}

export function fredError(status: number, message: string): unknown {
  return { error_code: status, error_message: message };
}
