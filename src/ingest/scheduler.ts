/**
 * The global scheduler: NODE_WORKERS workers shared by every vendor. Each worker takes the next unit
 * round-robin across vendors, skipping a vendor that is at its in-flight cap (NODE_MAX_INFLIGHT_<VENDOR>),
 * cooling down, stopped (no entitlement, budget spent) or out of work — so workers flow to the vendors that can
 * use them, and every vendor gets a unit as soon as there is a free worker. Work is grouped in table jobs: a job
 * takes its table's lease, plans its units from the manifest, and releases the lease once drained, so two
 * collectors on one lake split the tables between them instead of duplicating units.
 */
import type { Logger } from "../domain/logger.ts";
import { silentLogger } from "../domain/logger.ts";
import { sleep } from "../domain/sleep.ts";
import type { Unit } from "./plan.ts";

export type Activation =
  | { readonly kind: "ready"; readonly units: readonly Unit[] }
  | { readonly kind: "held"; readonly holder?: string }
  | { readonly kind: "skip"; readonly reason: string };

/** What running a unit meant for the rest of the work. */
export type UnitOutcome =
  | { readonly kind: "done" }
  | { readonly kind: "failed"; readonly reason: string }
  /** Stop this table's remaining units (no entitlement, lease lost); `code`: the AppError code that stopped it. */
  | { readonly kind: "stop_job"; readonly reason: string; readonly code?: string }
  /** Stop this table's remaining units without a failure: what the day allows is collected (a daily cap). */
  | { readonly kind: "enough"; readonly reason: string }
  /** Stop the whole vendor (budget spent, credentials refused). */
  | { readonly kind: "stop_vendor"; readonly reason: string; readonly code?: string };

export interface TableJob {
  readonly vendor: string;
  readonly table: string;
  activate(): Promise<Activation>;
  run(unit: Unit): Promise<UnitOutcome>;
  /** Called once when the job is drained or stopped (releases its lease). */
  finish(): Promise<void>;
}

export interface SchedulerOptions {
  readonly workers: number;
  /** Per-vendor in-flight caps; a vendor without one may use every worker. */
  readonly maxInflight: Readonly<Record<string, number>>;
  readonly isCoolingDown: (vendor: string) => boolean;
  /** Milliseconds until a vendor could send its next request (the governor's pacing); default always ready. */
  readonly readyIn?: (vendor: string) => number;
  /** How long to keep retrying tables whose lease another collector holds, once nothing else is left. */
  readonly leaseWaitMs: number;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
}

export interface SkipNote {
  readonly vendor: string;
  readonly table?: string;
  readonly reason: string;
  /** The AppError code of a vendor's refusal (e.g. vendor_auth_failed), so callers can tell permanent from transient. */
  readonly code?: string;
}

export interface SchedulerResult {
  readonly units: number;
  readonly done: number;
  readonly failed: number;
  readonly skipped: readonly SkipNote[];
  readonly interrupted: boolean;
}

interface ActiveJob {
  readonly job: TableJob;
  readonly pending: Unit[];
  inflight: number;
  stopped: boolean;
  finished: boolean;
}

interface VendorLane {
  readonly vendor: string;
  readonly queued: TableJob[];
  readonly held: { job: TableJob; holder?: string; since: number; retryAt: number }[];
  readonly active: ActiveJob[];
  inflight: number;
  activating: number;
  stopped: string | undefined;
}

type Pick = { kind: "unit"; lane: VendorLane; active: ActiveJob; unit: Unit } | { kind: "activate"; lane: VendorLane; job: TableJob } | { kind: "wait"; ms: number } | { kind: "done" };

/** A vendor whose next turn is further away than this is passed over for one that is ready. */
const READY_HORIZON_MS = 5;

export async function runScheduler(jobs: readonly TableJob[], options: SchedulerOptions): Promise<SchedulerResult> {
  const logger = options.logger ?? silentLogger;
  const lanes: VendorLane[] = [];
  for (const job of jobs) {
    let lane = lanes.find((l) => l.vendor === job.vendor);
    if (!lane) {
      lane = { vendor: job.vendor, queued: [], held: [], active: [], inflight: 0, activating: 0, stopped: undefined };
      lanes.push(lane);
    }
    lane.queued.push(job);
  }
  const skipped: SkipNote[] = [];
  let units = 0;
  let done = 0;
  let failed = 0;
  let rr = 0;
  const heldSince = new Map<TableJob, number>();
  // Waiting workers also wake when a unit or an activation completes: capacity may have freed up.
  let wake: () => void = () => undefined;
  let woken = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const notify = (): void => {
    const fire = wake;
    woken = new Promise<void>((resolve) => {
      wake = resolve;
    });
    fire();
  };

  const finishJob = async (lane: VendorLane, active: ActiveJob): Promise<void> => {
    if (active.finished) return;
    active.finished = true;
    lane.active.splice(lane.active.indexOf(active), 1);
    await active.job.finish();
  };

  const stopLane = (lane: VendorLane, reason: string, code?: string): void => {
    if (lane.stopped) return;
    lane.stopped = reason;
    skipped.push({ vendor: lane.vendor, reason, ...(code === undefined ? {} : { code }) });
    for (const a of lane.active) a.pending.length = 0;
    lane.queued.length = 0;
    lane.held.length = 0;
  };

  const pick = (): Pick => {
    const now = performance.now();
    let waitable = false;
    let waitMs = 25;
    for (let i = 0; i < lanes.length; i++) {
      const lane = lanes[(rr + i) % lanes.length];
      if (!lane || lane.stopped) continue;
      // A table another collector holds is retried every 250 ms, and given up after leaseWaitMs.
      for (const h of [...lane.held]) {
        if (now - h.since > options.leaseWaitMs) {
          lane.held.splice(lane.held.indexOf(h), 1);
          skipped.push({ vendor: lane.vendor, table: h.job.table, reason: `another collector holds its lease${h.holder ? ` (${h.holder})` : ""}` });
        } else if (now >= h.retryAt) {
          lane.held.splice(lane.held.indexOf(h), 1);
          lane.queued.push(h.job);
        }
      }
      if (lane.inflight > 0 || lane.activating > 0 || lane.held.length > 0) waitable = true;
      const hasWork = lane.active.some((a) => a.pending.length > 0) || lane.queued.length > 0;
      if (!hasWork) continue;
      const cap = options.maxInflight[lane.vendor] ?? options.workers;
      if (lane.inflight >= cap || options.isCoolingDown(lane.vendor)) {
        waitable = true;
        continue;
      }
      const active = lane.active.find((a) => a.pending.length > 0 && !a.stopped);
      const ready = options.readyIn?.(lane.vendor) ?? 0;
      if (active && ready > READY_HORIZON_MS) {
        // Not this vendor's turn yet: leave the worker to a vendor that can send now.
        waitable = true;
        waitMs = Math.min(waitMs, ready);
        continue;
      }
      rr = (rr + i + 1) % lanes.length;
      if (active) {
        const unit = active.pending.shift();
        if (unit) return { kind: "unit", lane, active, unit };
      }
      const job = lane.queued.shift();
      if (job) return { kind: "activate", lane, job };
    }
    return waitable ? { kind: "wait", ms: Math.max(1, waitMs - READY_HORIZON_MS) } : { kind: "done" };
  };

  const worker = async (): Promise<void> => {
    while (!options.signal?.aborted) {
      const next = pick();
      if (next.kind === "done") return;
      if (next.kind === "wait") {
        await Promise.race([sleep(next.ms, options.signal).catch(() => undefined), woken]);
        continue;
      }
      if (next.kind === "activate") {
        next.lane.activating++;
        try {
          const activation = await next.job.activate();
          if (activation.kind === "held") {
            const previous = heldSince.get(next.job) ?? performance.now();
            heldSince.set(next.job, previous);
            next.lane.held.push({ job: next.job, since: previous, retryAt: performance.now() + 250, ...(activation.holder ? { holder: activation.holder } : {}) });
          }
          else if (activation.kind === "skip") {
            skipped.push({ vendor: next.lane.vendor, table: next.job.table, reason: activation.reason });
            await next.job.finish();
          } else if (activation.units.length === 0) await next.job.finish();
          else {
            units += activation.units.length;
            next.lane.active.push({ job: next.job, pending: [...activation.units], inflight: 0, stopped: false, finished: false });
          }
        } catch (error) {
          skipped.push({ vendor: next.lane.vendor, table: next.job.table, reason: `could not start: ${error instanceof Error ? error.message : String(error)}` });
          await next.job.finish().catch(() => undefined);
        } finally {
          next.lane.activating--;
          notify();
        }
        continue;
      }
      const { lane, active, unit } = next;
      lane.inflight++;
      active.inflight++;
      try {
        const outcome = await active.job.run(unit);
        if (outcome.kind === "done") done++;
        else {
          if (outcome.kind !== "enough") failed++;
          if ((outcome.kind === "stop_job" || outcome.kind === "enough") && !active.stopped) {
            active.stopped = true;
            active.pending.length = 0;
            skipped.push({ vendor: lane.vendor, table: active.job.table, reason: outcome.reason, ...(outcome.kind === "stop_job" && outcome.code !== undefined ? { code: outcome.code } : {}) });
          } else if (outcome.kind === "stop_vendor") stopLane(lane, outcome.reason, outcome.code);
        }
      } catch (error) {
        failed++;
        logger.error("unit crashed", { unit: unit.id, error });
      } finally {
        lane.inflight--;
        active.inflight--;
        if (active.inflight === 0 && (active.pending.length === 0 || active.stopped)) await finishJob(lane, active);
        notify();
      }
    }
  };

  await Promise.all(Array.from({ length: Math.max(1, options.workers) }, () => worker()));
  // Interrupted or finished: release what is still held.
  for (const lane of lanes) for (const active of [...lane.active]) if (active.inflight === 0) await finishJob(lane, active);
  return { units, done, failed, skipped, interrupted: options.signal?.aborted ?? false };
}
