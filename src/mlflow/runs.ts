/**
 * Runs (https://mlflow.org/docs/latest/api_reference/rest-api.html#create-run): create, read, tag, finish and
 * search. Params and metrics go through log-batch.ts.
 */
import { z } from "zod";
import { DataError } from "../domain/errors.ts";
import type { CallOptions, MlflowClient } from "./client.ts";
import { metricSchema, runInfoSchema, runSchema, tagList, type Metric, type Run, type RunInfo, type RunStatus } from "./schemas.ts";

const API = "/api/2.0/mlflow";

export interface CreateRunInput {
  readonly experimentId: string;
  readonly runName?: string;
  /** Epoch ms; now when absent. */
  readonly startTime?: number;
  readonly tags?: Readonly<Record<string, string>>;
}

/** Starts a run (status RUNNING). Not retried after a possible success: a repeat would make a second run. */
export async function createRun(client: MlflowClient, input: CreateRunInput, options: CallOptions = {}): Promise<Run> {
  const answer = await client.json(
    {
      method: "POST",
      path: `${API}/runs/create`,
      json: {
        experiment_id: input.experimentId,
        run_name: input.runName,
        start_time: input.startTime ?? Date.now(),
        tags: tagList(input.tags),
      },
      idempotent: false,
      signal: options.signal,
    },
    z.object({ run: runSchema }),
  );
  return answer.run;
}

/** The run with its latest metrics, params and tags; code mlflow_not_found when there is none. */
export async function getRun(client: MlflowClient, runId: string, options: CallOptions = {}): Promise<Run> {
  const answer = await client.json(
    { method: "GET", path: `${API}/runs/get`, query: { run_id: runId }, idempotent: true, signal: options.signal },
    z.object({ run: runSchema }),
  );
  return answer.run;
}

export interface UpdateRunInput {
  readonly runId: string;
  readonly status?: RunStatus;
  /** Epoch ms. */
  readonly endTime?: number;
  readonly runName?: string;
}

export async function updateRun(client: MlflowClient, input: UpdateRunInput, options: CallOptions = {}): Promise<RunInfo> {
  const answer = await client.json(
    {
      method: "POST",
      path: `${API}/runs/update`,
      json: { run_id: input.runId, status: input.status, end_time: input.endTime, run_name: input.runName },
      idempotent: true,
      signal: options.signal,
    },
    z.object({ run_info: runInfoSchema }),
  );
  return answer.run_info;
}

export type TerminalRunStatus = Extract<RunStatus, "FINISHED" | "FAILED" | "KILLED">;

/** Ends a run: FINISHED on success, FAILED when the work threw, KILLED when it was cancelled. */
export function terminateRun(
  client: MlflowClient,
  runId: string,
  status: TerminalRunStatus,
  options: CallOptions & { readonly endTime?: number } = {},
): Promise<RunInfo> {
  return updateRun(client, { runId, status, endTime: options.endTime ?? Date.now() }, options);
}

export async function setRunTag(client: MlflowClient, runId: string, key: string, value: string, options: CallOptions = {}): Promise<void> {
  await client.json(
    { method: "POST", path: `${API}/runs/set-tag`, json: { run_id: runId, key, value }, idempotent: true, signal: options.signal },
    z.object({}),
  );
}

/** The full history of one metric (every step), in the server's order. */
export async function getMetricHistory(client: MlflowClient, runId: string, key: string, options: CallOptions = {}): Promise<Metric[]> {
  const answer = await client.json(
    { method: "GET", path: `${API}/metrics/get-history`, query: { run_id: runId, metric_key: key }, idempotent: true, signal: options.signal },
    z.object({ metrics: z.array(metricSchema).default([]) }),
  );
  return answer.metrics;
}

export interface SearchRunsInput {
  readonly experimentIds: readonly string[];
  /** MLflow's search syntax, e.g. `tags.trademl.model = 'equities_xs' and metrics.dsr > 0`. */
  readonly filter?: string;
  readonly orderBy?: readonly string[];
  /** Per page, at most 50 000 (MLflow's limit); default 1 000. */
  readonly maxResults?: number;
  readonly pageToken?: string;
  readonly runViewType?: "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";
}

export interface RunPage {
  readonly runs: readonly Run[];
  /** Present when more runs match. */
  readonly nextPageToken: string | undefined;
}

const runPageSchema = z
  .object({ runs: z.array(runSchema).default([]), next_page_token: z.string().optional() })
  .transform((page) => ({ runs: page.runs, nextPageToken: page.next_page_token === "" ? undefined : page.next_page_token }));

/** One page of runs matching `input`. */
export async function searchRuns(client: MlflowClient, input: SearchRunsInput, options: CallOptions = {}): Promise<RunPage> {
  return client.json(
    {
      method: "POST",
      path: `${API}/runs/search`,
      json: {
        experiment_ids: input.experimentIds,
        filter: input.filter,
        order_by: input.orderBy,
        max_results: input.maxResults ?? 1_000,
        page_token: input.pageToken,
        run_view_type: input.runViewType,
      },
      idempotent: true,
      signal: options.signal,
    },
    runPageSchema,
  );
}

/**
 * Every run matching `input`, page by page, refusing to read more than `limit` (default 10 000): a deflated
 * Sharpe needs the count of trials, and an unbounded read of a huge experiment is a bug, not a count.
 */
export async function searchAllRuns(
  client: MlflowClient,
  input: Omit<SearchRunsInput, "pageToken">,
  options: CallOptions & { readonly limit?: number } = {},
): Promise<Run[]> {
  const limit = options.limit ?? 10_000;
  const runs: Run[] = [];
  let pageToken: string | undefined;
  do {
    const page = await searchRuns(client, { ...input, ...(pageToken === undefined ? {} : { pageToken }) }, options);
    runs.push(...page.runs);
    if (runs.length > limit) {
      throw new DataError("mlflow_too_many_runs", `more than ${limit} MLflow runs match ${input.filter ?? "(no filter)"}; narrow the filter or raise the limit`);
    }
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return runs;
}
