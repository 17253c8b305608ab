/**
 * The latest seq of every table under some name prefixes, in one listing per prefix (a step's inputs before it
 * runs, its outputs after), and whether any of those tables changed content since a recorded snapshot.
 */
import { contentChangedSince } from "../lake/content-changes.ts";
import { parseManifestName } from "../lake/keys.ts";
import type { ObjectStore } from "../lake/types.ts";
import type { TableSeqs } from "./run-state.ts";

export async function tableSeqs(store: ObjectStore, prefixes: readonly string[], signal?: AbortSignal): Promise<TableSeqs> {
  const seqs: Record<string, number> = {};
  for (const prefix of prefixes) {
    for await (const entry of store.list(`manifests/${prefix}`, signal === undefined ? {} : { signal })) {
      const rest = entry.key.slice("manifests/".length);
      const slash = rest.lastIndexOf("/");
      if (slash <= 0) continue;
      const seq = parseManifestName(rest.slice(slash + 1), entry.key);
      if (seq === undefined) continue;
      const table = rest.slice(0, slash);
      seqs[table] = Math.max(seqs[table] ?? 0, seq);
    }
  }
  return Object.fromEntries(Object.entries(seqs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The tables of `after` whose seq differs from `before`: the commits made between two snapshots. */
export function committedBetween(before: TableSeqs, after: TableSeqs): TableSeqs {
  return Object.fromEntries(Object.entries(after).filter(([table, seq]) => (before[table] ?? 0) !== seq));
}

/**
 * Whether the tables now (`current`) hold rows the step did not read at `read`: a new table, or a commit that was
 * not a compaction. A table that disappeared counts as a change too.
 */
export async function inputsChanged(store: ObjectStore, read: TableSeqs, current: TableSeqs, signal?: AbortSignal): Promise<boolean> {
  for (const table of Object.keys(read)) if (current[table] === undefined) return true;
  for (const [table, seq] of Object.entries(current)) {
    const before = read[table];
    if (before === undefined) return true;
    if (before === seq) continue;
    if (before > seq || (await contentChangedSince(store, table, before, signal))) return true;
  }
  return false;
}
