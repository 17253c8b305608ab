/**
 * Orphan garbage collection (DESIGN.md: "Orphaned parts (written, never committed) are garbage-collected after
 * a grace period"). A part is an orphan when no manifest of any table lists it and it is older than the grace
 * period on the store's clock. Only names trademl itself writes (`part-<uuidv7>.<ext>`) under the data
 * prefixes are ever deleted; anything else there is reported as foreign and left alone.
 *
 * Safety: every manifest of every table is read first; if any is unreadable, nothing is deleted (we could not
 * know what it references). Writers must commit within the grace period (default 24 h) of uploading a part.
 */
import { DataError } from "../domain/errors.ts";
import { LocalStore } from "./local-store.ts";
import { parseManifestName } from "./keys.ts";
import { parseManifest } from "./manifest.ts";
import type { ObjectStore } from "./types.ts";
import { unlink } from "node:fs/promises";

export const DATA_PREFIXES = ["raw/", "curated/", "reference/"] as const;
export const DEFAULT_GC_GRACE_MS = 24 * 60 * 60 * 1000;
const PART_NAME = /\/part-[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.[a-z0-9]+$/;

export interface GcOptions {
  readonly graceMs?: number;
  /** Delete (true) or only report (false, the default). */
  readonly apply?: boolean;
  readonly signal?: AbortSignal;
}

export interface GcReport {
  readonly applied: boolean;
  readonly graceMs: number;
  readonly manifestsRead: number;
  readonly referenced: number;
  /** Unreferenced parts older than the grace period: deleted when applied. */
  readonly orphans: readonly { key: string; size: number; ageMs: number }[];
  /** Unreferenced parts still inside the grace period (a writer may be about to commit them). */
  readonly young: number;
  /** Files under data prefixes that trademl did not name; never deleted. */
  readonly foreign: readonly string[];
  /** LocalStore temp files of killed writers, older than the grace period. */
  readonly staleTemps: number;
  readonly deleted: number;
  readonly bytesFreed: number;
}

export async function collectGarbage(store: ObjectStore, options: GcOptions = {}): Promise<GcReport> {
  const graceMs = options.graceMs ?? DEFAULT_GC_GRACE_MS;
  const apply = options.apply ?? false;
  const signal = options.signal;
  const listOptions = signal === undefined ? {} : { signal };
  const now = (await store.serverTime(listOptions)).getTime();

  const referenced = new Set<string>();
  let manifestsRead = 0;
  for await (const entry of store.list("manifests/", listOptions)) {
    const rest = entry.key.slice("manifests/".length);
    const slash = rest.lastIndexOf("/");
    const seq = parseManifestName(rest.slice(slash + 1));
    if (slash <= 0 || seq === undefined) continue;
    const object = await store.get(entry.key, listOptions);
    if (object === undefined) continue;
    let files;
    try {
      files = parseManifest(entry.key, object.body, rest.slice(0, slash), seq).files;
    } catch (error) {
      throw new DataError("gc_refused", `garbage collection refused: manifest "${entry.key}" is unreadable, so what it references is unknown; fix or move it first`, { cause: error, details: { key: entry.key } });
    }
    manifestsRead++;
    for (const file of files) referenced.add(file.key);
  }

  const orphans: { key: string; size: number; ageMs: number }[] = [];
  const foreign: string[] = [];
  let young = 0;
  for (const prefix of DATA_PREFIXES) {
    for await (const entry of store.list(prefix, listOptions)) {
      if (referenced.has(entry.key)) continue;
      if (!PART_NAME.test(entry.key)) {
        foreign.push(entry.key);
        continue;
      }
      const ageMs = now - entry.lastModified.getTime();
      if (ageMs < graceMs) young++;
      else orphans.push({ key: entry.key, size: entry.size, ageMs });
    }
  }

  const temps = store instanceof LocalStore ? await store.staleTempFiles(graceMs, now) : [];
  let deleted = 0;
  let bytesFreed = 0;
  if (apply) {
    for (const orphan of orphans) {
      signal?.throwIfAborted();
      await store.delete(orphan.key);
      deleted++;
      bytesFreed += orphan.size;
    }
    for (const temp of temps) await unlink(temp).catch(() => undefined);
  }
  return { applied: apply, graceMs, manifestsRead, referenced: referenced.size, orphans, young, foreign, staleTemps: temps.length, deleted, bytesFreed };
}
