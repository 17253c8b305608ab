/**
 * The ledger of one (source, table) is kept as one part per calendar year, so a daily audit costs the same with
 * 5 or 25 years of history: it re-derives and rewrites only the years whose inputs changed — normally just the
 * current one — and carries every other year's part over untouched.
 *
 * A year's verdicts depend on its own raw parts, on the last session audited (within that year), on the QC
 * thresholds, and on which symbols are alive when the year starts (a symbol is expected on every session from
 * its first bar on). The last depends only on earlier years, so once the first changed year is found, that
 * year and every later one are re-derived, and the years before it stand. Each part records a digest of its own
 * inputs (`PartFile.ledger.inputs`) to find that first year without reading any part.
 *
 * A year's digest covers the raw parts (key and ETag) holding any of its sessions, found from each part's date
 * bounds alone (`indexPartsByYear`): the per-session fingerprints are derived only for the parts of the years
 * re-derived, so an unchanged year of a long history costs one manifest entry, not one hash per session. The
 * digest is a superset of the per-session fingerprints (a part that changes a session's fingerprint is in that
 * session's year), so a year whose digest stands has unchanged sessions.
 */
import { createHash } from "node:crypto";
import { CALENDAR_FIRST_DATE, countSessions, isSession, previousSession, type IsoDate } from "../../domain/calendar/index.ts";
import type { PartFile } from "../../lake/types.ts";
import { dateBoundsOfPart, partIdentity } from "./fingerprints.ts";

export function yearOf(date: IsoDate): number {
  return Number(date.slice(0, 4));
}

/** The last session a year's ledger covers: its last session, or `through` in the year of `through`. */
export function lastSessionOfYear(year: number, through: IsoDate): IsoDate {
  const end = `${year}-12-31` < through ? `${year}-12-31` : through;
  return isSession(end) ? end : previousSession(end);
}

/** Raw parts placed by the years whose sessions they hold. */
export interface YearIndex {
  /** year → `key@etag` of every part holding a session of that year (through `through`), sorted. */
  readonly partsByYear: ReadonlyMap<number, readonly string[]>;
  /** year → the parts themselves, for deriving that year's per-session fingerprints. */
  readonly filesByYear: ReadonlyMap<number, readonly PartFile[]>;
  /** Parts whose dates could not be told from their key or statistics; they force a full re-audit. */
  readonly unplaced: readonly string[];
}

/** Places each raw part by its date bounds in the years where it holds a session in [calendar start, through]. */
export function indexPartsByYear(parts: readonly PartFile[], column: string, through: IsoDate): YearIndex {
  const partsByYear = new Map<number, string[]>();
  const filesByYear = new Map<number, PartFile[]>();
  const unplaced: string[] = [];
  for (const part of parts) {
    const bounds = dateBoundsOfPart(part, column);
    if (bounds === undefined) {
      unplaced.push(part.key);
      continue;
    }
    const first = bounds.first < CALENDAR_FIRST_DATE ? CALENDAR_FIRST_DATE : bounds.first;
    const last = bounds.last > through ? through : bounds.last;
    for (let year = yearOf(first); year <= yearOf(last) && first <= last; year++) {
      const from = `${year}-01-01` > first ? `${year}-01-01` : first;
      const to = `${year}-12-31` < last ? `${year}-12-31` : last;
      // Only sessions hold ledger rows: a part whose dates in this year are all weekends or holidays is no input.
      if (countSessions(from, to) === 0) continue;
      const identities = partsByYear.get(year);
      if (identities === undefined) partsByYear.set(year, [partIdentity(part)]);
      else identities.push(partIdentity(part));
      const files = filesByYear.get(year);
      if (files === undefined) filesByYear.set(year, [part]);
      else files.push(part);
    }
  }
  for (const list of partsByYear.values()) list.sort();
  return { partsByYear, filesByYear, unplaced };
}

/** The digest of one year's inputs besides the bytes: its parts, its last session, the thresholds. */
export function yearInputs(year: number, index: YearIndex, through: IsoDate, qcKey: string): string {
  const hash = createHash("sha256");
  hash.update(`year=${year}\nthrough=${lastSessionOfYear(year, through)}\nqc=${qcKey}\n`);
  for (const part of index.partsByYear.get(year) ?? []) hash.update(`part=${part}\n`);
  for (const key of [...index.unplaced].sort()) hash.update(`unplaced=${key}\n`);
  return hash.digest("hex").slice(0, 32);
}

/** The ledger parts of one (source, table) as they stand: one per year, or one legacy part for every year. */
export interface LedgerPartsOf {
  readonly byYear: ReadonlyMap<number, PartFile>;
  /** A part written before the ledger was split by year (it has no `ledger.year`); replaced on the next audit. */
  readonly legacy: PartFile | undefined;
}

export function ledgerPartsOf(parts: readonly PartFile[], source: string, table: string): LedgerPartsOf {
  const byYear = new Map<number, PartFile>();
  let legacy: PartFile | undefined;
  for (const part of parts) {
    if (part.min?.["source"] !== source || part.min?.["table_name"] !== table) continue;
    const year = part.ledger?.year;
    if (year === undefined) legacy = part;
    else byYear.set(year, part);
  }
  return { byYear, legacy };
}

export interface YearPlan {
  /** Years re-derived this run (ascending); empty when nothing changed. */
  readonly years: readonly number[];
  /** Each re-derived year's inputs digest. */
  readonly inputs: ReadonlyMap<number, string>;
  /** Parts of years after the last audited one (the audit went back in time): removed. */
  readonly stale: readonly PartFile[];
}

/**
 * From the first year whose recorded inputs differ from today's (or every year, when `full`) through the year of
 * `through`. `firstYear` is the earliest year with data or a ledger part.
 */
export function planYears(args: {
  readonly firstYear: number;
  readonly through: IsoDate;
  readonly index: YearIndex;
  readonly qcKey: string;
  readonly existing: LedgerPartsOf;
  readonly full: boolean;
}): YearPlan {
  const lastYear = yearOf(args.through);
  const inputs = new Map<number, string>();
  let from: number | undefined;
  for (let year = args.firstYear; year <= lastYear; year++) {
    const digest = yearInputs(year, args.index, args.through, args.qcKey);
    inputs.set(year, digest);
    if (from === undefined && (args.full || args.existing.legacy !== undefined || args.existing.byYear.get(year)?.ledger?.inputs !== digest)) from = year;
  }
  const stale = [...args.existing.byYear].filter(([year]) => year > lastYear).map(([, part]) => part);
  const years: number[] = [];
  if (from !== undefined) for (let year = from; year <= lastYear; year++) years.push(year);
  return { years, inputs, stale };
}
