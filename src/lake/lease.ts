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
 * A holder name unique to this process: host, pid, an optional role and a random suffix. Two processes must
 * never share a holder name: re-acquiring under the same name takes over a live lease (by design, so a restarted
 * process fences its predecessor), which would make them steal the lease from each other. The `host:pid:` form
 * lets a blocked caller on the same host tell whether the holder still runs (`describeLeaseHolder`).
 */
export function defaultLeaseHolder(role?: string): string {
  return `${hostname()}:${process.pid}:${role === undefined ? "" : `${role}-`}${randomUUID().slice(0, 8)}`;
}

/** Whether process `pid` runs on this host: signal 0 checks without sending (POSIX kill(2)); EPERM = it runs as another user. */
function processState(pid: number): "running" | "gone" | "unknown" {
  try {
    process.kill(pid, 0);
    return "running";
  } catch (error) {
    const code = typeof error === "object" && error !== null && "code" in error ? error.code : undefined;
    if (code === "ESRCH") return "gone";
    if (code === "EPERM") return "running";
    return "unknown";
  }
}

function duration(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 120 ? `${minutes} min ${seconds % 60} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/**
 * What a blocked caller can be told about a live lease: who holds it and when it expires — and, when the
 * holder's name carries this host and a pid (`host:pid:…`, as `defaultLeaseHolder` makes), whether that process
 * still runs. A dead holder's lease still blocks until it expires (its epoch fences any late commit, but taking a
 * lease early on a guess about a pid in another container would not be safe), so the message says so and how
 * long, instead of suggesting to wait for a process that is gone.
 */
export function describeLeaseHolder(record: LeaseRecord, now: Date, here: { readonly host: string; readonly processState: (pid: number) => "running" | "gone" | "unknown" } = { host: hostname(), processState }): string {
  const expiresAt = Date.parse(record.renewed_at) + record.ttl_ms;
  const remaining = `expires in ${duration(expiresAt - now.getTime())} (at ${new Date(expiresAt).toISOString()})`;
  const parsed = /^([^:\s]+):(\d+)(?::|$)/.exec(record.holder);
  const host = parsed?.[1];
  const pid = parsed?.[2] === undefined ? undefined : Number(parsed[2]);
  if (host === undefined || pid === undefined || host !== here.host) {
    const where = host === undefined ? "" : ` on host ${host}`;
    return `held by ${record.holder}${where} (last renewed ${duration(now.getTime() - Date.parse(record.renewed_at))} ago); it ${remaining} unless renewed`;
  }
  const state = here.processState(pid);
  if (state === "gone") {
    return `held by ${record.holder}, whose process ${pid} is no longer running on this host: nothing is working under it, but it still blocks until it ${remaining}; run again after that`;
  }
  if (state === "running") return `held by ${record.holder}, process ${pid} on this host, still running; it ${remaining} unless renewed`;
  return `held by ${record.holder} on this host; it ${remaining} unless renewed`;
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
 * Returns `{ ran: false }` when someone else holds it, with `heldBy` saying who, whether that process still runs
 * (same host) and when the lease expires. The lease is released afterwards either way.
 */
export async function withLease<T>(
  store: ObjectStore,
  job: string,
  options: AcquireOptions,
  work: (lease: LeaseHandle) => Promise<T>,
): Promise<{ ran: true; value: T } | { ran: false; holder: string | undefined; heldBy: string }> {
  const lease = await acquireLease(store, job, options);
  if (lease === undefined) {
    const record = await readLease(store, job);
    if (record === undefined) return { ran: false, holder: undefined, heldBy: "taken by another holder a moment ago" };
    return { ran: false, holder: record.holder, heldBy: describeLeaseHolder(record, await store.serverTime()) };
  }
  try {
    return { ran: true, value: await work(lease) };
  } finally {
    await lease.release();
  }
}
