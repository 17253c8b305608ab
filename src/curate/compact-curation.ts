/**
 * Compaction after the curate passes, so what they keep appending to stays a few files instead of growing by one
 * file a day (src/db/compaction.ts: content-preserving `compact` commits, the old parts kept while a retained
 * manifest lists them):
 *   - the adjusted tables' `delta/` parts (one per daily pass) merge into one delta part, sorted by symbol and time,
 *     so a localized rebuild rewrites one delta part instead of one per session since the last rebuild;
 *   - the collector's minute parts (one per group commit of units) merge per folder and collection range (the
 *     default groups of compactTable: a merged part claims exactly the ranges and series its inputs claimed, so
 *     the collector's coverage is unchanged) once the minute pass has consumed them, and the minute bookmark
 *     follows the swap, so the compacted parts are not read again as new bars.
 * Nothing to merge: no commit, so a re-run without new passes changes nothing.
 */
import { compactTable, defaultCompactGroup, type CompactResult } from "../db/compaction.ts";
import type { PartWriter } from "../db/part-writer.ts";
import { DataError } from "../domain/errors.ts";
import type { LakeAccess } from "../lake/lake-access.ts";
import { rawTable } from "../lake/keys.ts";
import type { PartFile } from "../lake/types.ts";
import { moveCurateBookmark, readCurateBookmark } from "./curate-state.ts";
import { CURATE_TABLES, MINUTE_BOOKMARK_KEY, MINUTE_TABLES } from "./curate-tables.ts";

export interface CurationCompaction {
  /** Table → what its compaction did (tables with nothing to merge are absent). */
  readonly tables: Readonly<Record<string, CompactResult>>;
}

function deltaGroup(part: PartFile): string | undefined {
  return part.key.includes("/delta/") ? "delta" : undefined;
}

async function compactDeltas(parts: PartWriter, table: string, minParts: number): Promise<CompactResult> {
  return compactTable(parts, table, { groupOf: deltaGroup, minParts, order: "symbol, bar_time" });
}

/**
 * Merges the consumed minute parts of one raw table and moves the minute bookmark's consumed keys from the parts
 * removed to the part added. If the bookmark moved meanwhile the next pass reads the merged part as new: its bars
 * are already curated, so that costs a rebuild of their symbols, never a wrong row.
 */
async function compactRawMinute(parts: PartWriter, lake: LakeAccess, table: string, minParts: number): Promise<CompactResult> {
  const bookmark = await readCurateBookmark(lake, MINUTE_BOOKMARK_KEY);
  const consumed = new Set(bookmark.state.consumed.bars);
  const result = await compactTable(parts, table, {
    minParts,
    groupOf: (part) => (consumed.has(part.key) ? defaultCompactGroup(part) : undefined),
  });
  if (result.manifest === undefined) return result;
  const removed = new Set(result.manifest.removed);
  const bars = [...bookmark.state.consumed.bars.filter((key) => !removed.has(key)), ...result.added.map((part) => part.key)].sort();
  try {
    await moveCurateBookmark(lake, bookmark, { ...bookmark.state, consumed: { ...bookmark.state.consumed, bars } });
  } catch (error) {
    // Only another curator can have moved it (it holds the lease now): its next pass re-reads the merged part.
    if (!(error instanceof DataError && error.code === "bookmark_conflict")) throw error;
  }
  return result;
}

export interface CurationCompactionArgs {
  /** Vendors whose raw minute tables are compacted (source_priority). */
  readonly vendors: readonly string[];
  /** The raw minute datasets the minute pass reads. */
  readonly minuteDatasets: readonly string[];
  /** curator.yml `compaction.min_parts`: delta parts that trigger a merge. */
  readonly minParts: number;
  /** curator.yml `compaction.raw_min_parts`: consumed raw minute parts of one group that trigger a merge. */
  readonly rawMinParts: number;
}

export async function compactCuration(parts: PartWriter, lake: LakeAccess, args: CurationCompactionArgs): Promise<CurationCompaction> {
  const tables: Record<string, CompactResult> = {};
  const keep = (table: string, result: CompactResult): void => {
    if (result.manifest !== undefined) tables[table] = result;
  };
  for (const table of [CURATE_TABLES.adjusted, MINUTE_TABLES.adjusted]) keep(table, await compactDeltas(parts, table, args.minParts));
  for (const vendor of args.vendors) {
    for (const dataset of args.minuteDatasets) {
      const table = rawTable(vendor, dataset);
      keep(table, await compactRawMinute(parts, lake, table, args.rawMinParts));
    }
  }
  return { tables };
}
