/**
 * NYSE full-day closures from the exchange's rules, 1990 onwards. No list is fetched at run time: regular
 * holidays are computed from their rules; unscheduled closures are a short table of dated events.
 *
 * Sources (read, not copied):
 *   - NYSE Rule 7.2 ("Holidays"): the nine exchange holidays; a holiday falling on a Saturday is observed the
 *     Friday before and one on a Sunday the Monday after, EXCEPT that the exchange does not close on the
 *     Friday before a Saturday New Year's Day (the end of an accounting period), e.g. 2005-01-01, 2011-01-01,
 *     2022-01-01 were not observed.
 *   - NYSE "Holidays & Trading Hours" pages (2015–2026 editions) for Juneteenth (first observed 2022-06-20)
 *     and recent years.
 *   - "NYSE closings" history compiled from the exchange's own closings list (reproduced in
 *     pandas_market_calendars' nyse.py docstring) for the unscheduled closures and for MLK Day, first
 *     observed by the exchange in 1998.
 */
import {
  dayNumberOf,
  lastWeekdayOf,
  MONDAY,
  nthWeekdayOf,
  parseIsoDate,
  SATURDAY,
  SUNDAY,
  THURSDAY,
  weekdayOf,
} from "./dates.ts";
import { easterSunday } from "./easter.ts";

export interface Closure {
  readonly dayNumber: number;
  readonly name: string;
  readonly kind: "holiday" | "unscheduled";
}

/** Saturday → Friday before, Sunday → Monday after (NYSE Rule 7.2). */
function observedNearestWeekday(dayNumber: number): number {
  const weekday = weekdayOf(dayNumber);
  if (weekday === SATURDAY) return dayNumber - 1;
  if (weekday === SUNDAY) return dayNumber + 1;
  return dayNumber;
}

/**
 * Unscheduled full-day closures since 1990. Each is a dated event: the exchange announced it at the time.
 * National days of mourning for former presidents, 9/11 and Hurricane Sandy.
 */
export const UNSCHEDULED_CLOSURES: readonly { readonly date: string; readonly name: string }[] = [
  { date: "1994-04-27", name: "National day of mourning: President Richard Nixon" },
  { date: "2001-09-11", name: "September 11 attacks" },
  { date: "2001-09-12", name: "September 11 attacks" },
  { date: "2001-09-13", name: "September 11 attacks" },
  { date: "2001-09-14", name: "September 11 attacks" },
  { date: "2004-06-11", name: "National day of mourning: President Ronald Reagan" },
  { date: "2007-01-02", name: "National day of mourning: President Gerald Ford" },
  { date: "2012-10-29", name: "Hurricane Sandy" },
  { date: "2012-10-30", name: "Hurricane Sandy" },
  { date: "2018-12-05", name: "National day of mourning: President George H. W. Bush" },
  { date: "2025-01-09", name: "National day of mourning: President Jimmy Carter" },
];

/** Regular exchange holidays of `year` by rule, with their observed weekday dates. */
export function regularHolidays(year: number): Closure[] {
  const out: Closure[] = [];
  const add = (dayNumber: number, name: string): void => {
    out.push({ dayNumber, name, kind: "holiday" });
  };

  // New Year's Day: Sunday → Monday; Saturday → not observed at all (Rule 7.2 exception).
  const newYear = dayNumberOf(year, 1, 1);
  if (weekdayOf(newYear) === SUNDAY) add(newYear + 1, "New Year's Day (observed)");
  else if (weekdayOf(newYear) !== SATURDAY) add(newYear, "New Year's Day");

  // Martin Luther King Jr. Day: third Monday of January; the NYSE first closed for it in 1998.
  if (year >= 1998) add(nthWeekdayOf(year, 1, MONDAY, 3), "Martin Luther King Jr. Day");

  // Washington's Birthday: third Monday of February (Uniform Monday Holiday Act, in force since 1971).
  add(nthWeekdayOf(year, 2, MONDAY, 3), "Washington's Birthday");

  // Good Friday: not a federal holiday, but an NYSE holiday every year in range.
  add(easterSunday(year) - 2, "Good Friday");

  // Memorial Day: last Monday of May.
  add(lastWeekdayOf(year, 5, MONDAY), "Memorial Day");

  // Juneteenth National Independence Day: first observed by the NYSE on 2022-06-20 (June 19 was a Sunday).
  if (year >= 2022) add(observedNearestWeekday(dayNumberOf(year, 6, 19)), "Juneteenth");

  add(observedNearestWeekday(dayNumberOf(year, 7, 4)), "Independence Day");

  // Labor Day: first Monday of September.
  add(nthWeekdayOf(year, 9, MONDAY, 1), "Labor Day");

  // Thanksgiving: fourth Thursday of November.
  add(nthWeekdayOf(year, 11, THURSDAY, 4), "Thanksgiving Day");

  add(observedNearestWeekday(dayNumberOf(year, 12, 25)), "Christmas Day");
  return out;
}

/** Every full-day closure (regular holiday or unscheduled event) that falls on a weekday of `year`. */
export function closuresOfYear(year: number): Closure[] {
  const closures = regularHolidays(year);
  for (const event of UNSCHEDULED_CLOSURES) {
    const dayNumber = parseIsoDate(event.date);
    if (Number(event.date.slice(0, 4)) === year) closures.push({ dayNumber, name: event.name, kind: "unscheduled" });
  }
  return closures.sort((a, b) => a.dayNumber - b.dayNumber);
}
