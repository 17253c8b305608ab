/**
 * One step of one run, exactly once across runners: under the step's DAG lease (`dag-<step>`), a step this run
 * already finished is not run again, a step whose inputs have not changed since its last success is skipped, and
 * otherwise it runs with its retry policy and timeout, its attempts, inputs and commits recorded in the run's state
 * object. The in-process runner calls it for each step; `trademl dag step NAME --run RUN` (the Prefect adapter)
 * calls it for one.
 */
import { AppError, DataError } from "../domain/errors.ts";
import { fullJitterDelay } from "../domain/backoff.ts";
import type { Logger } from "../domain/logger.ts";
import { sleep } from "../domain/sleep.ts";
import { acquireLease, defaultLeaseHolder, leaseIsFree, readLease } from "../lake/lease.ts";
import type { LeaseHandle, ObjectStore } from "../lake/types.ts";
import type { TrademlConfig } from "../config/index.ts";
import type { Vendor } from "../config/schemas/common.ts";
import { isPermanentError } from "./permanent-errors.ts";
import { readLastSuccess, readRun, updateStep, writeLastSuccess, type StepRecord, type TableSeqs } from "./run-state.ts";
import { committedBetween, inputsChanged, tableSeqs } from "./table-seqs.ts";
import type { DagStep, StepResult } from "./types.ts";

export interface StepRunOptions {
  readonly store: ObjectStore;
  readonly config: TrademlConfig;
  readonly runId: string;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  /** Run even when the inputs are unchanged since the last success. */
  readonly force?: boolean;
  readonly through?: string;
  readonly universe?: readonly string[];
  readonly vendorUrls?: Partial<Record<Vendor, string>>;
  /** Backoff jitter source (tests make it deterministic). */
  readonly random?: () => number;
  /** Called when the step starts an attempt and when it ends (progress output). */
  readonly onProgress?: (event: StepProgress) => void;
}

export type StepProgress =
  | { readonly kind: "attempt"; readonly step: string; readonly attempt: number; readonly of: number }
  | { readonly kind: "retry"; readonly step: string; readonly attempt: number; readonly error: string; readonly waitMs: number }
  | { readonly kind: "done"; readonly step: string; readonly record: StepRecord };

function describe(error: unknown): string {
  if (error instanceof AppError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

async function now(store: ObjectStore): Promise<string> {
  return (await store.serverTime()).toISOString();
}

/**
 * Waits until `job`'s lease is free, at most until the current record's expiry (a holder that died lets it lapse)
 * plus one renewal's grace; a holder that keeps renewing past that is still working, so the wait ends there.
 */
async function waitForLease(store: ObjectStore, job: string, signal: AbortSignal | undefined, acquire?: () => Promise<LeaseHandle | undefined>): Promise<LeaseHandle | undefined> {
  let deadline: number | undefined;
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    if (acquire !== undefined) {
      const lease = await acquire();
      if (lease !== undefined) return lease;
    }
    const record = await readLease(store, job);
    const at = await store.serverTime();
    if (record === undefined || leaseIsFree(record, at)) {
      if (acquire === undefined) return undefined;
    } else {
      deadline ??= Date.parse(record.renewed_at) + record.ttl_ms * 2 - at.getTime() + Date.now();
      if (Date.now() > deadline) throw new DataError("step_busy", `lease "${job}" is held by ${record.holder} and kept renewed`);
    }
    await sleep(Math.max(100, fullJitterDelay(attempt, { baseMs: 250, capMs: 2_000 })), signal);
  }
}

function withTimeout<T>(work: (signal: AbortSignal) => Promise<T>, timeoutMs: number, outer: AbortSignal): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DataError("step_timeout", `the step ran longer than its timeout of ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
  const signal = AbortSignal.any([outer, controller.signal]);
  // The race ends the attempt at the timeout even when the step does not check its signal in time.
  const aborted = new Promise<never>((_, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason instanceof Error ? signal.reason : new DataError("step_aborted", "the step was aborted")), { once: true });
  });
  return Promise.race([work(signal), aborted]).finally(() => clearTimeout(timer));
}

/** Runs `step` for run `runId` (see the file comment) and returns its final record in the run. */
export async function runStep(step: DagStep, options: StepRunOptions): Promise<StepRecord> {
  const { store, runId, logger } = options;
  const outer = options.signal ?? new AbortController().signal;
  const ttlMs = options.config.node.lake.lease_seconds * 1000;
  const renewMs = options.config.node.lake.renew_seconds * 1000;
  const holder = defaultLeaseHolder(`dag-${step.name}`);
  const lease = await waitForLease(store, `dag-${step.name}`, outer, () => acquireLease(store, `dag-${step.name}`, { holder, ttlMs, renewMs, logger, signal: outer }));
  if (lease === undefined) throw new DataError("step_busy", `could not take the lease of step ${step.name}`);
  try {
    const signal = AbortSignal.any([outer, lease.signal]);
    const done = (await readRun(store, runId, signal))?.value.records[step.name];
    if (done !== undefined && (done.status === "succeeded" || done.status === "skipped")) return done;

    const inputs: TableSeqs = step.inputs.kind === "tables" ? await tableSeqs(store, step.inputs.prefixes, signal) : {};
    if (step.inputs.kind === "tables" && options.force !== true) {
      const last = await readLastSuccess(store, step.name, signal);
      if (last !== undefined && !(await inputsChanged(store, last.inputs, inputs, signal))) {
        const stamp = await now(store);
        const record = await updateStep(store, runId, step.name, (r) => ({
          ...r, status: "skipped", started_at: stamp, finished_at: stamp, duration_ms: 0, inputs, outputs: {}, summary: `inputs unchanged since run ${last.run}`,
        }), signal);
        options.onProgress?.({ kind: "done", step: step.name, record });
        return record;
      }
    }
    const outputsBefore = await tableSeqs(store, step.outputs, signal);
    const started = performance.now();
    const startedAt = await now(store);
    await updateStep(store, runId, step.name, (r) => ({ ...r, status: "running", started_at: startedAt, inputs }), signal);

    let result: StepResult | undefined;
    let lastError = "";
    let permanent = false;
    for (let attempt = 1; attempt <= step.retry.attempts; attempt++) {
      signal.throwIfAborted();
      const attemptStart = await now(store);
      await updateStep(store, runId, step.name, (r) => ({ ...r, attempts: [...r.attempts, { attempt: r.attempts.length + 1, holder, started_at: attemptStart }] }), signal);
      options.onProgress?.({ kind: "attempt", step: step.name, attempt, of: step.retry.attempts });
      try {
        if (step.lease !== undefined) await waitForLease(store, step.lease, signal);
        result = await withTimeout((stepSignal) => step.run({
          store, config: options.config, logger: logger.child({ step: step.name, run: runId }), signal: stepSignal, runId, holder: defaultLeaseHolder(`dag-${step.name}`),
          ...(options.through === undefined ? {} : { through: options.through }),
          ...(options.universe === undefined ? {} : { universe: options.universe }),
          ...(options.vendorUrls === undefined ? {} : { vendorUrls: options.vendorUrls }),
        }), step.timeoutMs, signal);
      } catch (error) {
        if (outer.aborted) throw error;
        lastError = describe(error);
        const finishedAt = await now(store);
        await updateStep(store, runId, step.name, (r) => ({ ...r, attempts: r.attempts.map((a, i) => (i === r.attempts.length - 1 ? { ...a, finished_at: finishedAt, error: lastError } : a)) }), outer);
        logger.warn("DAG step attempt failed", { step: step.name, run: runId, attempt, error: lastError });
        permanent = isPermanentError(error);
        if (permanent || attempt === step.retry.attempts) break;
        const waitMs = fullJitterDelay(attempt - 1, { baseMs: step.retry.baseMs, capMs: step.retry.capMs, ...(options.random === undefined ? {} : { random: options.random }) });
        options.onProgress?.({ kind: "retry", step: step.name, attempt, error: lastError, waitMs });
        await sleep(waitMs, signal);
        continue;
      }
      const finishedAt = await now(store);
      await updateStep(store, runId, step.name, (r) => ({ ...r, attempts: r.attempts.map((a, i) => (i === r.attempts.length - 1 ? { ...a, finished_at: finishedAt } : a)) }), signal);
      break;
    }

    const outputsAfter = await tableSeqs(store, step.outputs, outer);
    const outputs = committedBetween(outputsBefore, outputsAfter);
    const finishedAt = await now(store);
    const duration = performance.now() - started;
    const record = await updateStep(store, runId, step.name, ({ permanent: _earlier, ...r }) => ({
      ...r,
      status: result === undefined ? "failed" : result.status,
      finished_at: finishedAt,
      duration_ms: Math.round(duration),
      outputs,
      summary: result === undefined ? lastError : result.summary,
      ...(result === undefined && permanent ? { permanent: true } : {}),
    }), outer);
    if (result?.status === "succeeded" && step.inputs.kind === "tables") {
      // A step that commits to tables it also reads has read its own commits: count them as read.
      const prefixes = step.inputs.prefixes;
      const own = Object.fromEntries(Object.entries(outputs).filter(([table]) => prefixes.some((p) => table.startsWith(p))));
      await writeLastSuccess(store, { format: 1, step: step.name, run: runId, finished_at: finishedAt, inputs: { ...inputs, ...own } }, outer);
    }
    options.onProgress?.({ kind: "done", step: step.name, record });
    return record;
  } finally {
    await lease.release().catch(() => undefined);
  }
}
