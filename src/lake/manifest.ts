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
import { z } from "zod";
import { DataError, UsageError } from "../domain/errors.ts";
import { sleep } from "../domain/sleep.ts";
import { fullJitterDelay } from "./backoff.ts";
import { assertValidKey, assertValidTable, leaseKey, manifestKey, manifestPrefix, parseManifestName } from "./keys.ts";
import { parseLeaseRecord } from "./lease.ts";
import type { CommitOptions, LeaseHandle, Manifest, ObjectStore, PartFile, ReadManifestOptions, TableChange } from "./types.ts";

const statValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const partFileSchema = z.strictObject({
  key: z.string().min(1),
  rows: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  min: z.record(z.string(), statValue).optional(),
  max: z.record(z.string(), statValue).optional(),
  symbols: z.array(z.string()).optional(),
  etag: z.string().optional(),
});

export const manifestSchema = z.strictObject({
  format: z.literal(1),
  table: z.string(),
  seq: z.number().int().positive(),
  parent: z.number().int().positive().nullable(),
  writer_epoch: z.number().int().nonnegative(),
  max_epoch: z.number().int().nonnegative(),
  fences: z.record(z.string(), z.number().int().nonnegative()).optional(),
  operation: z.enum(["append", "replace", "compact", "create"]),
  files: z.array(partFileSchema),
  removed: z.array(z.string()),
  created: z.string(),
  writer: z.string().optional(),
});

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
  const parsed = manifestSchema.safeParse(json);
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

/** The highest committed seq of `table` (0 when it has none). Foreign files in the folder are ignored. */
export async function latestSeq(store: ObjectStore, table: string, signal?: AbortSignal): Promise<number> {
  const prefix = manifestPrefix(table);
  let latest = 0;
  for await (const entry of store.list(prefix, signal === undefined ? {} : { signal })) {
    const rest = entry.key.slice(prefix.length);
    if (rest.includes("/")) continue; // a nested table's manifests
    const seq = parseManifestName(rest);
    if (seq !== undefined && seq > latest) latest = seq;
  }
  return latest;
}

/** Walks forward from a known manifest to the newest one (cheap after a lost race: usually one step). */
async function walkForward(store: ObjectStore, table: string, from: Manifest | undefined, signal?: AbortSignal): Promise<Manifest | undefined> {
  let current = from;
  for (;;) {
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
 * Entries are trusted for a minute only: `expireManifests` deletes old seqs, and a walk from a stale, expired
 * seq could otherwise re-create a deleted seq and fork the chain.
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
    if (slash <= 0 || parseManifestName(rest.slice(slash + 1)) === undefined) continue;
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
 * Commits a change to `table` as the next manifest. Returns the committed manifest. A lost race reloads,
 * rebases and retries; fencing and conflicts are DataErrors; `maxAttempts` lost races in a row is a DataError.
 */
export async function commitChange(store: ObjectStore, table: string, change: TableChange, options: CommitOptions = {}): Promise<Manifest> {
  assertValidTable(table);
  validateParts(table, change.add);
  const lease = options.lease;
  const epoch = lease?.epoch ?? options.epoch ?? 0;
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new UsageError("invalid_epoch", `writer epoch must be a non-negative integer, got ${epoch}`);
  const maxAttempts = options.maxAttempts ?? 100;
  const signal = options.lease === undefined ? options.signal : options.signal === undefined ? options.lease.signal : AbortSignal.any([options.signal, options.lease.signal]);
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
    const manifest: Manifest = {
      format: 1,
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
    // Lost the race for `seq`: rebase on the winner(s). A short jittered pause keeps N racers from lock-stepping.
    base = await walkForward(store, table, base, signal);
    if (base !== undefined) remember(store, base);
    if (attempt > 2) await sleep(fullJitterDelay(attempt - 2, { baseMs: 5, capMs: 200 }), signal);
  }
  throw new DataError("commit_contention", `commit to table "${table}" lost ${maxAttempts} races in a row; too many concurrent writers?`, { details: { table } });
}

/** Appends new immutable parts to `table` (the common case). */
export function commitParts(store: ObjectStore, table: string, parts: readonly PartFile[], options: CommitOptions = {}): Promise<Manifest> {
  return commitChange(store, table, { kind: "append", add: parts }, options);
}

export interface ExpireOptions {
  /** Always keep at least this many of the newest manifests (default 10). */
  readonly keepLast?: number;
  /** Only expire manifests created more than this long ago, store time (default 7 days). */
  readonly olderThanMs?: number;
  readonly apply?: boolean;
  readonly signal?: AbortSignal;
}

/**
 * Trims a table's manifest history: deletes manifests that are both outside the newest `keepLast` and older
 * than `olderThanMs`. Pinning an expired seq then fails with `manifest_missing`. Files that only expired
 * manifests listed (e.g. replaced by compaction) become orphans, which `lake gc` collects after its grace
 * period. The newest manifest is never deleted; deletion goes oldest first so the remaining seqs stay
 * contiguous.
 */
export async function expireManifests(store: ObjectStore, table: string, options: ExpireOptions = {}): Promise<{ expired: number[]; kept: number }> {
  const keepLast = Math.max(1, options.keepLast ?? 10);
  const olderThanMs = options.olderThanMs ?? 7 * 86_400_000;
  const listOptions = options.signal === undefined ? {} : { signal: options.signal };
  const prefix = manifestPrefix(table);
  const seqs: number[] = [];
  for await (const entry of store.list(prefix, listOptions)) {
    const rest = entry.key.slice(prefix.length);
    const seq = rest.includes("/") ? undefined : parseManifestName(rest);
    if (seq !== undefined) seqs.push(seq);
  }
  seqs.sort((a, b) => a - b);
  const now = (await store.serverTime(listOptions)).getTime();
  const expired: number[] = [];
  for (const seq of seqs.slice(0, Math.max(0, seqs.length - keepLast))) {
    const manifest = await loadManifest(store, table, seq, options.signal);
    if (manifest === undefined) continue;
    if (now - Date.parse(manifest.created) < olderThanMs) break; // newer ones follow: stop, keep contiguity
    if (options.apply === true) await store.delete(manifestKey(table, seq), listOptions);
    expired.push(seq);
  }
  return { expired, kept: seqs.length - expired.length };
}
