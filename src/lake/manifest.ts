/**
 * Snapshot manifests: a table's state is its highest `manifests/<table>/<20-digit seq>.json`, written
 * create-only, so two writers can never both commit the same seq (DESIGN.md "The lake protocol"). The loser
 * of a race reloads the winner's manifest, re-applies its change on top (rebase) and tries the next seq.
 * Every manifest lists the table's complete file list, so a reader (or a backtest pinning a seq) resolves
 * one object to an explicit file list — snapshot isolation without replaying a log.
 *
 * Fencing: each manifest carries the committing writer's epoch and the highest epoch the table has seen;
 * a commit with a lower epoch is refused, so a writer whose lease was taken over cannot commit afterwards.
 */
import type { z } from "zod";
import { DataError, UsageError } from "../domain/errors.ts";
import { fullJitterDelay } from "../domain/backoff.ts";
import { sleep } from "../domain/sleep.ts";
import { assertValidKey, assertValidTable, leaseKey, manifestKey, manifestPrefix, parseManifestName } from "./keys.ts";
import { parseLeaseRecord } from "./lease.ts";
import { MANIFEST_FORMAT, manifestSchema, partFileSchema, upgradeManifestJson } from "./manifest-format.ts";
import type { CommitOptions, LeaseHandle, Manifest, ObjectStore, PartFile, ReadManifestOptions, TableChange } from "./types.ts";

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
}

/** Parses and checks one manifest body; every failure names the key. */
export function parseManifest(key: string, body: Uint8Array, table: string, seq: number): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch (error) {
    throw new DataError("manifest_corrupt", `manifest "${key}" is not valid JSON (truncated or overwritten by something else?)`, { cause: error, details: { key } });
  }
  const parsed = manifestSchema.safeParse(upgradeManifestJson(json));
  if (!parsed.success) {
    throw new DataError("manifest_corrupt", `manifest "${key}" does not match the manifest schema: ${describeIssues(parsed.error)}`, { cause: parsed.error, details: { key } });
  }
  const manifest = parsed.data;
  if (manifest.table !== table || manifest.seq !== seq) {
    throw new DataError("manifest_corrupt", `manifest "${key}" claims table "${manifest.table}" seq ${manifest.seq}; its key says "${table}" seq ${seq}`, { details: { key } });
  }
  if (manifest.parent !== (seq === 1 ? null : seq - 1)) {
    throw new DataError("manifest_corrupt", `manifest "${key}" has parent ${manifest.parent}; a linear chain needs ${seq === 1 ? "null" : seq - 1}`, { details: { key } });
  }
  return manifest;
}

async function loadManifest(store: ObjectStore, table: string, seq: number, signal?: AbortSignal): Promise<Manifest | undefined> {
  const key = manifestKey(table, seq);
  const object = await store.get(key, signal === undefined ? {} : { signal });
  return object === undefined ? undefined : parseManifest(key, object.body, table, seq);
}

/** Every committed seq of `table`, ascending. Foreign files in the folder are ignored. */
export async function listSeqs(store: ObjectStore, table: string, signal?: AbortSignal): Promise<number[]> {
  const prefix = manifestPrefix(table);
  const seqs: number[] = [];
  for await (const entry of store.list(prefix, signal === undefined ? {} : { signal })) {
    const rest = entry.key.slice(prefix.length);
    if (rest.includes("/")) continue; // a nested table's manifests
    const seq = parseManifestName(rest, entry.key);
    if (seq !== undefined) seqs.push(seq);
  }
  return seqs.sort((a, b) => a - b);
}

/** The highest committed seq of `table` (0 when it has none). Foreign files in the folder are ignored. */
export async function latestSeq(store: ObjectStore, table: string, signal?: AbortSignal): Promise<number> {
  return (await listSeqs(store, table, signal)).at(-1) ?? 0;
}

/**
 * Walks forward from a known manifest to the newest one (cheap after a lost race: usually one step). Bounded by
 * the manifests that exist, each read once; the largest usable seq ends it too.
 */
async function walkForward(store: ObjectStore, table: string, from: Manifest | undefined, signal?: AbortSignal): Promise<Manifest | undefined> {
  let current = from;
  for (;;) {
    signal?.throwIfAborted();
    if (current !== undefined && current.seq >= Number.MAX_SAFE_INTEGER) return current;
    const next = await loadManifest(store, table, (current?.seq ?? 0) + 1, signal);
    if (next === undefined) return current;
    current = next;
  }
}

/**
 * Resolves the latest (or a pinned) manifest of `table`. Undefined when the table has no commit yet.
 * A pinned seq that does not exist is a DataError naming the key.
 */
export async function readManifest(store: ObjectStore, table: string, options: ReadManifestOptions = {}): Promise<Manifest | undefined> {
  assertValidTable(table);
  if (options.seq !== undefined) {
    const manifest = await loadManifest(store, table, options.seq, options.signal);
    if (manifest === undefined) {
      throw new DataError("manifest_missing", `table "${table}" has no manifest seq ${options.seq} (key "${manifestKey(table, options.seq)}")`, { details: { table, seq: options.seq } });
    }
    return manifest;
  }
  const seq = await latestSeq(store, table, options.signal);
  if (seq === 0) return undefined;
  const listed = await loadManifest(store, table, seq, options.signal);
  if (listed === undefined) {
    throw new DataError("manifest_missing", `manifest "${manifestKey(table, seq)}" was listed but cannot be read`, { details: { table, seq } });
  }
  // A commit may have landed between the list and the get.
  return walkForward(store, table, listed, options.signal);
}

/**
 * The newest manifest this process has seen per store and table. Manifests are immutable and the chain has no
 * gaps, so a committer can walk forward from here (one GET) instead of listing the whole folder every time.
 * Entries are trusted for a minute only: `expireManifests` (lake/retention.ts) deletes old seqs, and a walk from a
 * stale, expired seq could otherwise re-create a deleted seq and fork the chain.
 */
const SEEN_TTL_MS = 60_000;
const seen = new WeakMap<ObjectStore, Map<string, { manifest: Manifest; at: number }>>();

function remember(store: ObjectStore, manifest: Manifest): void {
  let tables = seen.get(store);
  if (tables === undefined) {
    tables = new Map();
    seen.set(store, tables);
  }
  const known = tables.get(manifest.table);
  if (known === undefined || known.manifest.seq <= manifest.seq) tables.set(manifest.table, { manifest, at: performance.now() });
}

async function latestForCommit(store: ObjectStore, table: string, signal?: AbortSignal): Promise<Manifest | undefined> {
  const known = seen.get(store)?.get(table);
  if (known !== undefined && performance.now() - known.at < SEEN_TTL_MS) return walkForward(store, table, known.manifest, signal);
  return readManifest(store, table, signal === undefined ? {} : { signal });
}

/** Every table with at least one manifest, sorted. */
export async function listTables(store: ObjectStore, signal?: AbortSignal): Promise<string[]> {
  const tables = new Set<string>();
  for await (const entry of store.list("manifests/", signal === undefined ? {} : { signal })) {
    const rest = entry.key.slice("manifests/".length);
    const slash = rest.lastIndexOf("/");
    if (slash <= 0 || !/^\d{20}\.json$/.test(rest.slice(slash + 1))) continue;
    // Listed even when its seq is out of range: reading the table then names the bad key, and the rest still list.
    tables.add(rest.slice(0, slash));
  }
  return [...tables].sort();
}

function validateParts(table: string, parts: readonly PartFile[]): void {
  const seen = new Set<string>();
  for (const part of parts) {
    assertValidKey(part.key);
    const checked = partFileSchema.safeParse(part);
    if (!checked.success) throw new UsageError("invalid_part", `part "${part.key}" for table "${table}" is invalid: ${describeIssues(checked.error)}`);
    if (seen.has(part.key)) throw new UsageError("duplicate_part", `part "${part.key}" appears twice in one commit to "${table}"`);
    if (part.key.startsWith("manifests/") || part.key.startsWith("leases/") || part.key.startsWith("state/")) {
      throw new UsageError("invalid_part", `part "${part.key}" is under a reserved prefix (manifests/, leases/, state/)`);
    }
    seen.add(part.key);
  }
}

/** HEADs in flight at once while checking a commit's parts (S3 round trips overlap; a local stat is cheap anyway). */
const PART_CHECKS_IN_FLIGHT = 8;

/**
 * Every part a commit adds must exist, unchanged, when the commit is made. A part deleted between its upload and
 * the commit (`lake gc` with a short grace did it; so can any cleaner) would otherwise be committed as a hole:
 * every command reports success and the table stays broken, with bookmarks already past the data. A part whose
 * ETag differs from the one its writer got was replaced by something else. One HEAD per part.
 */
async function assertPartsPresent(store: ObjectStore, table: string, parts: readonly PartFile[], signal?: AbortSignal): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < parts.length; index = next++) {
      const part = parts[index];
      if (part === undefined) continue;
      const head = await store.head(part.key, signal === undefined ? {} : { signal });
      if (head === undefined) {
        throw new DataError(
          "part_missing",
          `commit to table "${table}" refused: part "${part.key}" is not in the lake (${store.description}); it was deleted after it was written — by \`lake gc\` with a short grace or an external cleaner — and committing it would leave a hole in the table. Nothing was committed; run the job again to rewrite it`,
          { details: { table, key: part.key } },
        );
      }
      if (part.etag !== undefined && head.etag !== part.etag) {
        throw new DataError(
          "part_changed",
          `commit to table "${table}" refused: part "${part.key}" has ETag ${head.etag}, not the ${part.etag} its writer uploaded; parts are immutable, so something replaced it. Nothing was committed`,
          { details: { table, key: part.key, expected: part.etag, found: head.etag } },
        );
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PART_CHECKS_IN_FLIGHT, parts.length) }, worker));
}

type Applied = { readonly kind: "new"; readonly files: PartFile[]; readonly removed: string[] } | { readonly kind: "already_committed" };

/** Applies a change to a snapshot's file list; pure. */
export function applyChange(table: string, base: readonly PartFile[], change: TableChange): Applied {
  const present = new Map(base.map((file) => [file.key, file]));
  const added = change.add.filter((part) => present.has(part.key));
  if (added.length > 0) {
    // Every part already there: our own earlier attempt committed (an ambiguous network failure). Idempotent.
    if (added.length === change.add.length && (change.kind === "append" || change.remove.every((key) => !present.has(key)))) {
      return { kind: "already_committed" };
    }
    throw new DataError("duplicate_part", `table "${table}" already contains part "${added[0]?.key}"; part keys are never reused`, { details: { table } });
  }
  if (change.kind === "append") return { kind: "new", files: [...base, ...change.add], removed: [] };
  const missing = change.remove.filter((key) => !present.has(key));
  if (missing.length > 0) {
    throw new DataError(
      "replace_conflict",
      `cannot replace in table "${table}": ${missing.length} file(s) to remove are no longer in the table (e.g. "${missing[0]}"); another writer compacted or replaced them`,
      { details: { table, missing } },
    );
  }
  const removing = new Set(change.remove);
  if (change.operation === "compact") {
    // A compaction promises readers the same rows (Manifest.operation): hold it to that.
    const before = base.filter((file) => removing.has(file.key)).reduce((n, file) => n + file.rows, 0);
    const after = change.add.reduce((n, file) => n + file.rows, 0);
    if (before !== after) {
      throw new UsageError("compact_not_preserving", `compaction of table "${table}" would turn ${before} rows into ${after}; a compact commit must keep every row`, { details: { table } });
    }
  }
  return { kind: "new", files: [...base.filter((file) => !removing.has(file.key)), ...change.add], removed: [...change.remove] };
}

function fenced(table: string, epoch: number, maxEpoch: number, job?: string): DataError {
  return new DataError(
    "stale_epoch",
    `commit to table "${table}" refused: writer epoch ${epoch}${job === undefined ? "" : ` of lease "${job}"`} is older than epoch ${maxEpoch} already seen (this writer's lease was taken over; its work is void)`,
    { details: { table, epoch, maxEpoch, ...(job === undefined ? {} : { job }) } },
  );
}

/** Extra fence: if the lease object already shows a newer epoch, refuse even before the table has seen it. */
async function assertLeaseCurrent(store: ObjectStore, table: string, lease: LeaseHandle, signal?: AbortSignal): Promise<void> {
  lease.assertHeld();
  const object = await store.get(leaseKey(lease.job), signal === undefined ? {} : { signal });
  if (object === undefined) return;
  let epoch: number;
  try {
    epoch = parseLeaseRecord(leaseKey(lease.job), object.body).epoch;
  } catch {
    return; // lease.ts reports corrupt leases; the table's own fence still applies
  }
  if (epoch > lease.epoch) throw fenced(table, lease.epoch, epoch, lease.job);
}

/**
 * Commits a change to `table` as the next manifest. Returns the committed manifest. Every added part must exist
 * with the ETag its writer got (`part_missing` / `part_changed` otherwise). A lost race reloads, rebases and
 * retries; fencing and conflicts are DataErrors; `maxAttempts` lost races in a row is a DataError.
 */
export async function commitChange(store: ObjectStore, table: string, change: TableChange, options: CommitOptions = {}): Promise<Manifest> {
  assertValidTable(table);
  validateParts(table, change.add);
  const lease = options.lease;
  const epoch = lease?.epoch ?? options.epoch ?? 0;
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new UsageError("invalid_epoch", `writer epoch must be a non-negative integer, got ${epoch}`);
  const maxAttempts = options.maxAttempts ?? 100;
  const signal = options.lease === undefined ? options.signal : options.signal === undefined ? options.lease.signal : AbortSignal.any([options.signal, options.lease.signal]);
  await assertPartsPresent(store, table, change.add, signal);
  const created = (await store.serverTime(signal === undefined ? {} : { signal })).toISOString();
  let base = await latestForCommit(store, table, signal);
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    signal?.throwIfAborted();
    if (lease === undefined && base !== undefined && epoch < base.max_epoch) throw fenced(table, epoch, base.max_epoch);
    const jobFence = lease === undefined ? undefined : base?.fences?.[lease.job];
    if (lease !== undefined && jobFence !== undefined && epoch < jobFence) throw fenced(table, epoch, jobFence, lease.job);
    if (lease !== undefined) await assertLeaseCurrent(store, table, lease, signal);
    const applied = applyChange(table, base?.files ?? [], change);
    if (applied.kind === "already_committed" && base !== undefined) return base;
    if (applied.kind === "already_committed") throw new DataError("commit_state", `table "${table}" vanished during commit`);
    const seq = (base?.seq ?? 0) + 1;
    if (!Number.isSafeInteger(seq)) {
      throw new DataError("manifest_seq_exhausted", `commit to table "${table}" refused: its manifest "${manifestKey(table, base?.seq ?? 1)}" is at the largest usable seq, so no further commit can be numbered`, {
        details: { table, seq: base?.seq },
      });
    }
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      table,
      seq,
      parent: base?.seq ?? null,
      writer_epoch: epoch,
      max_epoch: lease === undefined ? Math.max(epoch, base?.max_epoch ?? 0) : (base?.max_epoch ?? 0),
      ...(lease === undefined && base?.fences === undefined
        ? {}
        : { fences: lease === undefined ? { ...base?.fences } : { ...base?.fences, [lease.job]: Math.max(epoch, jobFence ?? 0) } }),
      operation: change.kind === "append" ? (seq === 1 ? "create" : "append") : (change.operation ?? "replace"),
      files: applied.files,
      removed: applied.removed,
      created,
      ...(options.writer === undefined ? {} : { writer: options.writer }),
    };
    const result = await store.put(manifestKey(table, seq), JSON.stringify(manifest), {
      condition: { ifNoneMatch: "*" },
      contentType: "application/json",
      ...(signal === undefined ? {} : { signal }),
    });
    if (result.ok) {
      remember(store, manifest);
      return manifest;
    }
    // Lost the race for `seq`: rebase on the winner(s). A short jittered pause keeps N racers from lock-stepping;
    // it comes before the rebase, never between rebase and retry, or every pause would make the next try stale.
    if (attempt > 2) await sleep(fullJitterDelay(attempt - 2, { baseMs: 5, capMs: 200 }), signal);
    base = await walkForward(store, table, base, signal);
    if (base !== undefined) remember(store, base);
  }
  throw new DataError("commit_contention", `commit to table "${table}" lost ${maxAttempts} races in a row; too many concurrent writers?`, { details: { table } });
}

/** Appends new immutable parts to `table` (the common case). */
export function commitParts(store: ObjectStore, table: string, parts: readonly PartFile[], options: CommitOptions = {}): Promise<Manifest> {
  return commitChange(store, table, { kind: "append", add: parts }, options);
}
