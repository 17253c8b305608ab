/**
 * Orphan garbage collection (DESIGN.md: "Orphaned parts (written, never committed) are garbage-collected after
 * a grace period"). A part is an orphan when no manifest of any table lists it and it is older than the grace
 * period on the store's clock. Only names trademl itself writes (`part-<uuidv7>.<ext>`) under the data
 * prefixes are ever deleted; anything else there is reported as foreign and left alone.
 *
 * What keeps a part (each rule closes a way committed data was lost or could be):
 *   - Listed by any remaining manifest. Manifest expiry (lake/retention.ts) decides which manifests remain and
 *     keeps every seq a backtest or model run pinned, so a pinned snapshot's parts stay.
 *   - Written since a live lease was taken. A job under a lease (curation, audit, backfill, the collector) may
 *     commit any part it wrote until its lease ends; a curate that runs longer than the grace period must not
 *     find its parts gone at commit time (found in use: every command reported success and the table stayed
 *     broken, its bookmark past the deleted parts). A lease whose holder died stops protecting at its expiry.
 *   - Younger than the grace period, which may not be shorter than the longest lease TTL: a job that takes its
 *     lease after gc read the leases writes parts younger than gc's start, and a job can commit for up to one
 *     TTL after its last renewal.
 * And nothing is deleted where trademl's own files are not: a folder with neither the lake's origin marker nor a
 * manifest is not a lake (a mistyped LAKE_ROOT), and gc refuses there rather than delete what looks like ours.
 *
 * Safety: every manifest and lease is read first; if any is unreadable, nothing is deleted (we could not know
 * what it references or protects). Commits re-check their parts (manifest.ts), so a part deleted anyway is
 * refused at commit rather than committed as a hole.
 */
import { unlink } from "node:fs/promises";
import { DataError, UsageError } from "../domain/errors.ts";
import { LAKE_ORIGIN_KEY, LEASE_PREFIX, parseManifestName } from "./keys.ts";
import { describeLeaseHolder, leaseIsFree, parseLeaseRecord } from "./lease.ts";
import { LocalStore } from "./local-store.ts";
import { parseManifest } from "./manifest.ts";
import { listPins } from "./pins.ts";
import type { LeaseRecord, ObjectStore } from "./types.ts";

export const DATA_PREFIXES = ["raw/", "curated/", "reference/", "backtests/"] as const;
const PART_NAME = /\/part-[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.[a-z0-9]+$/;
/**
 * Parts written this long before a live lease was taken are still counted as the job's: an S3 store's clock is
 * read to the second (the Date header) and a LocalStore's from file times, so both sides of the comparison carry
 * up to a second or two of error.
 */
const CLOCK_SLACK_MS = 5_000;

export interface GcOptions {
  /** Unreferenced parts younger than this are kept. Required: the default lives in node.yml `lake.gc_grace_hours`. */
  readonly graceMs: number;
  /**
   * The longest lease TTL the caller's configuration uses (curator and lake leases); the grace may not be
   * shorter than it, nor than the TTL of any lease record in the lake.
   */
  readonly leaseTtlMs?: number;
  /** Delete (true) or only report (false, the default). */
  readonly apply?: boolean;
  readonly signal?: AbortSignal;
}

export interface GcPart {
  readonly key: string;
  readonly size: number;
  readonly ageMs: number;
}

export interface GcLiveLease {
  readonly job: string;
  readonly holder: string;
  readonly acquiredAt: string;
  readonly expiresInMs: number;
  /** Who holds it, whether that process still runs (same host), and when it expires. */
  readonly heldBy: string;
}

export interface GcReport {
  readonly applied: boolean;
  readonly graceMs: number;
  readonly manifestsRead: number;
  readonly referenced: number;
  /** Unreferenced parts older than the grace period and not protected by a lease: deleted when applied. */
  readonly orphans: readonly GcPart[];
  /** Unreferenced parts still inside the grace period (a writer may be about to commit them). */
  readonly young: number;
  /** Unreferenced parts older than the grace period but written since a live lease was taken: kept. */
  readonly held: readonly GcPart[];
  /** Leases live at the store's time when gc ran; their jobs may still commit what they wrote. */
  readonly liveLeases: readonly GcLiveLease[];
  /** Pinned seqs whose manifest is gone (expired or removed by hand): gc cannot know their parts. */
  readonly missingPins: readonly { readonly pin: string; readonly table: string; readonly seq: number }[];
  /** Files under data prefixes that trademl did not name; never deleted. */
  readonly foreign: readonly string[];
  /** LocalStore temp files of killed writers older than the grace period (paths): deleted when applied. */
  readonly staleTemps: readonly string[];
  readonly deleted: number;
  readonly bytesFreed: number;
}

/** Reads every lease record; an unreadable one stops gc (it might protect a running job). */
async function readLeases(store: ObjectStore, signal: AbortSignal | undefined): Promise<LeaseRecord[]> {
  const io = signal === undefined ? {} : { signal };
  const leases: LeaseRecord[] = [];
  for await (const entry of store.list(LEASE_PREFIX, io)) {
    if (!entry.key.endsWith(".json")) continue;
    const object = await store.get(entry.key, io);
    if (object === undefined) continue;
    try {
      leases.push(parseLeaseRecord(entry.key, object.body));
    } catch (error) {
      throw new DataError("gc_refused", `garbage collection refused: lease "${entry.key}" is unreadable, so whether its job is still writing is unknown; fix or move it first`, { cause: error, details: { key: entry.key } });
    }
  }
  return leases;
}

/** Every manifest of every table: the parts they list, and which `table@seq` exist. */
async function readManifests(store: ObjectStore, signal: AbortSignal | undefined): Promise<{ referenced: Set<string>; present: Set<string>; count: number }> {
  const io = signal === undefined ? {} : { signal };
  const referenced = new Set<string>();
  const present = new Set<string>();
  let count = 0;
  for await (const entry of store.list("manifests/", io)) {
    const rest = entry.key.slice("manifests/".length);
    const slash = rest.lastIndexOf("/");
    let seq: number | undefined;
    try {
      seq = parseManifestName(rest.slice(slash + 1), entry.key);
    } catch (error) {
      throw new DataError("gc_refused", `garbage collection refused: ${error instanceof Error ? error.message : String(error)}`, { cause: error, details: { key: entry.key } });
    }
    if (slash <= 0 || seq === undefined) continue;
    const object = await store.get(entry.key, io);
    if (object === undefined) continue;
    const table = rest.slice(0, slash);
    let files;
    try {
      files = parseManifest(entry.key, object.body, table, seq).files;
    } catch (error) {
      throw new DataError("gc_refused", `garbage collection refused: manifest "${entry.key}" is unreadable, so what it references is unknown; fix or move it first`, { cause: error, details: { key: entry.key } });
    }
    count++;
    present.add(`${table}@${seq}`);
    for (const file of files) referenced.add(file.key);
  }
  return { referenced, present, count };
}

/** A lake has the collector's origin marker or at least one manifest; anything else is someone else's folder. */
async function assertIsLake(store: ObjectStore, signal: AbortSignal | undefined): Promise<void> {
  const io = signal === undefined ? {} : { signal };
  if ((await store.head(LAKE_ORIGIN_KEY, io)) !== undefined) return;
  for await (const entry of store.list("manifests/", io)) {
    if (/\/\d{20}\.json$/.test(entry.key)) return;
  }
  throw new UsageError(
    "gc_not_a_lake",
    `garbage collection refused: ${store.description} is not a trademl lake (no ${LAKE_ORIGIN_KEY} and no manifests/), so nothing there is known to be trademl's; check LAKE_ROOT (or S3_BUCKET)`,
  );
}

function hours(ms: number): string {
  return `${Number((ms / 3_600_000).toPrecision(3))} h`;
}

export async function collectGarbage(store: ObjectStore, options: GcOptions): Promise<GcReport> {
  const apply = options.apply ?? false;
  const signal = options.signal;
  const io = signal === undefined ? {} : { signal };
  const now = (await store.serverTime(io)).getTime();
  await assertIsLake(store, signal);

  const leases = await readLeases(store, signal);
  const longest = leases.reduce<{ ttlMs: number; source: string }>(
    (best, lease) => (lease.ttl_ms > best.ttlMs ? { ttlMs: lease.ttl_ms, source: `lease "${lease.job}"` } : best),
    { ttlMs: options.leaseTtlMs ?? 0, source: "the configured leases" },
  );
  if (options.graceMs < longest.ttlMs) {
    throw new UsageError(
      "gc_grace_too_short",
      `garbage collection refused: a grace of ${hours(options.graceMs)} is shorter than the TTL of ${longest.source} (${longest.ttlMs / 1000} s); a job may commit a part up to one lease TTL after writing it, so use at least ${Math.ceil(longest.ttlMs / 1000)} s (--grace-hours ${Number((longest.ttlMs / 3_600_000).toPrecision(3))})`,
      { details: { graceMs: options.graceMs, leaseTtlMs: longest.ttlMs } },
    );
  }
  const live = leases.filter((lease) => !leaseIsFree(lease, new Date(now)));
  const liveLeases = live.map((lease) => ({
    job: lease.job,
    holder: lease.holder,
    acquiredAt: lease.acquired_at,
    expiresInMs: Date.parse(lease.renewed_at) + lease.ttl_ms - now,
    heldBy: describeLeaseHolder(lease, new Date(now)),
  }));
  const heldSince = Math.min(...live.map((lease) => Date.parse(lease.acquired_at) - CLOCK_SLACK_MS));

  const manifests = await readManifests(store, signal);

  const missingPins: { pin: string; table: string; seq: number }[] = [];
  for (const pin of await listPins(store, signal)) {
    if (pin.expires_at !== undefined && Date.parse(pin.expires_at) <= now) continue;
    for (const [table, seqs] of Object.entries(pin.tables)) {
      for (const seq of seqs) if (!manifests.present.has(`${table}@${seq}`)) missingPins.push({ pin: `${pin.kind}/${pin.id}`, table, seq });
    }
  }

  const orphans: GcPart[] = [];
  const held: GcPart[] = [];
  const foreign: string[] = [];
  let young = 0;
  for (const prefix of DATA_PREFIXES) {
    for await (const entry of store.list(prefix, io)) {
      if (manifests.referenced.has(entry.key)) continue;
      if (!PART_NAME.test(entry.key)) {
        foreign.push(entry.key);
        continue;
      }
      const written = entry.lastModified.getTime();
      const part = { key: entry.key, size: entry.size, ageMs: now - written };
      if (part.ageMs < options.graceMs) young++;
      else if (written >= heldSince) held.push(part);
      else orphans.push(part);
    }
  }

  const temps = store instanceof LocalStore ? await store.staleTempFiles(options.graceMs, now) : [];
  let deleted = 0;
  let bytesFreed = 0;
  if (apply) {
    for (const orphan of orphans) {
      signal?.throwIfAborted();
      await store.delete(orphan.key, io);
      deleted++;
      bytesFreed += orphan.size;
    }
    for (const temp of temps) await unlink(temp).catch(() => undefined);
  }
  return { applied: apply, graceMs: options.graceMs, manifestsRead: manifests.count, referenced: manifests.referenced.size, orphans, young, held, liveLeases, missingPins, foreign, staleTemps: temps, deleted, bytesFreed };
}
