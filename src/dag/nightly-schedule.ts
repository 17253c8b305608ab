/**
 * When the node's nightly DAG runs: a fixed delay after each NYSE session's close, from the calendar (so an early
 * close at 13:00 moves it forward, and holidays and weekends have none). Pure functions of an instant.
 */
import { newYorkDate, nextSession, previousSession, sessionOn, type IsoDate } from "../domain/calendar/index.ts";

export interface NightlySlot {
  /** The session the run is for. */
  readonly session: IsoDate;
  /** Epoch ms when it becomes due: the session's close plus the delay. */
  readonly atMs: number;
}

function slot(session: IsoDate, afterCloseMinutes: number): NightlySlot {
  const s = sessionOn(session);
  if (s === undefined) throw new Error(`${session} is not a session`);
  return { session, atMs: s.closeMs + afterCloseMinutes * 60_000 };
}

/** The latest session whose nightly run is due at `nowMs` (close + delay ≤ now). */
export function dueNightly(nowMs: number, afterCloseMinutes: number): NightlySlot {
  const today = newYorkDate(nowMs);
  if (sessionOn(today) !== undefined) {
    const todays = slot(today, afterCloseMinutes);
    if (todays.atMs <= nowMs) return todays;
  }
  // The delay is capped below a day (node.yml schema), so the previous session's run is always due by now.
  return slot(previousSession(today), afterCloseMinutes);
}

/** The first nightly run not yet due at `nowMs`. */
export function nextNightly(nowMs: number, afterCloseMinutes: number): NightlySlot {
  const today = newYorkDate(nowMs);
  if (sessionOn(today) !== undefined) {
    const todays = slot(today, afterCloseMinutes);
    if (todays.atMs > nowMs) return todays;
  }
  return slot(nextSession(today), afterCloseMinutes);
}

/** One run id per session, so a node restarted during the night resumes that night's run instead of starting another. */
export function nightlyRunId(session: IsoDate): string {
  return `nightly-${session}`;
}
