/**
 * Leases with epochs (DESIGN.md "The lake protocol"; Kleppmann, "How to do distributed locking", 2016, for
 * why a lease alone is not enough and commits must carry a fencing token — here the epoch).
 *
 *   acquire: create-only `leases/<job>.json` with epoch 1, or CAS over an expired/released record → epoch+1;
 *   renew:   CAS every renewMs (default 45 s, under ttl/3 of the 120 s default);
 *   release: CAS to `released: true` keeping the epoch — never a DELETE, since not every store honours a
 *            conditional DELETE (MinIO ignores If-Match there) and a blind delete could remove a successor's lease.
 * Expiry is judged on the store's clock (`serverTime()`), never this machine's. The holder also keeps a local
 * deadline: if no renewal has succeeded within ttl of its start, `signal` aborts, so the holder stops before
 * the store can consider the lease expired.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { z } from "zod";
import { DataError, UsageError } from "../domain/errors.ts";
import type { Logger } from "../domain/logger.ts";
import { leaseKey } from "./keys.ts";
import type { LeaseHandle, LeaseOptions, LeaseRecord, ObjectStore } from "./types.ts";

export const DEFAULT_LEASE_TTL_MS = 120_000;
export const DEFAULT_LEASE_RENEW_MS = 45_000;

export const leaseRecordSchema = z.strictObject({
  format: z.literal(1),
  job: z.string(),
  holder: z.string(),
  epoch: z.number().int().positive(),
  acquired_at: z.iso.datetime(),
  renewed_at: z.iso.datetime(),
  ttl_ms: z.number().int().positive(),
  released: z.boolean(),
});

export function parseLeaseRecord(key: string, body: Uint8Array): LeaseRecord {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch (error) {
    throw new DataError("lease_corrupt", `lease "${key}" is not valid JSON`, { cause: error, details: { key } });
  }
  const parsed = leaseRecordSchema.safeParse(json);
  if (!parsed.success) throw new DataError("lease_corrupt", `lease "${key}" does not match the lease schema`, { cause: parsed.error, details: { key } });
  return parsed.data;
}

/**
 * A holder name unique to this process: host, pid and a random suffix. Two processes must never share a
 * holder name: re-acquiring under the same name takes over a live lease (by design, so a restarted process
 * fences its predecessor), which would make them steal the lease from each other.
 */
export function defaultLeaseHolder(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** True when the record no longer protects anyone at store time `now`. */
export function leaseIsFree(record: LeaseRecord, now: Date): boolean {
  return record.released || now.getTime() >= Date.parse(record.renewed_at) + record.ttl_ms;
}

/** Reads the current lease record of `job` (undefined when never acquired). */
export async function readLease(store: ObjectStore, job: string): Promise<LeaseRecord | undefined> {
  const key = leaseKey(job);
  const object = await store.get(key);
  return object === undefined ? undefined : parseLeaseRecord(key, object.body);
}

export interface AcquireOptions extends LeaseOptions {
  readonly logger?: Logger;
}

/**
 * Tries once to take the lease of `job`. Returns a handle, or undefined when another live holder has it
 * (or won a simultaneous attempt). Re-acquiring one's own lease also takes a new epoch, which fences any
 * earlier incarnation of the same holder.
 */
export async function acquireLease(store: ObjectStore, job: string, options: AcquireOptions): Promise<LeaseHandle | undefined> {
  const key = leaseKey(job);
  const ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
  const renewMs = options.renewMs ?? DEFAULT_LEASE_RENEW_MS;
  if (!Number.isInteger(ttlMs) || ttlMs <= 0 || !Number.isInteger(renewMs) || renewMs <= 0 || renewMs >= ttlMs) {
    throw new UsageError("invalid_lease_timing", `lease renew interval (${renewMs} ms) must be positive and shorter than its ttl (${ttlMs} ms)`);
  }
  if (options.holder.trim() === "") throw new UsageError("invalid_lease_holder", "lease holder must be a non-empty name");
  const started = performance.now();
  const now = await store.serverTime(options.signal === undefined ? {} : { signal: options.signal });
  const existing = await store.get(key, options.signal === undefined ? {} : { signal: options.signal });
  let epoch = 1;
  if (existing !== undefined) {
    const record = parseLeaseRecord(key, existing.body);
    if (!leaseIsFree(record, now) && record.holder !== options.holder) return undefined;
    epoch = record.epoch + 1;
  }
  const stamp = now.toISOString();
  const record: LeaseRecord = { format: 1, job, holder: options.holder, epoch, acquired_at: stamp, renewed_at: stamp, ttl_ms: ttlMs, released: false };
  const result = await store.put(key, JSON.stringify(record), {
    condition: existing === undefined ? { ifNoneMatch: "*" } : { ifMatch: existing.etag },
    contentType: "application/json",
  });
  if (!result.ok) return undefined;
  const lease = new HeldLease(store, key, record, result.etag, renewMs, started, options.logger);
  if (options.autoRenew ?? true) lease.startAutoRenew();
  if (options.signal !== undefined) {
    const outer = options.signal;
    outer.addEventListener("abort", () => void lease.release().catch(() => undefined), { once: true });
  }
  return lease;
}

class HeldLease implements LeaseHandle {
  readonly job: string;
  readonly holder: string;
  readonly epoch: number;
  private readonly controller = new AbortController();
  private record: LeaseRecord;
  private etag: string;
  private renewTimer: ReturnType<typeof setInterval> | undefined;
  private deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  private renewing: Promise<void> | undefined;
  private released = false;

  private readonly store: ObjectStore;
  private readonly key: string;
  private readonly renewMs: number;
  private readonly logger: Logger | undefined;

  /** `validFrom`: performance.now() when the request that set `renewed_at` started; the local deadline counts from it. */
  constructor(store: ObjectStore, key: string, record: LeaseRecord, etag: string, renewMs: number, validFrom: number, logger: Logger | undefined) {
    this.store = store;
    this.key = key;
    this.renewMs = renewMs;
    this.logger = logger;
    this.job = record.job;
    this.holder = record.holder;
    this.epoch = record.epoch;
    this.record = record;
    this.etag = etag;
    this.armDeadline(validFrom);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  assertHeld(): void {
    if (this.controller.signal.aborted) {
      throw new DataError("lease_lost", `lease "${this.job}" (epoch ${this.epoch}) is no longer held: ${String(this.controller.signal.reason)}`, {
        details: { job: this.job, epoch: this.epoch },
      });
    }
  }

  startAutoRenew(): void {
    this.renewTimer = setInterval(() => {
      this.renew().catch((error: unknown) => {
        this.logger?.warn("lease renewal failed; work under this lease stops", { job: this.job, epoch: this.epoch, error: String(error) });
      });
    }, this.renewMs);
    unref(this.renewTimer);
  }

  private lose(reason: string): void {
    this.stopTimers();
    if (!this.controller.signal.aborted) this.controller.abort(new DataError("lease_lost", `lease "${this.job}" lost: ${reason}`));
  }

  private armDeadline(validFrom: number): void {
    if (this.deadlineTimer !== undefined) clearTimeout(this.deadlineTimer);
    const remaining = validFrom + this.record.ttl_ms - performance.now();
    this.deadlineTimer = setTimeout(() => this.lose(`no successful renewal within its ttl of ${this.record.ttl_ms} ms`), Math.max(0, remaining));
    unref(this.deadlineTimer);
  }

  private stopTimers(): void {
    if (this.renewTimer !== undefined) clearInterval(this.renewTimer);
    if (this.deadlineTimer !== undefined) clearTimeout(this.deadlineTimer);
    this.renewTimer = undefined;
    this.deadlineTimer = undefined;
  }

  renew(): Promise<void> {
    // One renewal at a time: two concurrent CAS from the same etag would make the second look like a loss.
    this.renewing ??= this.renewOnce().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  private async renewOnce(): Promise<void> {
    this.assertHeld();
    const started = performance.now();
    let ok = false;
    try {
      const now = await this.store.serverTime({ signal: this.signal });
      const next: LeaseRecord = { ...this.record, renewed_at: now.toISOString() };
      const result = await this.store.put(this.key, JSON.stringify(next), { condition: { ifMatch: this.etag }, contentType: "application/json", signal: this.signal });
      if (result.ok) {
        this.record = next;
        this.etag = result.etag;
        ok = true;
        this.armDeadline(started);
      }
    } catch (error) {
      this.lose(`renewal failed: ${error instanceof Error ? error.message : String(error)}`);
      throw error instanceof DataError ? error : new DataError("lease_lost", `lease "${this.job}" renewal failed`, { cause: error });
    }
    if (!ok) {
      this.lose("another holder changed the lease (taken over after expiry)");
      this.assertHeld();
    }
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const wasHeld = !this.controller.signal.aborted;
    this.stopTimers();
    await this.renewing?.catch(() => undefined);
    if (wasHeld && !this.controller.signal.aborted) {
      const next: LeaseRecord = { ...this.record, released: true };
      // If this CAS fails, someone took over already; there is nothing of ours left to release.
      await this.store.put(this.key, JSON.stringify(next), { condition: { ifMatch: this.etag }, contentType: "application/json" });
    }
    if (!this.controller.signal.aborted) this.controller.abort(new DataError("lease_released", `lease "${this.job}" was released`));
  }
}

function unref(timer: unknown): void {
  // Node and Deno timers have unref(); browsers' numeric ids do not. A lease timer alone must not keep a CLI alive.
  if (typeof timer === "object" && timer !== null && "unref" in timer && typeof timer.unref === "function") timer.unref();
}

/**
 * Runs `work` under the lease of `job`, passing an AbortSignal that fires when the lease is lost.
 * Returns `{ ran: false }` when someone else holds it. The lease is released afterwards either way.
 */
export async function withLease<T>(
  store: ObjectStore,
  job: string,
  options: AcquireOptions,
  work: (lease: LeaseHandle) => Promise<T>,
): Promise<{ ran: true; value: T } | { ran: false; holder: string | undefined }> {
  const lease = await acquireLease(store, job, options);
  if (lease === undefined) return { ran: false, holder: (await readLease(store, job))?.holder };
  try {
    return { ran: true, value: await work(lease) };
  } finally {
    await lease.release();
  }
}
