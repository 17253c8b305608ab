/**
 * Curation's bookmark (`state/bookmarks/curate/*.json`): which raw parts each pass has consumed, each symbol's
 * last curated date and corporate-action hash, and the fingerprints of the tables it rebuilt. Read back through
 * this schema, so a damaged or foreign object stops the pass instead of steering it. It moves only after every
 * commit of a pass succeeded, by CAS, so a crash repeats at most the pass in flight.
 */
import { z } from "zod";
import { DataError } from "../domain/errors.ts";
import type { LakeAccess } from "../lake/lake-access.ts";

export const curateStateSchema = z.strictObject({
  format: z.literal(1),
  consumed: z.strictObject({ bars: z.array(z.string()), actions: z.array(z.string()), delistings: z.array(z.string()) }),
  symbols: z.record(z.string(), z.strictObject({ last_date: z.string(), ca_hash: z.string().nullable() })),
  fingerprints: z.record(z.string(), z.string()),
});
export type CurateState = z.infer<typeof curateStateSchema>;

/** A pass's bookmark as read: its value (empty for a first pass) and the ETag to move it by CAS. */
export interface CurateBookmark {
  readonly key: string;
  readonly state: CurateState;
  /** Undefined when the pass has never run: the bookmark is then created. */
  readonly etag: string | undefined;
}

const EMPTY_STATE: CurateState = { format: 1, consumed: { bars: [], actions: [], delistings: [] }, symbols: {}, fingerprints: {} };

export async function readCurateBookmark(lake: LakeAccess, key: string): Promise<CurateBookmark> {
  const ref = await lake.readState(key, curateStateSchema);
  return { key, state: ref?.value ?? structuredClone(EMPTY_STATE), etag: ref?.etag };
}

/** Moves the bookmark to `next` when it changed; another curator having moved it meanwhile is a DataError. */
export async function moveCurateBookmark(lake: LakeAccess, bookmark: CurateBookmark, next: CurateState): Promise<void> {
  if (JSON.stringify(next) === JSON.stringify(bookmark.state)) return;
  if (!(await lake.writeState(bookmark.key, curateStateSchema, next, bookmark.etag))) {
    throw new DataError("bookmark_conflict", `another curator moved ${bookmark.key} during this run; its commits stand, re-run to continue`);
  }
}
