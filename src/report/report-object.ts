/**
 * Where a day's report lives in the lake and how it is written: `reports/daily/date=<D>/report.html`, one
 * object per day, a state-like object rather than a manifest table. A report is one whole document that people
 * (and `--open`) fetch by its known key, never through DuckDB, and re-running the day's report must leave one
 * current version: a manifest would add a part and a manifest per run and buy no snapshot a reader needs. Its
 * key is fixed, not a `part-<uuidv7>` name under a data prefix, so `lake gc` never sees it as an orphan.
 *
 * Written like every other mutable object: create-only when absent, else compare-and-swap over the ETag just
 * read; a lost race (another node writing the same day's report) re-reads and tries again, a bounded number
 * of times — the last complete report wins, and none is ever half-written.
 */
import { isIsoDate } from "../domain/calendar/dates.ts";
import { DataError, UsageError } from "../domain/errors.ts";
import { assertValidKey } from "../lake/keys.ts";
import type { ObjectStore } from "../lake/types.ts";

export const DAILY_REPORTS_PREFIX = "reports/daily/";
const WRITE_ATTEMPTS = 5;

export function dailyReportKey(date: string): string {
  if (!isIsoDate(date)) throw new UsageError("bad_date", `a report date is YYYY-MM-DD, not "${date}"`);
  const key = `${DAILY_REPORTS_PREFIX}date=${date}/report.html`;
  assertValidKey(key);
  return key;
}

/** Writes (or replaces) the day's report; returns its key and ETag. */
export async function writeDailyReport(store: ObjectStore, date: string, html: string, signal?: AbortSignal): Promise<{ key: string; etag: string }> {
  const key = dailyReportKey(date);
  const io = signal === undefined ? {} : { signal };
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    const current = await store.head(key, io);
    const result = await store.put(key, html, {
      condition: current === undefined ? { ifNoneMatch: "*" } : { ifMatch: current.etag },
      contentType: "text/html; charset=utf-8",
      ...io,
    });
    if (result.ok) return { key, etag: result.etag };
  }
  throw new DataError("report_write_contention", `the report ${key} changed under ${WRITE_ATTEMPTS} writes in a row; another node is writing the same day's report`);
}

/** The stored report of a day, undefined when none was written. */
export async function readDailyReport(store: ObjectStore, date: string, signal?: AbortSignal): Promise<string | undefined> {
  const object = await store.get(dailyReportKey(date), signal === undefined ? {} : { signal });
  return object === undefined ? undefined : new TextDecoder().decode(object.body);
}
