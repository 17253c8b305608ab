/**
 * The NYSE sessions of a date range as a DuckDB temp table, for SQL that counts sessions (label horizons, session
 * windows) or needs the open and close instants (minute bars). The calendar is the one in src/domain/calendar.
 */
import { sessions as calendarSessions, type IsoDate } from "../domain/calendar/index.ts";
import type { DuckSession } from "./session.ts";
import { sqlIdentifier } from "./sql-literal.ts";

const CHUNK = 2000;

/**
 * Creates (or replaces) temp table `name` (date DATE, i INTEGER, open_ms BIGINT, close_ms BIGINT, minutes INTEGER):
 * one row per session in [from, to], `i` counting sessions from 0 in date order. An empty range gives no rows.
 */
export async function createSessionTable(duck: DuckSession, name: string, from: IsoDate, to: IsoDate): Promise<number> {
  const table = sqlIdentifier(name);
  await duck.run(`CREATE OR REPLACE TEMP TABLE ${table} (date DATE, i INTEGER, open_ms BIGINT, close_ms BIGINT, minutes INTEGER)`);
  const list = from > to ? [] : calendarSessions(from, to);
  for (let start = 0; start < list.length; start += CHUNK) {
    const values = list
      .slice(start, start + CHUNK)
      .map((s, k) => `(DATE '${s.date}', ${start + k}, ${s.openMs}, ${s.closeMs}, ${s.minutes})`)
      .join(", ");
    await duck.run(`INSERT INTO ${table} VALUES ${values}`);
  }
  return list.length;
}
