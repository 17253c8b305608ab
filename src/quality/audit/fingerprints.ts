/**
 * Which raw parts hold which sessions, and a fingerprint per session so that the audit re-reads only what
 * changed. Raw parts are immutable and uniquely named (DESIGN.md "The lake protocol"), so the set of part keys
 * (with their ETags) covering a date identifies that date's content: a new or replaced part changes it.
 */
import { createHash } from "node:crypto";
import type { PartFile, StatValue } from "../../lake/types.ts";

const DATE_IN_KEY = /(?:^|\/)date=(\d{4}-\d{2}-\d{2})(?:\/|$)/;
const DAY_MS = 86_400_000;

export interface DatePartitions {
  /** date → fingerprint of the parts covering it */
  readonly fingerprints: ReadonlyMap<string, string>;
  /** date → keys of the parts covering it */
  readonly partsByDate: ReadonlyMap<string, readonly string[]>;
  /** Parts whose dates could not be told from their key or statistics; they force a full re-audit. */
  readonly unplaced: readonly string[];
}

/**
 * The New York date of a statistic: a plain date as is; an instant (epoch ms or ISO timestamp) shifted back
 * 5 hours first, so that extended-hours bars stamped just after midnight UTC (20:00 New York) count for the
 * session they belong to, while every bar from 05:00 UTC (pre-market) to midnight keeps its UTC date.
 */
function statToDate(value: StatValue | undefined): string | undefined {
  const shift = 5 * 3_600_000;
  if (typeof value === "number" && Number.isFinite(value)) return new Date(value - shift).toISOString().slice(0, 10);
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}/.test(value)) return undefined;
  if (value.length <= 10) return value.slice(0, 10);
  const instant = Date.parse(value.includes("T") || value.includes("+") || value.endsWith("Z") ? value : `${value.replace(" ", "T")}Z`);
  return Number.isFinite(instant) ? new Date(instant - shift).toISOString().slice(0, 10) : value.slice(0, 10);
}

function datesBetween(first: string, last: string): string[] {
  const out: string[] = [];
  const end = Date.parse(`${last}T00:00:00Z`);
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= end; t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/**
 * The first and last date a part covers: its `date=` key segment, else the min/max statistics of its date or
 * time column; undefined when neither tells. Cheap (no per-date work), so the audit can place every part of a
 * long history by year on each run (ledger-years.ts).
 */
export function dateBoundsOfPart(part: PartFile, column: string): { readonly first: string; readonly last: string } | undefined {
  const fromKey = DATE_IN_KEY.exec(part.key)?.[1];
  if (fromKey !== undefined) return { first: fromKey, last: fromKey };
  const first = statToDate(part.min?.[column]);
  const last = statToDate(part.max?.[column]);
  if (first === undefined || last === undefined || last < first) return undefined;
  return { first, last };
}

/** The dates a part covers (every date between its bounds). */
export function datesOfPart(part: PartFile, column: string): string[] | undefined {
  const bounds = dateBoundsOfPart(part, column);
  // A minute part's UTC max can spill one day past its last session (after-hours bars): harmless, the extra
  // date is only re-read, never mis-counted.
  return bounds === undefined ? undefined : datesBetween(bounds.first, bounds.last);
}

/** `key@etag` (or `key@rows=N` without an ETag): what identifies a part's content in a fingerprint. */
export function partIdentity(part: PartFile): string {
  return `${part.key}@${part.etag ?? `rows=${part.rows}`}`;
}

export function partitionDates(parts: readonly PartFile[], column: string): DatePartitions {
  const members = new Map<string, string[]>();
  const unplaced: string[] = [];
  for (const part of parts) {
    const dates = datesOfPart(part, column);
    if (dates === undefined) {
      unplaced.push(part.key);
      continue;
    }
    for (const date of dates) {
      const list = members.get(date) ?? [];
      list.push(partIdentity(part));
      members.set(date, list);
    }
  }
  const fingerprints = new Map<string, string>();
  const partsByDate = new Map<string, string[]>();
  for (const [date, list] of members) {
    list.sort();
    fingerprints.set(date, createHash("sha256").update(list.join("\n")).digest("hex").slice(0, 24));
    partsByDate.set(date, list.map((entry) => entry.slice(0, entry.lastIndexOf("@"))));
  }
  return { fingerprints, partsByDate, unplaced };
}

/**
 * Dates to re-read: any date whose fingerprint differs from the one recorded in the ledger, plus dates the
 * ledger knows but that no part covers any more (their rows must disappear).
 */
export function dirtyDates(current: ReadonlyMap<string, string>, recorded: ReadonlyMap<string, string>): string[] {
  const dirty = new Set<string>();
  for (const [date, fingerprint] of current) if (recorded.get(date) !== fingerprint) dirty.add(date);
  for (const date of recorded.keys()) if (!current.has(date)) dirty.add(date);
  return [...dirty].sort();
}
