/**
 * New York local time → UTC for session hours, from the US daylight-saving rules rather than the host's
 * time-zone database (a Pi may lack full ICU data, and the result must not depend on the host):
 *   - 1987–2006: first Sunday of April to last Sunday of October (Uniform Time Act of 1966 as amended in
 *     1986, 15 U.S.C. §260a);
 *   - 2007 on: second Sunday of March to first Sunday of November (Energy Policy Act of 2005, §110).
 * Changes happen at 02:00 local on a Sunday, never during a session, so a whole date is either EST or EDT.
 */
import { DAY_MS, isoDateOf, lastWeekdayOf, nthWeekdayOf, SUNDAY, yearOf, type IsoDate } from "./dates.ts";

/** True when New York observes daylight time (UTC−4) on that day's trading hours. */
export function isEasternDaylightTime(dayNumber: number): boolean {
  const year = yearOf(dayNumber);
  const start = year >= 2007 ? nthWeekdayOf(year, 3, SUNDAY, 2) : nthWeekdayOf(year, 4, SUNDAY, 1);
  const end = year >= 2007 ? nthWeekdayOf(year, 11, SUNDAY, 1) : lastWeekdayOf(year, 10, SUNDAY);
  return dayNumber >= start && dayNumber < end;
}

/** Hours New York is behind UTC on that day: 4 (EDT) or 5 (EST). */
export function newYorkHoursBehindUtc(dayNumber: number): 4 | 5 {
  return isEasternDaylightTime(dayNumber) ? 4 : 5;
}

/** Epoch milliseconds of a New York wall-clock time (minutes after midnight) on a day. */
export function newYorkToEpochMs(dayNumber: number, minuteOfDay: number): number {
  return dayNumber * DAY_MS + (minuteOfDay + newYorkHoursBehindUtc(dayNumber) * 60) * 60_000;
}

/** The New York calendar date of a UTC instant (bars are stamped in UTC; sessions are New York dates). */
export function newYorkDate(epochMs: number): IsoDate {
  const utcDay = Math.floor(epochMs / DAY_MS);
  const local = epochMs - newYorkHoursBehindUtc(utcDay) * 3_600_000;
  return isoDateOf(Math.floor(local / DAY_MS));
}
