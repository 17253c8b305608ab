/**
 * The in-process DAG runner: opens (or resumes) a run in the lake and runs its steps one after another in
 * declaration order. A step whose dependency (within this run's selection) failed or was blocked is recorded
 * `blocked` and not run; every other step still runs. One step at a time, because the Pi's memory is sized for one
 * DuckDB job at a time.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "../domain/logger.ts";
import { silentLogger } from "../domain/logger.ts";
import { openRun, readRun, updateStep, type RunRecord, type StepRecord } from "./run-state.ts";
import { runStep, type StepRunOptions } from "./run-step.ts";
import type { DagStep } from "./types.ts";

/** What every step of the run gets (`StepRunOptions`), and the run's steps, id and logger. */
export interface RunDagOptions extends Omit<StepRunOptions, "runId" | "logger"> {
  /** The steps of this run, in run order (`selectSteps`). */
  readonly steps: readonly DagStep[];
  /** Resume this run, or start it under this id (default: a new id). */
  readonly runId?: string;
  readonly logger?: Logger;
}

export interface DagRunResult {
  readonly runId: string;
  readonly run: RunRecord;
  /** True when every step succeeded or was skipped. */
  readonly ok: boolean;
  /** True when a shutdown signal stopped the run before its end (resume it with the same id). */
  readonly interrupted: boolean;
}

/** A new run id: the UTC date and time, then a random suffix, so ids sort by start and never collide. */
export function newRunId(now: Date = new Date()): string {
  return `${now.toISOString().slice(0, 19).replaceAll(":", "").replace("T", "-")}-${randomUUID().slice(0, 8)}`;
}

export async function runDag(options: RunDagOptions): Promise<DagRunResult> {
  const { store, steps } = options;
  const logger = options.logger ?? silentLogger;
  const runId = options.runId ?? newRunId();
  await openRun(store, runId, steps.map((s) => s.name), options.signal);
  const status = new Map<string, StepRecord["status"]>();
  const selected = new Set(steps.map((s) => s.name));
  let interrupted = false;
  for (const step of steps) {
    if (options.signal?.aborted) {
      interrupted = true;
      break;
    }
    const stopper = step.dependsOn.find((d) => selected.has(d) && (status.get(d) === "failed" || status.get(d) === "blocked"));
    if (stopper !== undefined) {
      const record = await updateStep(store, runId, step.name, (r) => ({ ...r, status: "blocked", summary: `not run: ${stopper} did not succeed` }), options.signal);
      status.set(step.name, "blocked");
      options.onProgress?.({ kind: "done", step: step.name, record });
      continue;
    }
    try {
      const { steps: _steps, runId: _runId, logger: _logger, ...perStep } = options;
      const record = await runStep(step, { ...perStep, runId, logger });
      status.set(step.name, record.status);
    } catch (error) {
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
      // The step could not even be started or recorded (its lease stayed busy, the lake failed): it failed.
      const message = error instanceof Error ? error.message : String(error);
      logger.error("DAG step could not run", { step: step.name, run: runId, error: message });
      const record = await updateStep(store, runId, step.name, (r) => ({ ...r, status: "failed", summary: message }), options.signal).catch(() => undefined);
      status.set(step.name, "failed");
      if (record !== undefined) options.onProgress?.({ kind: "done", step: step.name, record });
    }
  }
  const stored = await readRun(store, runId);
  if (stored === undefined) throw new Error(`DAG run ${runId} vanished from the lake`);
  const ok = !interrupted && steps.every((s) => {
    const state = stored.value.records[s.name]?.status;
    return state === "succeeded" || state === "skipped";
  });
  return { runId, run: stored.value, ok, interrupted };
}
