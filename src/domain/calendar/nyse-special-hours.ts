/**
 * NYSE sessions with non-regular hours from 1990 on: the scheduled early closes around Independence Day,
 * Thanksgiving and Christmas, and the few unscheduled late opens / early closes (snow, systems, moments of
 * silence). Regular hours are 09:30–16:00 New York time.
 *
 * Scheduled early closes (sources: NYSE Rule 7.2 holiday notices and the NYSE closings history reproduced in
 * pandas_market_calendars' nyse.py; read, not copied):
 *   - Before 1993 the customary early close was 14:00; from 1993 it is 13:00.
 *   - Day after Thanksgiving: first shortened in 1992 (14:00); 13:00 every year since 1993.
 *   - Christmas Eve on Monday–Thursday: 14:00 in 1990–1992, 13:00 since 1993 (1993–1995 had no weekday
 *     Christmas Eve that was not itself a holiday). A Friday Christmas Eve is the observed Christmas holiday.
 *   - July 3 on Monday, Tuesday or Thursday: 13:00 since 1995. On a Wednesday it was a full day until 2012
 *     and the following Friday July 5 closed at 13:00 instead (1996, 2002); since 2013 the Wednesday July 3
 *     closes at 13:00 and Friday July 5 is a full day.
 *   - Friday after a Thursday Christmas: 13:00 only in 1997 and 2003 (2008, 2014, 2025 were full days).
 * Unscheduled (same closings history): 1990-12-27 late open after a Con Edison transformer explosion — the
 * closings list says 11:00 while pandas_market_calendars codes 09:31; we follow the exchange's list.
 */
import { dayNumberOf, FRIDAY, MONDAY, nthWeekdayOf, THURSDAY, TUESDAY, WEDNESDAY, weekdayOf } from "./dates.ts";

/** Minutes after midnight, New York time. */
export const REGULAR_OPEN = 9 * 60 + 30;
export const REGULAR_CLOSE = 16 * 60;

export interface SpecialHours {
  readonly dayNumber: number;
  readonly open: number;
  readonly close: number;
  readonly reason: string;
  readonly kind: "early_close" | "late_open" | "late_open_early_close";
}

const hm = (hours: number, minutes = 0): number => hours * 60 + minutes;

interface DatedSpecial {
  readonly date: readonly [number, number, number];
  readonly open?: number;
  readonly close?: number;
  readonly reason: string;
}

/** Dated, one-off shortened sessions since 1990 (NYSE closings history). */
const UNSCHEDULED_SPECIAL_HOURS: readonly DatedSpecial[] = [
  { date: [1990, 12, 27], open: hm(11), reason: "Con Edison transformer explosion" },
  { date: [1991, 1, 17], open: hm(9, 31), reason: "Moment of silence: troops in the Persian Gulf" },
  { date: [1991, 2, 25], open: hm(9, 31), reason: "Moment of silence: troops in the Persian Gulf" },
  { date: [1994, 2, 11], close: hm(14, 30), reason: "Snowstorm" },
  { date: [1995, 12, 18], open: hm(10, 30), reason: "Computer system troubles" },
  { date: [1996, 1, 8], open: hm(11), close: hm(14), reason: "Snowstorm" },
  { date: [1997, 10, 27], close: hm(15, 30), reason: "Market-wide circuit breaker" },
  { date: [1997, 12, 26], close: hm(13), reason: "Friday after Christmas" },
  { date: [2001, 9, 17], open: hm(9, 33), reason: "Moment of silence: September 11" },
  { date: [2001, 10, 8], open: hm(9, 31), reason: "Moment of silence: Operation Enduring Freedom" },
  { date: [2002, 9, 11], open: hm(12), reason: "First anniversary of September 11" },
  { date: [2003, 3, 20], open: hm(9, 32), reason: "Moment of silence: Operation Iraqi Freedom" },
  { date: [2003, 12, 26], close: hm(13), reason: "Friday after Christmas" },
  { date: [2004, 6, 7], open: hm(9, 32), reason: "Moment of silence: President Ronald Reagan" },
  { date: [2005, 6, 1], close: hm(15, 56), reason: "Systems communication problem" },
  { date: [2006, 12, 27], open: hm(9, 32), reason: "Moment of silence: President Gerald Ford" },
];

function scheduledEarlyCloses(year: number): { dayNumber: number; close: number; reason: string }[] {
  const out: { dayNumber: number; close: number; reason: string }[] = [];
  const customary = year < 1993 ? hm(14) : hm(13);

  if (year >= 1992) out.push({ dayNumber: nthWeekdayOf(year, 11, THURSDAY, 4) + 1, close: customary, reason: "Day after Thanksgiving" });

  const christmasEve = dayNumberOf(year, 12, 24);
  const eveWeekday = weekdayOf(christmasEve);
  if (eveWeekday >= MONDAY && eveWeekday <= THURSDAY) out.push({ dayNumber: christmasEve, close: customary, reason: "Christmas Eve" });

  const july3 = dayNumberOf(year, 7, 3);
  const july3Weekday = weekdayOf(july3);
  if (year >= 1995 && (july3Weekday === MONDAY || july3Weekday === TUESDAY || july3Weekday === THURSDAY)) {
    out.push({ dayNumber: july3, close: hm(13), reason: "Day before Independence Day" });
  }
  if (year >= 2013 && july3Weekday === WEDNESDAY) out.push({ dayNumber: july3, close: hm(13), reason: "Day before Independence Day" });
  const july5 = dayNumberOf(year, 7, 5);
  if (year >= 1996 && year <= 2012 && weekdayOf(july5) === FRIDAY) {
    out.push({ dayNumber: july5, close: hm(13), reason: "Day after Independence Day" });
  }
  return out;
}

/** Non-regular hours of `year`, keyed by day number. Callers drop any that fall on a closure. */
export function specialHoursOfYear(year: number): Map<number, SpecialHours> {
  const out = new Map<number, SpecialHours>();
  for (const early of scheduledEarlyCloses(year)) {
    out.set(early.dayNumber, { dayNumber: early.dayNumber, open: REGULAR_OPEN, close: early.close, reason: early.reason, kind: "early_close" });
  }
  for (const special of UNSCHEDULED_SPECIAL_HOURS) {
    const [y, m, d] = special.date;
    if (y !== year) continue;
    const dayNumber = dayNumberOf(y, m, d);
    const open = special.open ?? REGULAR_OPEN;
    const close = special.close ?? REGULAR_CLOSE;
    const kind = open !== REGULAR_OPEN && close !== REGULAR_CLOSE ? "late_open_early_close" : open !== REGULAR_OPEN ? "late_open" : "early_close";
    out.set(dayNumber, { dayNumber, open, close, reason: special.reason, kind });
  }
  return out;
}
