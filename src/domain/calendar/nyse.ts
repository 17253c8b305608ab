/**
 * The NYSE trading calendar, 1990-01-01 … 2035-12-31, as pure functions over "YYYY-MM-DD" strings.
 * Sessions are computed once from the rules (nyse-holidays.ts, nyse-special-hours.ts) on first use.
 * Expected rows: one daily bar per session; one minute bar per minute between open and close (390 on a
 * regular 09:30–16:00 day, 210 on a 13:00 early close).
 */
import { UsageError } from "../errors.ts";
import { dayNumberOf, type IsoDate, isoDateOf, parseIsoDate, SATURDAY, SUNDAY, weekdayOf } from "./dates.ts";
import { closuresOfYear, type Closure } from "./nyse-holidays.ts";
import { REGULAR_CLOSE, REGULAR_OPEN, specialHoursOfYear } from "./nyse-special-hours.ts";
import { newYorkToEpochMs } from "./time-zone.ts";

export const CALENDAR_FIRST_DATE: IsoDate = "1990-01-01";
export const CALENDAR_LAST_DATE: IsoDate = "2035-12-31";
const FIRST_YEAR = 1990;
const LAST_YEAR = 2035;

export type SessionKind = "regular" | "early_close" | "late_open" | "late_open_early_close";

export interface Session {
  readonly date: IsoDate;
  /** New York wall-clock open, "HH:MM". */
  readonly open: string;
  /** New York wall-clock close, "HH:MM". */
  readonly close: string;
  /** Epoch milliseconds of the open and close (UTC instants). */
  readonly openMs: number;
  readonly closeMs: number;
  /** Minutes between open and close = expected minute bars. */
  readonly minutes: number;
  readonly kind: SessionKind;
  /** Why the hours differ from 09:30–16:00, when they do. */
  readonly reason?: string;
}

export interface NonSession {
  readonly date: IsoDate;
  readonly reason: "weekend" | "holiday" | "unscheduled";
  readonly name: string;
}

interface CalendarTable {
  readonly sessions: readonly Session[];
  /** Day number of each session, parallel to `sessions` (sorted; binary-searched). */
  readonly days: readonly number[];
  /** day number → index into sessions */
  readonly indexByDay: ReadonlyMap<number, number>;
  readonly closures: ReadonlyMap<number, Closure>;
  readonly firstDay: number;
  readonly lastDay: number;
}

let table: CalendarTable | undefined;

function clock(minuteOfDay: number): string {
  return `${String(Math.floor(minuteOfDay / 60)).padStart(2, "0")}:${String(minuteOfDay % 60).padStart(2, "0")}`;
}

function buildTable(): CalendarTable {
  const sessions: Session[] = [];
  const days: number[] = [];
  const indexByDay = new Map<number, number>();
  const closures = new Map<number, Closure>();
  for (let year = FIRST_YEAR; year <= LAST_YEAR; year += 1) {
    for (const closure of closuresOfYear(year)) closures.set(closure.dayNumber, closure);
    const special = specialHoursOfYear(year);
    const last = dayNumberOf(year, 12, 31);
    for (let day = dayNumberOf(year, 1, 1); day <= last; day += 1) {
      const weekday = weekdayOf(day);
      if (weekday === SATURDAY || weekday === SUNDAY || closures.has(day)) continue;
      const hours = special.get(day);
      const open = hours?.open ?? REGULAR_OPEN;
      const close = hours?.close ?? REGULAR_CLOSE;
      indexByDay.set(day, sessions.length);
      days.push(day);
      sessions.push({
        date: isoDateOf(day),
        open: clock(open),
        close: clock(close),
        openMs: newYorkToEpochMs(day, open),
        closeMs: newYorkToEpochMs(day, close),
        minutes: close - open,
        kind: hours?.kind ?? "regular",
        ...(hours === undefined ? {} : { reason: hours.reason }),
      });
    }
  }
  return { sessions, days, indexByDay, closures, firstDay: dayNumberOf(FIRST_YEAR, 1, 1), lastDay: dayNumberOf(LAST_YEAR, 12, 31) };
}

function calendar(): CalendarTable {
  table ??= buildTable();
  return table;
}

/** Parses and range-checks a date; outside 1990–2035 the calendar has no rules, so it refuses to guess. */
function dayInRange(date: IsoDate, what: string): number {
  const day = parseIsoDate(date, what);
  const { firstDay, lastDay } = calendar();
  if (day < firstDay || day > lastDay) {
    throw new UsageError(
      "date_out_of_calendar",
      `${what} ${date} is outside the NYSE calendar's range ${CALENDAR_FIRST_DATE}..${CALENDAR_LAST_DATE}`,
    );
  }
  return day;
}

/** True when the NYSE holds a session on `date`. */
export function isSession(date: IsoDate): boolean {
  return calendar().indexByDay.has(dayInRange(date, "date"));
}

/** The session on `date`, or undefined on a weekend, holiday or unscheduled closure. */
export function sessionOn(date: IsoDate): Session | undefined {
  const { indexByDay, sessions } = calendar();
  const index = indexByDay.get(dayInRange(date, "date"));
  return index === undefined ? undefined : sessions[index];
}

/** Why `date` has no session, or undefined when it has one. */
export function nonSessionReason(date: IsoDate): NonSession | undefined {
  const day = dayInRange(date, "date");
  const { indexByDay, closures } = calendar();
  if (indexByDay.has(day)) return undefined;
  const closure = closures.get(day);
  if (closure !== undefined) return { date, reason: closure.kind, name: closure.name };
  return { date, reason: "weekend", name: weekdayOf(day) === SATURDAY ? "Saturday" : "Sunday" };
}

/** Sessions with from ≤ date ≤ to, in order. */
export function sessions(from: IsoDate, to: IsoDate): Session[] {
  const first = dayInRange(from, "from");
  const last = dayInRange(to, "to");
  if (last < first) throw new UsageError("bad_date_range", `the range ends (${to}) before it starts (${from})`);
  const { sessions: all, days } = calendar();
  return all.slice(lowerBound(days, first), lowerBound(days, last + 1));
}

/** Index of the first session on or after `day`. */
function lowerBound(days: readonly number[], day: number): number {
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((days[mid] ?? Infinity) < day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Expected one-minute bars on `date`: 390 on a regular session, fewer on shortened ones, 0 when closed. */
export function expectedMinuteBars(date: IsoDate): number {
  return sessionOn(date)?.minutes ?? 0;
}

/** Expected daily bars on `date`: 1 on a session, 0 otherwise. */
export function expectedDailyBars(date: IsoDate): number {
  return sessionOn(date) === undefined ? 0 : 1;
}

/** The first session strictly after `date`. Throws when it would fall after 2035. */
export function nextSession(date: IsoDate): IsoDate {
  const day = dayInRange(date, "date");
  const { sessions: all, days } = calendar();
  const next = all[lowerBound(days, day + 1)];
  if (next === undefined) throw new UsageError("date_out_of_calendar", `no session after ${date} within the calendar's range`);
  return next.date;
}

/** The last session strictly before `date`. Throws when it would fall before 1990. */
export function previousSession(date: IsoDate): IsoDate {
  const day = dayInRange(date, "date");
  const { sessions: all, days } = calendar();
  const previous = all[lowerBound(days, day) - 1];
  if (previous === undefined) throw new UsageError("date_out_of_calendar", `no session before ${date} within the calendar's range`);
  return previous.date;
}

/** Number of sessions with from ≤ date ≤ to. */
export function countSessions(from: IsoDate, to: IsoDate): number {
  const first = dayInRange(from, "from");
  const last = dayInRange(to, "to");
  const { days } = calendar();
  return Math.max(0, lowerBound(days, last + 1) - lowerBound(days, first));
}

/**
 * The session a UTC instant falls in (open ≤ t < close), with its minute index from the open, or undefined
 * outside trading hours. Used to bucket vendor minute bars stamped in UTC.
 */
export function sessionAtInstant(epochMs: number): { session: Session; minute: number } | undefined {
  const day = Math.floor(epochMs / 86_400_000);
  const { indexByDay, sessions: all } = calendar();
  // A New York session never crosses a UTC date boundary (16:00 EST = 21:00 UTC).
  const index = indexByDay.get(day);
  const session = index === undefined ? undefined : all[index];
  if (session === undefined || epochMs < session.openMs || epochMs >= session.closeMs) return undefined;
  return { session, minute: Math.floor((epochMs - session.openMs) / 60_000) };
}
