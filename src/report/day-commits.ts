/**
 * What a table's commits changed on one UTC day, from its manifests alone: the snapshot before the day began, the
 * snapshot at the day's end, the commits in between, and the parts added and removed. Manifests are full
 * snapshots with the store's commit time (`created`), so a day's change is a difference of two file lists;
 * nothing is replayed and no data folder is listed.
 */
import { dateStartMs, DAY_MS } from "../domain/calendar/dates.ts";
import { listSeqs, readManifest } from "../lake/manifest.ts";
import type { Manifest, ObjectStore, PartFile } from "../lake/types.ts";

export interface DayCommits {
  readonly table: string;
  /** The table as it was when the day began (undefined: it did not exist, or its manifest expired). */
  readonly before: Manifest | undefined;
  /** The table at the day's end (undefined: it did not exist yet). */
  readonly after: Manifest | undefined;
  /** Commits made during the day, oldest first. */
  readonly commits: readonly Manifest[];
  readonly added: readonly PartFile[];
  readonly removed: readonly PartFile[];
}

/**
 * The commits of `table` on `day` (UTC). Walks the table's manifests from the newest down to the first one
 * created before the day: a report for today reads only today's commits and one more.
 */
export async function dayCommits(store: ObjectStore, table: string, day: string, signal?: AbortSignal): Promise<DayCommits> {
  const start = dateStartMs(day);
  const end = start + DAY_MS;
  const seqs = await listSeqs(store, table, signal);
  const commits: Manifest[] = [];
  let before: Manifest | undefined;
  let after: Manifest | undefined;
  for (let index = seqs.length - 1; index >= 0; index--) {
    const seq = seqs[index];
    if (seq === undefined) continue;
    const manifest = await readManifest(store, table, { seq, ...(signal === undefined ? {} : { signal }) });
    if (manifest === undefined) continue;
    const created = Date.parse(manifest.created);
    if (created >= end) continue;
    after ??= manifest;
    if (created < start) {
      before = manifest;
      break;
    }
    commits.unshift(manifest);
  }
  const beforeKeys = new Set((before?.files ?? []).map((file) => file.key));
  const afterKeys = new Set((after?.files ?? []).map((file) => file.key));
  return {
    table,
    before,
    after,
    commits,
    added: (after?.files ?? []).filter((file) => !beforeKeys.has(file.key)),
    removed: (before?.files ?? []).filter((file) => !afterKeys.has(file.key)),
  };
}
