/**
 * Calendar-day arithmetic on ISO dates ("YYYY-MM-DD") in UTC. Vendors, the simulator and the collector all
 * speak ISO dates; a day number (days since 1970-01-01) makes ranges and clamps plain integer arithmetic.
 */
import { UsageError } from "../domain/errors.ts";

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 for an ISO date; throws a usage error for anything that is not a real date. */
export function dayNumber(iso: string): number {
  const match = ISO_DATE.exec(iso);
  if (!match) throw new UsageError("bad_date", `"${iso}" is not a date in YYYY-MM-DD form`);
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  const day = ms / MS_PER_DAY;
  if (isoDate(day) !== iso) throw new UsageError("bad_date", `"${iso}" is not a calendar date`);
  return day;
}

export function isoDate(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

export function addDays(iso: string, days: number): string {
  return isoDate(dayNumber(iso) + days);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(iso: string): number {
  return new Date(dayNumber(iso) * MS_PER_DAY).getUTCDay();
}

export function isWeekday(iso: string): boolean {
  const d = weekday(iso);
  return d !== 0 && d !== 6;
}

/** Every date from `start` to `end`, both inclusive. */
export function datesBetween(start: string, end: string): string[] {
  const out: string[] = [];
  for (let d = dayNumber(start); d <= dayNumber(end); d++) out.push(isoDate(d));
  return out;
}

export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export function minDate(a: string, b: string): string {
  return a <= b ? a : b;
}

export function maxDate(a: string, b: string): string {
  return a >= b ? a : b;
}

/** Unix milliseconds of 00:00 UTC on an ISO date. */
export function dateStartMs(iso: string): number {
  return dayNumber(iso) * MS_PER_DAY;
}
