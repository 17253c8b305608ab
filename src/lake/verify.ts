/**
 * `trademl lake verify`: checks every part a table's manifest lists against the lake, deeper than the read path's
 * per-read check (read-cache.ts, one stat per part): the store's HEAD of each part must show the manifest's size
 * and ETag. On a local lake the ETag is the content's hash (local-store.ts), so a same-size rewrite is caught too;
 * that reads every byte, which is why reads do not do it.
 */
import { DataError } from "../domain/errors.ts";
import { readManifest } from "./manifest.ts";
import type { ObjectStore } from "./types.ts";

export interface PartProblem {
  readonly key: string;
  readonly problem: "missing" | "changed";
  /** What differs, e.g. "812 bytes in the lake, 640 in the manifest". */
  readonly detail: string;
}

export interface TableVerification {
  readonly table: string;
  readonly seq: number;
  readonly parts: number;
  readonly bytes: number;
  readonly problems: readonly PartProblem[];
}

export interface VerifyOptions {
  /** Check this manifest seq instead of the latest (a pinned snapshot's parts). */
  readonly seq?: number;
  readonly signal?: AbortSignal;
}

export async function verifyTable(store: ObjectStore, table: string, options: VerifyOptions = {}): Promise<TableVerification> {
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  const manifest = await readManifest(store, table, { ...signal, ...(options.seq === undefined ? {} : { seq: options.seq }) });
  if (manifest === undefined) throw new DataError("table_missing", `table "${table}" has no manifest in ${store.description}`, { details: { table } });
  const problems: PartProblem[] = [];
  for (const file of manifest.files) {
    const head = await store.head(file.key, signal);
    if (head === undefined) {
      problems.push({ key: file.key, problem: "missing", detail: "listed in the manifest, absent from the lake" });
    } else if (head.size !== file.bytes) {
      problems.push({ key: file.key, problem: "changed", detail: `${head.size} bytes in the lake, ${file.bytes} in the manifest` });
    } else if (file.etag !== undefined && head.etag !== file.etag) {
      problems.push({ key: file.key, problem: "changed", detail: `ETag ${head.etag} in the lake, ${file.etag} in the manifest` });
    }
  }
  return { table, seq: manifest.seq, parts: manifest.files.length, bytes: manifest.files.reduce((sum, file) => sum + file.bytes, 0), problems };
}
