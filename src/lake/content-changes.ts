/**
 * Whether a table's rows changed since a seq a step last read. Compactions rewrite parts without changing a
 * row (their commits are `operation: "compact"`, checked at commit time), so a step whose inputs only saw
 * compactions since it last ran has nothing new to read and need not run again.
 */
import { DataError } from "../domain/errors.ts";
import { latestSeq, readManifest } from "./manifest.ts";
import type { ObjectStore } from "./types.ts";

/**
 * True when a commit after `seq` (up to the latest) added or removed rows. A seq whose manifest has expired
 * counts as a change: without it nothing can be proven unchanged.
 */
export async function contentChangedSince(store: ObjectStore, table: string, seq: number, signal?: AbortSignal): Promise<boolean> {
  const latest = await latestSeq(store, table, signal);
  if (seq > latest) throw new DataError("seq_ahead", `table "${table}" has no seq ${seq} yet (latest ${latest})`, { details: { table, seq } });
  for (let next = seq + 1; next <= latest; next++) {
    const manifest = await readManifest(store, table, { seq: next, ...(signal === undefined ? {} : { signal }) }).catch((error: unknown) => {
      if (error instanceof DataError && error.code === "manifest_missing") return undefined;
      throw error;
    });
    if (manifest === undefined || manifest.operation !== "compact") return true;
  }
  return false;
}
