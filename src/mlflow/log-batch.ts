/**
 * Params, metrics and tags through `runs/log-batch`, split to fit MLflow's per-request limits
 * (mlflow/utils/validation.py: at most 1 000 metrics, 100 params, 100 tags, and 1 000 entities in all per call;
 * keys up to 250 characters, param values up to 6 000, tag values up to 8 000).
 *
 * Everything is validated before the first request, so a bad entry cannot leave a run half-logged. Re-sending
 * a batch is safe: MLflow keeps one copy of an identical metric point and accepts a param logged again with the
 * same value (a different value is refused — a param describes the run and never changes).
 */
import { z } from "zod";
import { DataError } from "../domain/errors.ts";
import type { CallOptions, MlflowClient } from "./client.ts";

export const LOG_BATCH_LIMITS = { metrics: 1_000, params: 100, tags: 100, entities: 1_000 } as const;
export const MAX_KEY_LENGTH = 250;
export const MAX_PARAM_VALUE_LENGTH = 6_000;
export const MAX_TAG_VALUE_LENGTH = 8_000;

export interface MetricPoint {
  readonly key: string;
  /** NaN and ±Infinity are allowed (sent as proto3 JSON strings). */
  readonly value: number;
  /** Epoch ms; now when absent. */
  readonly timestamp?: number;
  readonly step?: number;
}

export interface LogBatchInput {
  readonly metrics?: readonly MetricPoint[];
  readonly params?: Readonly<Record<string, string>>;
  readonly tags?: Readonly<Record<string, string>>;
}

interface WireMetric {
  readonly key: string;
  readonly value: number;
  readonly timestamp: number;
  readonly step: number;
}

interface WireKeyValue {
  readonly key: string;
  readonly value: string;
}

export interface LogBatch {
  readonly metrics: readonly WireMetric[];
  readonly params: readonly WireKeyValue[];
  readonly tags: readonly WireKeyValue[];
}

/**
 * MLflow's key rule (mlflow/utils/validation.py, validate_param_and_metric_name and path_not_unique): letters,
 * digits, _ - . / and space (a server on Linux also takes ':', one on Windows does not, so neither do we), and
 * the key read as a path must be its own normal form (no empty, "." or ".." segment).
 */
const KEY = /^[\w\-./ ]+$/;

function checkKey(kind: string, key: string): void {
  const segments = key.split("/");
  const normal = segments.every((segment) => segment !== "" && segment !== "." && segment !== "..");
  if (key.length > MAX_KEY_LENGTH || !KEY.test(key) || !normal) {
    throw new DataError(
      "mlflow_bad_key",
      `${kind} key ${JSON.stringify(key.slice(0, 80))} is not a valid MLflow key (1-${MAX_KEY_LENGTH} characters of letters, digits, _ - . / and space; no empty, "." or ".." path segment)`,
    );
  }
}

function checkValue(kind: string, key: string, value: string, max: number): void {
  if (value.length > max) {
    throw new DataError("mlflow_value_too_long", `${kind} ${key} is ${value.length} characters long; MLflow keeps at most ${max}`);
  }
}

/**
 * Splits the input into requests MLflow accepts, in order: params and tags first (a run's description is in
 * place before its numbers), each request as full as the limits allow. Pure; validates every entry.
 */
export function planLogBatches(input: LogBatchInput, now: number = Date.now()): LogBatch[] {
  const params = Object.entries(input.params ?? {}).map(([key, value]) => {
    checkKey("param", key);
    checkValue("param", key, value, MAX_PARAM_VALUE_LENGTH);
    return { key, value };
  });
  const tags = Object.entries(input.tags ?? {}).map(([key, value]) => {
    checkKey("tag", key);
    checkValue("tag", key, value, MAX_TAG_VALUE_LENGTH);
    return { key, value };
  });
  const metrics = (input.metrics ?? []).map((point) => {
    checkKey("metric", point.key);
    const step = point.step ?? 0;
    const timestamp = point.timestamp ?? now;
    if (!Number.isSafeInteger(step) || !Number.isSafeInteger(timestamp)) {
      throw new DataError("mlflow_bad_metric", `metric ${point.key}: step and timestamp must be whole numbers (got ${step}, ${timestamp})`);
    }
    return { key: point.key, value: point.value, timestamp, step };
  });

  const batches: LogBatch[] = [];
  let p = 0;
  let t = 0;
  let m = 0;
  while (p < params.length || t < tags.length || m < metrics.length) {
    const batchParams = params.slice(p, p + LOG_BATCH_LIMITS.params);
    const batchTags = tags.slice(t, t + LOG_BATCH_LIMITS.tags);
    const room = Math.min(LOG_BATCH_LIMITS.metrics, LOG_BATCH_LIMITS.entities - batchParams.length - batchTags.length);
    const batchMetrics = metrics.slice(m, m + room);
    batches.push({ params: batchParams, tags: batchTags, metrics: batchMetrics });
    p += batchParams.length;
    t += batchTags.length;
    m += batchMetrics.length;
  }
  return batches;
}

/** Logs params, metrics and tags on a run in as few requests as MLflow's limits allow. Returns the request count. */
export async function logBatch(client: MlflowClient, runId: string, input: LogBatchInput, options: CallOptions = {}): Promise<number> {
  const batches = planLogBatches(input);
  for (const batch of batches) {
    await client.json(
      {
        method: "POST",
        path: "/api/2.0/mlflow/runs/log-batch",
        json: { run_id: runId, metrics: batch.metrics, params: batch.params, tags: batch.tags },
        idempotent: true,
        signal: options.signal,
      },
      z.object({}),
    );
  }
  return batches.length;
}
