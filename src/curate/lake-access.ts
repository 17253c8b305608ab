/**
 * What curation, reference data and analyst SQL need from the lake, bound to one store: snapshot manifests and
 * commits (src/lake/manifest.ts), fresh part keys (uuidv7), small JSON state objects by compare-and-swap, and
 * local files DuckDB can read (a local lake in place; S3 parts through the read cache, src/db/read-cache.ts).
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataError } from "../domain/errors.ts";
import { ReadCache } from "../db/read-cache.ts";
import { newPartKey } from "../lake/keys.ts";
import { commitChange, readManifest } from "../lake/manifest.ts";
import type { CommitOptions, Manifest, ObjectStore, StateRef, TableChange } from "../lake/types.ts";

/** A part to read: a lake key, with the ETag the manifest recorded when there is one. */
export type PartRef = string | { readonly key: string; readonly etag?: string | undefined };

export interface CurateLake {
  readonly store: ObjectStore;
  readManifest(table: string, seq?: number): Promise<Manifest | undefined>;
  commitChange(table: string, change: TableChange): Promise<Manifest>;
  /** `${prefix}/part-<uuidv7>.parquet`: a fresh key nobody else writes. */
  newPartKey(prefix: string): string;
  /** Local paths DuckDB can read for these parts, in the same order. */
  localPaths(parts: readonly PartRef[]): Promise<string[]>;
  readState<T>(key: string): Promise<StateRef<T> | undefined>;
  /** Writes by CAS (`etag` from readState) or create-only when `etag` is undefined; false when the race was lost. */
  writeState<T>(key: string, value: T, etag: string | undefined): Promise<boolean>;
}

export interface LakeAccessOptions {
  /** Where S3 parts are materialised for DuckDB (default: a folder under the OS temp dir). */
  readonly cacheDir?: string;
  /** Bound of that folder (default 2 GiB; a catalog export passes no practical bound so its files stay). */
  readonly cacheBytes?: number;
  /** Writer epoch, lease and writer name recorded on commits. */
  readonly commit?: Pick<CommitOptions, "epoch" | "lease" | "writer">;
}

export function lakeAccess(store: ObjectStore, options: LakeAccessOptions = {}): CurateLake {
  const cache = new ReadCache({
    dir: options.cacheDir ?? join(tmpdir(), "trademl-read-cache"),
    ...(options.cacheBytes === undefined ? {} : { maxBytes: options.cacheBytes }),
  });
  return {
    store,
    readManifest: (table, seq) => readManifest(store, table, seq === undefined ? {} : { seq }),
    commitChange: (table, change) => commitChange(store, table, change, options.commit ?? {}),
    newPartKey: (prefix) => newPartKey(prefix),
    localPaths: (parts) =>
      cache.materialize(
        store,
        parts.map((part) =>
          typeof part === "string"
            ? { key: part, rows: 0, bytes: 0 }
            : { key: part.key, rows: 0, bytes: 0, ...(part.etag === undefined ? {} : { etag: part.etag }) },
        ),
      ),
    async readState<T>(key: string) {
      const object = await store.get(key);
      if (object === undefined) return undefined;
      try {
        return { key, value: JSON.parse(new TextDecoder().decode(object.body)) as T, etag: object.etag };
      } catch (cause) {
        throw new DataError("corrupt_state", `state object ${key} is not valid JSON`, { cause });
      }
    },
    async writeState(key, value, etag) {
      const result = await store.put(key, JSON.stringify(value), {
        condition: etag === undefined ? { ifNoneMatch: "*" } : { ifMatch: etag },
        contentType: "application/json",
      });
      return result.ok;
    },
  };
}
