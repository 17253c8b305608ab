/**
 * The lake operations the audit and backfill use, in one place. Snapshot manifests follow DESIGN.md "The lake
 * protocol" (a commit is a create-only put of `seq+1`; the loser of a race reloads and rebases). This private
 * implementation uses only ObjectStore primitives; it is swapped for src/lake/manifest.ts once that lands, so
 * the rest of src/ssot imports from here only.
 */
import { DataError } from "../domain/errors.ts";
import { manifestKey, manifestPrefix, parseManifestName } from "../lake/keys.ts";
import type { CommitOptions, Manifest, ObjectStore, PartFile, ReadManifestOptions, TableChange } from "../lake/types.ts";

async function latestSeq(store: ObjectStore, table: string, signal?: AbortSignal): Promise<number | undefined> {
  let latest: number | undefined;
  const prefix = manifestPrefix(table);
  for await (const entry of store.list(prefix, signal === undefined ? {} : { signal })) {
    const name = entry.key.slice(prefix.length);
    if (name.includes("/")) continue;
    const seq = parseManifestName(name);
    if (seq !== undefined && (latest === undefined || seq > latest)) latest = seq;
  }
  return latest;
}

export async function readManifest(store: ObjectStore, table: string, options: ReadManifestOptions = {}): Promise<Manifest | undefined> {
  const seq = options.seq ?? (await latestSeq(store, table, options.signal));
  if (seq === undefined) return undefined;
  const object = await store.get(manifestKey(table, seq), options.signal === undefined ? {} : { signal: options.signal });
  if (object === undefined) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(object.body)) as Manifest;
  } catch (cause) {
    throw new DataError("corrupt_manifest", `manifest ${manifestKey(table, seq)} is not valid JSON`, { cause });
  }
}

function applyChange(files: readonly PartFile[], change: TableChange): PartFile[] {
  if (change.kind === "append") return [...files, ...change.add];
  const present = new Set(files.map((file) => file.key));
  const gone = change.remove.filter((key) => !present.has(key));
  if (gone.length > 0) {
    throw new DataError("replace_conflict", `cannot replace ${gone.join(", ")}: no longer in the table (another writer replaced it)`);
  }
  const removed = new Set(change.remove);
  return [...files.filter((file) => !removed.has(file.key)), ...change.add];
}

export async function commitChange(store: ObjectStore, table: string, change: TableChange, options: CommitOptions = {}): Promise<Manifest> {
  const attempts = options.maxAttempts ?? 100;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    options.lease?.assertHeld();
    const previous = await readManifest(store, table, options.signal === undefined ? {} : { signal: options.signal });
    const epoch = options.lease?.epoch ?? options.epoch ?? 0;
    if (previous !== undefined && epoch < previous.max_epoch) {
      throw new DataError("fenced", `commit to ${table} refused: writer epoch ${epoch} is older than the table's ${previous.max_epoch}`);
    }
    const seq = (previous?.seq ?? 0) + 1;
    const manifest: Manifest = {
      format: 1,
      table,
      seq,
      parent: previous?.seq ?? null,
      writer_epoch: epoch,
      max_epoch: Math.max(epoch, previous?.max_epoch ?? 0),
      operation: previous === undefined ? "create" : change.kind === "append" ? "append" : (change.operation ?? "replace"),
      files: applyChange(previous?.files ?? [], change),
      removed: change.kind === "append" ? [] : [...change.remove],
      created: (await store.serverTime()).toISOString(),
      ...(options.writer === undefined ? {} : { writer: options.writer }),
    };
    const put = await store.put(manifestKey(table, seq), JSON.stringify(manifest), {
      condition: { ifNoneMatch: "*" },
      contentType: "application/json",
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    if (put.ok) return manifest;
  }
  throw new DataError("commit_contention", `could not commit to ${table} after ${attempts} attempts (too many concurrent writers)`);
}

/**
 * Compare-and-swap update of a small JSON state object (DESIGN.md: single mutable objects are updated by CAS
 * on the ETag). `update` is re-run on every lost race, so concurrent updaters never lose each other's change;
 * returning `undefined` leaves the object as it is.
 */
export async function casUpdate<T>(
  store: ObjectStore,
  key: string,
  parse: (value: unknown) => T,
  update: (current: T | undefined) => T | undefined,
  options: { readonly maxAttempts?: number; readonly signal?: AbortSignal } = {},
): Promise<T | undefined> {
  const attempts = options.maxAttempts ?? 100;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    options.signal?.throwIfAborted();
    const object = await store.get(key, options.signal === undefined ? {} : { signal: options.signal });
    let current: T | undefined;
    if (object !== undefined) {
      try {
        current = parse(JSON.parse(new TextDecoder().decode(object.body)));
      } catch (cause) {
        throw new DataError("state_invalid", `state object ${key} is not valid: ${String(cause)}`, { cause });
      }
    }
    const next = update(current);
    if (next === undefined) return current;
    const put = await store.put(key, JSON.stringify(next), {
      condition: object === undefined ? { ifNoneMatch: "*" } : { ifMatch: object.etag },
      contentType: "application/json",
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    if (put.ok) return next;
    // Lost the race: back off a little (full jitter) so two nodes do not collide in lock-step.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 5 * 2 ** attempt)));
  }
  throw new DataError("state_contention", `state object ${key} changed under ${attempts} update attempts in a row`);
}

/** Reads a small JSON state object, or undefined when it does not exist. */
export async function readJsonState<T>(store: ObjectStore, key: string, parse: (value: unknown) => T, signal?: AbortSignal): Promise<T | undefined> {
  const object = await store.get(key, signal === undefined ? {} : { signal });
  if (object === undefined) return undefined;
  try {
    return parse(JSON.parse(new TextDecoder().decode(object.body)));
  } catch (cause) {
    throw new DataError("state_invalid", `state object ${key} is not valid: ${String(cause)}`, { cause });
  }
}
