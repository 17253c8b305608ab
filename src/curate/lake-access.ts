/**
 * What curation needs from the lake, bound to one store: snapshot manifests, commits, bookmarks, new part keys
 * and local files DuckDB can read. `lakeAccess(store)` builds it over any ObjectStore.
 *
 * The manifest and state helpers here follow DESIGN.md "The lake protocol" (create-only `seq+1`, CAS on the
 * ETag) using only the ObjectStore primitives, so curation works before and after the lake's own manifest
 * module is wired in; `manifestFunctions` lets a caller pass the lake's implementation instead.
 */
import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataError, IoError } from "../domain/errors.ts";
import type { Manifest, ObjectStore, PartFile, StateRef, TableChange } from "../lake/types.ts";

export interface ManifestFunctions {
  readManifest(store: ObjectStore, table: string, options?: { seq?: number }): Promise<Manifest | undefined>;
  commitChange(store: ObjectStore, table: string, change: TableChange, options?: { writer?: string }): Promise<Manifest>;
}

export interface CurateLake {
  readonly store: ObjectStore;
  readManifest(table: string, seq?: number): Promise<Manifest | undefined>;
  commitChange(table: string, change: TableChange): Promise<Manifest>;
  /** `${prefix}/part-<time-ordered uuid>.parquet`: a fresh key nobody else writes. */
  newPartKey(prefix: string): string;
  /** Local paths DuckDB can read for these keys, in the same order (a local lake reads in place). */
  localPaths(keys: readonly string[]): Promise<string[]>;
  readState<T>(key: string): Promise<StateRef<T> | undefined>;
  /** Writes by CAS (`etag` from readState) or create-only when `etag` is undefined; false when the race was lost. */
  writeState<T>(key: string, value: T, etag: string | undefined): Promise<boolean>;
}

const SEQ_DIGITS = 20;

function manifestKey(table: string, seq: number): string {
  return `manifests/${table}/${String(seq).padStart(SEQ_DIGITS, "0")}.json`;
}

async function latestSeq(store: ObjectStore, table: string): Promise<number | undefined> {
  let latest: number | undefined;
  for await (const entry of store.list(`manifests/${table}/`)) {
    const match = /\/(\d{20})\.json$/.exec(entry.key);
    if (match?.[1] === undefined) continue;
    const seq = Number(match[1]);
    if (latest === undefined || seq > latest) latest = seq;
  }
  return latest;
}

async function readManifestAt(store: ObjectStore, table: string, seq: number): Promise<Manifest | undefined> {
  const object = await store.get(manifestKey(table, seq));
  if (object === undefined) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(object.body)) as Manifest;
  } catch (cause) {
    throw new DataError("corrupt_manifest", `manifest ${manifestKey(table, seq)} is not valid JSON`, { cause });
  }
}

/** Create-only commit of seq+1 over the latest snapshot; a lost race reloads and rebases (DESIGN.md). */
export const protocolManifests: ManifestFunctions = {
  async readManifest(store, table, options = {}) {
    const seq = options.seq ?? (await latestSeq(store, table));
    return seq === undefined ? undefined : readManifestAt(store, table, seq);
  },
  async commitChange(store, table, change, options = {}) {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const base = await this.readManifest(store, table);
      const current = base?.files ?? [];
      let files: PartFile[];
      let removed: string[] = [];
      if (change.kind === "append") {
        files = [...current, ...change.add];
      } else {
        const gone = new Set(change.remove);
        const present = new Set(current.map((file) => file.key));
        const missing = change.remove.filter((key) => !present.has(key));
        if (missing.length > 0) {
          throw new DataError("commit_conflict", `${table}: parts to replace are no longer in the table: ${missing.slice(0, 3).join(", ")}`);
        }
        files = [...current.filter((file) => !gone.has(file.key)), ...change.add];
        removed = [...change.remove];
      }
      const seq = (base?.seq ?? 0) + 1;
      const manifest: Manifest = {
        format: 1,
        table,
        seq,
        parent: base?.seq ?? null,
        writer_epoch: 0,
        max_epoch: base?.max_epoch ?? 0,
        operation: base === undefined ? "create" : change.kind === "append" ? "append" : (change.operation ?? "replace"),
        files,
        removed,
        created: (await store.serverTime()).toISOString(),
        ...(options.writer === undefined ? {} : { writer: options.writer }),
      };
      const result = await store.put(manifestKey(table, seq), JSON.stringify(manifest), {
        condition: { ifNoneMatch: "*" },
        contentType: "application/json",
      });
      if (result.ok) return manifest;
    }
    throw new IoError("commit_contention", `${table}: gave up committing after 100 lost races`);
  },
};

/** A time-ordered, unique part name: ms timestamp (hex, fixed width) then random bits, like a UUIDv7. */
export function timeOrderedId(now: number = Date.now()): string {
  const time = now.toString(16).padStart(12, "0");
  const random = randomUUID().replace(/-/g, "").slice(12);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(1, 4)}-${random.slice(4, 8)}-${random.slice(8, 20)}`;
}

interface ResolvingStore {
  resolvePath(key: string): Promise<string | undefined>;
}

function canResolve(store: ObjectStore): store is ObjectStore & ResolvingStore {
  return typeof (store as Partial<ResolvingStore>).resolvePath === "function";
}

export interface LakeAccessOptions {
  readonly manifests?: ManifestFunctions;
  /** Where remote parts are downloaded for DuckDB (default: a folder under the OS temp dir). */
  readonly cacheDir?: string;
  readonly writer?: string;
}

export function lakeAccess(store: ObjectStore, options: LakeAccessOptions = {}): CurateLake {
  const manifests = options.manifests ?? protocolManifests;
  const cacheDir = options.cacheDir ?? join(tmpdir(), "trademl-read-cache");
  return {
    store,
    readManifest: (table, seq) => manifests.readManifest(store, table, seq === undefined ? {} : { seq }),
    commitChange: (table, change) =>
      manifests.commitChange(store, table, change, options.writer === undefined ? {} : { writer: options.writer }),
    newPartKey: (prefix) => `${prefix}/part-${timeOrderedId()}.parquet`,
    async localPaths(keys) {
      const out: string[] = [];
      for (const key of keys) {
        if (canResolve(store)) {
          const path = await store.resolvePath(key);
          if (path === undefined) throw new DataError("missing_part", `part ${key} is listed in a manifest but missing from ${store.description}`);
          out.push(path);
          continue;
        }
        // Parts are immutable, so a cached copy under its key never goes stale.
        const path = join(cacheDir, key);
        await mkdir(join(path, ".."), { recursive: true });
        const head = await store.getToFile(key, path);
        if (head === undefined) throw new DataError("missing_part", `part ${key} is listed in a manifest but missing from ${store.description}`);
        out.push(path);
      }
      return out;
    },
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
