/**
 * The lake bound to one store, for pipelines that read the lake through DuckDB (curation, reference data,
 * analyst SQL, the catalog export): snapshot manifests and commits (manifest.ts) under one writer identity,
 * fresh part keys, small JSON state objects checked against their zod schema (state.ts), and local files DuckDB
 * can read (a local lake in place; S3 parts through the read cache, read-cache.ts).
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { z } from "zod";
import { newPartKey } from "./keys.ts";
import { commitChange, readManifest } from "./manifest.ts";
import { ReadCache } from "./read-cache.ts";
import { readState, writeState } from "./state.ts";
import type { CommitOptions, Manifest, ObjectStore, StateRef, TableChange } from "./types.ts";

/** A part to read: a lake key, with the ETag the manifest recorded when there is one. */
export type PartRef = string | { readonly key: string; readonly etag?: string | undefined };

export interface LakeAccess {
  readonly store: ObjectStore;
  readManifest(table: string, seq?: number): Promise<Manifest | undefined>;
  commitChange(table: string, change: TableChange): Promise<Manifest>;
  /** `${prefix}/part-<uuidv7>.parquet`: a fresh key nobody else writes. */
  newPartKey(prefix: string): string;
  /** Local paths DuckDB can read for these parts, in the same order. */
  localPaths(parts: readonly PartRef[]): Promise<string[]>;
  /** A state object, validated by `schema` (a corrupt or mismatching object is a DataError "state_corrupt"). */
  readState<T>(key: string, schema: z.ZodType<T>): Promise<StateRef<T> | undefined>;
  /**
   * Writes a state object after checking it against `schema`: by CAS over `etag` (from readState), or create-only
   * when `etag` is undefined. False when another writer got there first.
   */
  writeState<T>(key: string, schema: z.ZodType<T>, value: T, etag: string | undefined): Promise<boolean>;
}

export interface LakeAccessOptions {
  /** Where S3 parts are materialised for DuckDB (default: a folder under the OS temp dir). */
  readonly cacheDir?: string;
  /** Bound of that folder (default 2 GiB; a catalog export passes no practical bound so its files stay). */
  readonly cacheBytes?: number;
  /** Writer epoch, lease and writer name recorded on commits. */
  readonly commit?: Pick<CommitOptions, "epoch" | "lease" | "writer">;
}

export function lakeAccess(store: ObjectStore, options: LakeAccessOptions = {}): LakeAccess {
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
    readState: (key, schema) => readState(store, key, schema),
    writeState: async (key, schema, value, etag) => (await writeState(store, key, schema, value, etag)) !== undefined,
  };
}
