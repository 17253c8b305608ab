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
 */
import { createHash } from "node:crypto";
import { isSession, previousSession, type IsoDate } from "../../domain/calendar/index.ts";
import type { PartFile } from "../../lake/types.ts";

export function yearOf(date: IsoDate): number {
  return Number(date.slice(0, 4));
}

/** The last session a year's ledger covers: its last session, or `through` in the year of `through`. */
export function lastSessionOfYear(year: number, through: IsoDate): IsoDate {
  const end = `${year}-12-31` < through ? `${year}-12-31` : through;
  return isSession(end) ? end : previousSession(end);
}

/** The digest of one year's inputs besides the bytes: its parts' fingerprints, its last session, the thresholds. */
export function yearInputs(year: number, fingerprints: ReadonlyMap<IsoDate, string>, unplaced: readonly string[], through: IsoDate, qcKey: string): string {
  const hash = createHash("sha256");
  hash.update(`year=${year}\nthrough=${lastSessionOfYear(year, through)}\nqc=${qcKey}\n`);
  const prefix = `${year}-`;
  for (const [date, fingerprint] of [...fingerprints].filter(([d]) => d.startsWith(prefix)).sort(([a], [b]) => a.localeCompare(b))) hash.update(`${date}=${fingerprint}\n`);
  for (const key of [...unplaced].sort()) hash.update(`unplaced=${key}\n`);
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
  readonly fingerprints: ReadonlyMap<IsoDate, string>;
  readonly unplaced: readonly string[];
  readonly qcKey: string;
  readonly existing: LedgerPartsOf;
  readonly full: boolean;
}): YearPlan {
  const lastYear = yearOf(args.through);
  const inputs = new Map<number, string>();
  let from: number | undefined;
  for (let year = args.firstYear; year <= lastYear; year++) {
    const digest = yearInputs(year, args.fingerprints, args.unplaced, args.through, args.qcKey);
    inputs.set(year, digest);
    if (from === undefined && (args.full || args.existing.legacy !== undefined || args.existing.byYear.get(year)?.ledger?.inputs !== digest)) from = year;
  }
  const stale = [...args.existing.byYear].filter(([year]) => year > lastYear).map(([, part]) => part);
  const years: number[] = [];
  if (from !== undefined) for (let year = from; year <= lastYear; year++) years.push(year);
  return { years, inputs, stale };
}
