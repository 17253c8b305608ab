/**
 * The options pass's bookmark (`state/bookmarks/curate/options.json`): the raw chain parts it has consumed. Read
 * back through its schema; moved by CAS only after every commit of a pass, so a crash repeats at most that pass
 * (which replaces the same sessions' parts again: idempotent).
 */
import { z } from "zod";
import { DataError } from "../domain/errors.ts";
import type { LakeAccess } from "../lake/lake-access.ts";
import { OPTIONS_BOOKMARK_KEY } from "./options-tables.ts";

export const optionsStateSchema = z.strictObject({
  format: z.literal(1),
  consumed: z.array(z.string()),
});
export type OptionsState = z.infer<typeof optionsStateSchema>;

export interface OptionsBookmark {
  readonly state: OptionsState;
  readonly etag: string | undefined;
}

export async function readOptionsBookmark(lake: LakeAccess): Promise<OptionsBookmark> {
  const ref = await lake.readState(OPTIONS_BOOKMARK_KEY, optionsStateSchema);
  return { state: ref?.value ?? { format: 1, consumed: [] }, etag: ref?.etag };
}

export async function moveOptionsBookmark(lake: LakeAccess, bookmark: OptionsBookmark, next: OptionsState): Promise<void> {
  if (JSON.stringify(next) === JSON.stringify(bookmark.state)) return;
  if (!(await lake.writeState(OPTIONS_BOOKMARK_KEY, optionsStateSchema, next, bookmark.etag))) {
    throw new DataError("bookmark_conflict", `another curator moved ${OPTIONS_BOOKMARK_KEY} during this run; its commits stand, re-run to continue`);
  }
}
