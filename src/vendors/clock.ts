/** The clocks the rate governor and the vendor quota run on (tests pass fake ones). */
import { todayUtc } from "../domain/calendar/dates.ts";
import { sleep } from "../domain/sleep.ts";

export interface QuotaClock {
  /** Monotonic milliseconds. */
  now(): number;
  /** The UTC day usage and budgets are booked to. */
  day(): string;
}

export interface GovernorClock extends QuotaClock {
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: GovernorClock = { now: () => performance.now(), sleep, day: () => todayUtc() };
