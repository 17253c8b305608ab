/**
 * The DAG's records in the lake, CAS state objects checked by zod (lake/state.ts):
 *   state/dag/runs/<run>.json  — one run: each step's status, attempts, timings, inputs read and commits made;
 *   state/dag/steps/<step>.json — the step's last success: the input seqs it read, so an unchanged step is skipped.
 * A run killed anywhere resumes from its record: steps that succeeded or were skipped are not run again, a step
 * left `running` by a dead process is run again (every step is idempotent under its lease).
 */
import { z } from "zod";
import { DataError, UsageError } from "../domain/errors.ts";
import { assertValidKey } from "../lake/keys.ts";
import { readState, updateState, UNCHANGED } from "../lake/state.ts";
import type { ObjectStore, StateRef } from "../lake/types.ts";

export const STEP_STATUSES = ["pending", "running", "succeeded", "skipped", "failed", "blocked"] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** Table → latest seq. */
const tableSeqsSchema = z.record(z.string(), z.number().int().nonnegative());
export type TableSeqs = z.infer<typeof tableSeqsSchema>;

const attemptSchema = z.strictObject({
  attempt: z.number().int().positive(),
  holder: z.string().min(1),
  started_at: z.iso.datetime(),
  finished_at: z.iso.datetime().optional(),
  error: z.string().optional(),
});
export type StepAttempt = z.infer<typeof attemptSchema>;

const stepRecordSchema = z.strictObject({
  status: z.enum(STEP_STATUSES),
  attempts: z.array(attemptSchema),
  started_at: z.iso.datetime().optional(),
  finished_at: z.iso.datetime().optional(),
  duration_ms: z.number().nonnegative().optional(),
  /** Latest seq of every input table when the step started. */
  inputs: tableSeqsSchema.optional(),
  /** Tables the step committed to, with the seq it left each at. */
  outputs: tableSeqsSchema.optional(),
  summary: z.string().optional(),
  /** The step failed with an error no retry can fix (dag/permanent-errors.ts): its remaining attempts were not made. */
  permanent: z.literal(true).optional(),
});
export type StepRecord = z.infer<typeof stepRecordSchema>;

export const runRecordSchema = z.strictObject({
  format: z.literal(1),
  run: z.string().min(1),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
  /** The steps this run covers, in run order. */
  steps: z.array(z.string().min(1)),
  records: z.record(z.string(), stepRecordSchema),
});
export type RunRecord = z.infer<typeof runRecordSchema>;

export const lastSuccessSchema = z.strictObject({
  format: z.literal(1),
  step: z.string().min(1),
  run: z.string().min(1),
  finished_at: z.iso.datetime(),
  inputs: tableSeqsSchema,
});
export type LastSuccess = z.infer<typeof lastSuccessSchema>;

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

export function assertRunId(run: string): void {
  if (!RUN_ID.test(run)) throw new UsageError("bad_run_id", `a run id is 1–100 letters, digits, "_", "." or "-" (starting with a letter or digit), not "${run}"`);
}

export const RUNS_PREFIX = "state/dag/runs/";

export function runKey(run: string): string {
  assertRunId(run);
  const key = `${RUNS_PREFIX}${run}.json`;
  assertValidKey(key);
  return key;
}

export function lastSuccessKey(step: string): string {
  const key = `state/dag/steps/${step}.json`;
  assertValidKey(key);
  return key;
}

export async function readRun(store: ObjectStore, run: string, signal?: AbortSignal): Promise<StateRef<RunRecord> | undefined> {
  return readState(store, runKey(run), runRecordSchema, signal);
}

/** Creates the run's record, or returns the existing one (a resume); steps it does not list yet are added as pending. */
export async function openRun(store: ObjectStore, run: string, steps: readonly string[], signal?: AbortSignal): Promise<RunRecord> {
  const now = (await store.serverTime(signal === undefined ? {} : { signal })).toISOString();
  const stored = await updateState(store, runKey(run), runRecordSchema, (current) => {
    if (current !== undefined && steps.every((s) => current.steps.includes(s))) return UNCHANGED;
    const base = current ?? { format: 1 as const, run, created_at: now, updated_at: now, steps: [], records: {} };
    const added = steps.filter((s) => !base.steps.includes(s));
    const records = { ...base.records };
    for (const s of added) records[s] = { status: "pending", attempts: [] };
    return { ...base, updated_at: now, steps: [...base.steps, ...added], records };
  }, signal === undefined ? {} : { signal });
  if (stored === undefined) throw new DataError("state_invalid", `DAG run ${run} could not be recorded`);
  return stored.value;
}

/** Applies `change` to one step's record of the run by CAS (re-applied on every lost race). */
export async function updateStep(
  store: ObjectStore,
  run: string,
  step: string,
  change: (current: StepRecord) => StepRecord,
  signal?: AbortSignal,
): Promise<StepRecord> {
  const now = (await store.serverTime(signal === undefined ? {} : { signal })).toISOString();
  const stored = await updateState(store, runKey(run), runRecordSchema, (current) => {
    if (current === undefined) throw new DataError("dag_run_missing", `DAG run ${run} has no record (state/dag/runs/${run}.json)`);
    const record = current.records[step] ?? { status: "pending" as const, attempts: [] };
    const steps = current.steps.includes(step) ? current.steps : [...current.steps, step];
    return { ...current, updated_at: now, steps, records: { ...current.records, [step]: change(record) } };
  }, signal === undefined ? {} : { signal });
  const record = stored?.value.records[step];
  if (record === undefined) throw new DataError("state_invalid", `DAG run ${run} step ${step} could not be recorded`);
  return record;
}

/** The newest runs first (run ids are not ordered; `created_at` is). */
export async function listRuns(store: ObjectStore, signal?: AbortSignal): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  for await (const entry of store.list(RUNS_PREFIX, signal === undefined ? {} : { signal })) {
    const name = entry.key.slice(RUNS_PREFIX.length);
    if (!name.endsWith(".json") || name.includes("/")) continue;
    const run = await readRun(store, name.slice(0, -".json".length), signal);
    if (run !== undefined) runs.push(run.value);
  }
  return runs.sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
}

export async function readLastSuccess(store: ObjectStore, step: string, signal?: AbortSignal): Promise<LastSuccess | undefined> {
  return (await readState(store, lastSuccessKey(step), lastSuccessSchema, signal))?.value;
}

export async function writeLastSuccess(store: ObjectStore, value: LastSuccess, signal?: AbortSignal): Promise<void> {
  await updateState(store, lastSuccessKey(value.step), lastSuccessSchema, () => value, signal === undefined ? {} : { signal });
}
