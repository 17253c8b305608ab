/**
 * Manifest retention: which old snapshots of a table may go. A manifest is kept while it is one of the newest
 * `keepLast`, younger than `olderThanMs` (store time), or pinned by a backtest or model run (lake/pins.ts); the
 * rest are deleted by `lake expire`. Parts are never deleted here: once no remaining manifest lists a part (say,
 * one a compaction replaced), `lake gc` collects it after its grace period. So a pinned seq keeps its manifest,
 * and through it every part it lists, for as long as the pin stands.
 *
 * The defaults of the rule live in the config schema (node.yml `lake.retention`); callers pass them in.
 */
import { manifestKey } from "./keys.ts";
import { listSeqs, readManifest } from "./manifest.ts";
import { listPins, pinnedSeqs } from "./pins.ts";
import type { ObjectStore } from "./types.ts";

export interface RetentionRule {
  /** The newest manifests of a table that are always kept (at least 1: the table's current state). */
  readonly keepLast: number;
  /** Only manifests created more than this long ago (store time) may expire. */
  readonly olderThanMs: number;
}

export interface ExpireOptions extends RetentionRule {
  /** Delete (true) or only report (false, the default). */
  readonly apply?: boolean;
  readonly signal?: AbortSignal;
}

export interface ExpireResult {
  /** Seqs expired (deleted when applied), ascending. */
  readonly expired: number[];
  /** Manifests that remain. */
  readonly kept: number;
  /** Seqs that the rule alone would have expired, kept because a run pinned them. */
  readonly pinned: number[];
}

/**
 * Trims a table's manifest history by the retention rule and the pins. Pinning an expired seq then fails with
 * `manifest_missing`. The newest manifest is never deleted; deletion goes oldest first and stops at the first
 * manifest too young to go. A pinned seq stays where it is, so the remaining seqs may have gaps below the newest
 * `keepLast`: readers resolve a pinned seq directly and writers only walk forward from the newest, so no reader
 * or writer depends on the old seqs being contiguous.
 *
 * The pins are read before anything is deleted; an unreadable pin record stops the expiry (a DataError naming
 * its key), because a guess could delete what a run still needs.
 */
export async function expireManifests(store: ObjectStore, table: string, options: ExpireOptions): Promise<ExpireResult> {
  const keepLast = Math.max(1, Math.floor(options.keepLast));
  const signal = options.signal;
  const io = signal === undefined ? {} : { signal };
  const seqs = await listSeqs(store, table, signal);
  const now = await store.serverTime(io);
  const pinned = pinnedSeqs(await listPins(store, signal), table, now);
  const expired: number[] = [];
  const keptForPins: number[] = [];
  for (const seq of seqs.slice(0, Math.max(0, seqs.length - keepLast))) {
    const manifest = await readManifest(store, table, { seq, ...io }).catch(() => undefined);
    if (manifest === undefined) continue; // expired by a concurrent run
    if (now.getTime() - Date.parse(manifest.created) < options.olderThanMs) break; // newer ones follow
    if (pinned.has(seq)) {
      keptForPins.push(seq);
      continue;
    }
    if (options.apply === true) await store.delete(manifestKey(table, seq), io);
    expired.push(seq);
  }
  return { expired, kept: seqs.length - expired.length, pinned: keptForPins };
}
