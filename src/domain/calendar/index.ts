/** The NYSE trading calendar (1990–2035) and the date helpers it is built on. */
export {
  CALENDAR_FIRST_DATE,
  CALENDAR_LAST_DATE,
  countSessions,
  expectedDailyBars,
  expectedMinuteBars,
  isSession,
  nextSession,
  nonSessionReason,
  previousSession,
  sessionAtInstant,
  sessionOn,
  sessions,
  type NonSession,
  type Session,
  type SessionKind,
} from "./nyse.ts";
export { isIsoDate, isoDateOf, parseIsoDate, type IsoDate } from "./dates.ts";
export { easterSunday } from "./easter.ts";
export { newYorkDate } from "./time-zone.ts";
export { UNSCHEDULED_CLOSURES } from "./nyse-holidays.ts";
