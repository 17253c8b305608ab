/**
 * Backfill marks: per (source, table, symbol) the date ranges already fetched and found complete, and those
 * fetched and found unavailable at the vendor (the vendor returned what it has and the audit still was not
 * GREEN). Planning subtracts both, so no range is fetched twice. Stored as one CAS-updated JSON object per
 * (source, table) under `state/marks/backfill/`, written only after the data it describes is committed.
 */
import { z } from "zod";
import type { ObjectStore } from "../../lake/types.ts";
import { readState, updateState } from "../../lake/state.ts";
import { normalize, type DateRange } from "./intervals.ts";

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const range = z.tuple([isoDate, isoDate]);
const symbolMarks = z.strictObject({ complete: z.array(range), unavailable: z.array(range) });
const marksSchema = z.strictObject({
  format: z.literal(1),
  source: z.string(),
  table: z.string(),
  symbols: z.record(z.string(), symbolMarks),
  updated_at: z.string(),
});
export type BackfillMarks = z.infer<typeof marksSchema>;
export interface SymbolMarks {
  readonly complete: readonly DateRange[];
  readonly unavailable: readonly DateRange[];
}

/** Backfill workers update one marks object concurrently; each lost race re-runs the merge, so allow many. */
const CAS_ATTEMPTS = 200;

const MARKS_PREFIX = "state/marks/backfill/";

export function marksKey(source: string, table: string): string {
  return `${MARKS_PREFIX}${source}/${table}.json`;
}

/** Every (source, table) marks object in the lake: what the daily report shows as backfill progress. */
export async function listMarks(store: ObjectStore, signal?: AbortSignal): Promise<BackfillMarks[]> {
  const found: BackfillMarks[] = [];
  for await (const entry of store.list(MARKS_PREFIX, signal === undefined ? {} : { signal })) {
    if (!/^[^/]+\/[^/]+\.json$/.test(entry.key.slice(MARKS_PREFIX.length))) continue;
    const marks = await readState(store, entry.key, marksSchema, signal);
    if (marks !== undefined) found.push(marks.value);
  }
  return found;
}

export async function readMarks(store: ObjectStore, source: string, table: string, signal?: AbortSignal): Promise<Map<string, SymbolMarks>> {
  const marks = await readState(store, marksKey(source, table), marksSchema, signal);
  return new Map(Object.entries(marks?.value.symbols ?? {}));
}

/** Adds ranges to symbols' marks (union; never removes), in one CAS update. */
export async function addMarks(
  store: ObjectStore,
  args: {
    source: string;
    table: string;
    entries: readonly { symbol: string; complete: readonly DateRange[]; unavailable: readonly DateRange[] }[];
    now: Date;
  },
  signal?: AbortSignal,
): Promise<void> {
  await updateState(
    store,
    marksKey(args.source, args.table),
    marksSchema,
    (current) => {
      const symbols = { ...(current?.symbols ?? {}) };
      for (const entry of args.entries) {
        const previous = symbols[entry.symbol] ?? { complete: [], unavailable: [] };
        symbols[entry.symbol] = {
          complete: normalize([...previous.complete, ...entry.complete]).map(([a, b]): [string, string] => [a, b]),
          unavailable: normalize([...previous.unavailable, ...entry.unavailable]).map(([a, b]): [string, string] => [a, b]),
        };
      }
      return { format: 1 as const, source: args.source, table: args.table, symbols, updated_at: args.now.toISOString() };
    },
    { maxAttempts: CAS_ATTEMPTS, ...(signal === undefined ? {} : { signal }) },
  );
}
