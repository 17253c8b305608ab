/**
 * Calendar dates as "YYYY-MM-DD" strings and day numbers (days since 1970-01-01), the one home of date helpers:
 * the calendar, vendors, the simulator and the collector all speak ISO dates, and a day number makes ranges and
 * clamps plain integer arithmetic. Pure integer arithmetic on the proleptic Gregorian calendar via Date.UTC, so
 * no local time zone and no DST can shift a date.
 */
import { UsageError } from "../errors.ts";

/** A calendar date, always "YYYY-MM-DD". */
export type IsoDate = string;

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;
export const SUNDAY = 0;
export const MONDAY = 1;
export const TUESDAY = 2;
export const WEDNESDAY = 3;
export const THURSDAY = 4;
export const FRIDAY = 5;
export const SATURDAY = 6;

/** Day number of a valid (year, month 1–12, day) triple. */
export function dayNumberOf(year: number, month: number, day: number): number {
  return Math.round(Date.UTC(year, month - 1, day) / DAY_MS);
}

/** True when `text` is a real calendar date in "YYYY-MM-DD" form (rejects 2023-02-29, 2024-13-01, "2024-1-1"). */
export function isIsoDate(text: string): boolean {
  const match = ISO_DATE.exec(text);
  if (match === null) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  return isoDateOf(dayNumberOf(year, month, day)) === text;
}

/**
 * Parses "YYYY-MM-DD" into a day number. `what` names the input in the error ("--from", "session date").
 * Bad input is the caller's mistake, so it is a UsageError (exit 2 at the CLI).
 */
export function parseIsoDate(text: string, what = "date"): number {
  if (!isIsoDate(text)) {
    throw new UsageError("bad_date", `${what} must be a real calendar date as YYYY-MM-DD, not "${text}"`);
  }
  return Math.round(Date.parse(`${text}T00:00:00Z`) / DAY_MS);
}

/** "YYYY-MM-DD" of a day number. */
export function isoDateOf(dayNumber: number): IsoDate {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. 1970-01-01 was a Thursday. */
export function weekdayOf(dayNumber: number): Weekday {
  return (((dayNumber + THURSDAY) % 7) + 7) % 7 as Weekday;
}

/** The n-th (1-based) given weekday of a month, e.g. the third Monday of January. */
export function nthWeekdayOf(year: number, month: number, weekday: Weekday, n: number): number {
  const first = dayNumberOf(year, month, 1);
  const shift = (weekday - weekdayOf(first) + 7) % 7;
  return first + shift + (n - 1) * 7;
}

/** The last given weekday of a month, e.g. the last Monday of May. */
export function lastWeekdayOf(year: number, month: number, weekday: Weekday): number {
  const last = dayNumberOf(year, month + 1, 0);
  return last - ((weekdayOf(last) - weekday + 7) % 7);
}

/** Year of a day number. */
export function yearOf(dayNumber: number): number {
  return new Date(dayNumber * DAY_MS).getUTCFullYear();
}

/** The date `days` calendar days after (or before, when negative) `iso`. */
export function addDays(iso: string, days: number): IsoDate {
  return isoDateOf(parseIsoDate(iso) + days);
}

export function isWeekday(iso: string): boolean {
  const day = weekdayOf(parseIsoDate(iso));
  return day !== SUNDAY && day !== SATURDAY;
}

/** Every date from `start` to `end`, both inclusive. */
export function datesBetween(start: string, end: string): IsoDate[] {
  const out: IsoDate[] = [];
  for (let d = parseIsoDate(start); d <= parseIsoDate(end); d++) out.push(isoDateOf(d));
  return out;
}

/** Today's date in UTC. */
export function todayUtc(now: Date = new Date()): IsoDate {
  return now.toISOString().slice(0, 10);
}

/** The later of two ISO dates (they sort as strings). */
export function maxDate(a: string, b: string): string {
  return a >= b ? a : b;
}

/** Unix milliseconds of 00:00 UTC on an ISO date. */
export function dateStartMs(iso: string): number {
  return parseIsoDate(iso) * DAY_MS;
}

export { DAY_MS };
