/**
 * The MLflow REST entities we read, validated with zod and turned into camelCase types
 * (https://mlflow.org/docs/latest/api_reference/rest-api.html — "Data Structures").
 *
 * Response objects are `z.object`, not `strictObject`: the server adds fields between releases (3.x added
 * `workspace`, `inputs`, `outputs`), and a client that broke on each would be brittle for nothing. Fields we use
 * are required or defaulted here; unknown ones are dropped.
 */
import { z } from "zod";

/** int64 fields: MLflow's JSON writes numbers, proto3 JSON writes decimal strings; accept both. */
const int64 = z.union([z.number().int(), z.string().regex(/^-?\d+$/).transform(Number)]);

/** Doubles: non-finite values travel as strings in proto3 JSON ("NaN", "Infinity", "-Infinity"). */
export const double = z.union([
  z.number(),
  z.enum(["NaN", "Infinity", "-Infinity"]).transform((text) => (text === "NaN" ? Number.NaN : text === "Infinity" ? Infinity : -Infinity)),
]);

const keyValue = z.object({ key: z.string(), value: z.string().default("") });

/** [{key, value}] → {key: value}; MLflow keys are unique within a run, experiment or version. */
const tagMap = z
  .array(keyValue)
  .default([])
  .transform((list) => Object.fromEntries(list.map((tag) => [tag.key, tag.value])) as Readonly<Record<string, string>>);

/** {key: value} → [{key, value}], the request form of tags and params; undefined stays undefined. */
export function tagList(tags: Readonly<Record<string, string>> | undefined): { key: string; value: string }[] | undefined {
  return tags === undefined ? undefined : Object.entries(tags).map(([key, value]) => ({ key, value }));
}

export const experimentSchema = z
  .object({
    experiment_id: z.string().min(1),
    name: z.string(),
    artifact_location: z.string().default(""),
    lifecycle_stage: z.string().default("active"),
    creation_time: int64.optional(),
    last_update_time: int64.optional(),
    tags: tagMap,
  })
  .transform((e) => ({
    experimentId: e.experiment_id,
    name: e.name,
    artifactLocation: e.artifact_location,
    lifecycleStage: e.lifecycle_stage,
    creationTime: e.creation_time,
    lastUpdateTime: e.last_update_time,
    tags: e.tags,
  }));
export type Experiment = z.output<typeof experimentSchema>;

export const RUN_STATUSES = ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const runInfoSchema = z
  .object({
    run_id: z.string().min(1),
    experiment_id: z.string().min(1),
    run_name: z.string().default(""),
    user_id: z.string().default(""),
    status: z.enum(RUN_STATUSES),
    start_time: int64.optional(),
    end_time: int64.optional(),
    artifact_uri: z.string().default(""),
    lifecycle_stage: z.string().default("active"),
  })
  .transform((info) => ({
    runId: info.run_id,
    experimentId: info.experiment_id,
    runName: info.run_name,
    userId: info.user_id,
    status: info.status,
    startTime: info.start_time,
    endTime: info.end_time,
    artifactUri: info.artifact_uri,
    lifecycleStage: info.lifecycle_stage,
  }));
export type RunInfo = z.output<typeof runInfoSchema>;

export const metricSchema = z.object({ key: z.string(), value: double, timestamp: int64, step: int64.default(0) });
export type Metric = z.output<typeof metricSchema>;

export const runSchema = z
  .object({
    info: runInfoSchema,
    data: z
      .object({ metrics: z.array(metricSchema).default([]), params: tagMap, tags: tagMap })
      .prefault({}),
  })
  .transform((run) => ({ info: run.info, metrics: run.data.metrics, params: run.data.params, tags: run.data.tags }));
export type Run = z.output<typeof runSchema>;

export const MODEL_VERSION_STATUSES = ["PENDING_REGISTRATION", "FAILED_REGISTRATION", "READY"] as const;

export const modelVersionSchema = z
  .object({
    name: z.string(),
    version: z.string().regex(/^\d+$/),
    creation_timestamp: int64.optional(),
    last_updated_timestamp: int64.optional(),
    description: z.string().default(""),
    source: z.string().default(""),
    run_id: z.string().default(""),
    status: z.enum(MODEL_VERSION_STATUSES).default("READY"),
    status_message: z.string().default(""),
    tags: tagMap,
    aliases: z.array(z.string()).default([]),
  })
  .transform((v) => ({
    name: v.name,
    version: v.version,
    creationTimestamp: v.creation_timestamp,
    lastUpdatedTimestamp: v.last_updated_timestamp,
    description: v.description,
    source: v.source,
    runId: v.run_id,
    status: v.status,
    statusMessage: v.status_message,
    tags: v.tags,
    aliases: v.aliases as readonly string[],
  }));
export type ModelVersion = z.output<typeof modelVersionSchema>;

export const registeredModelSchema = z
  .object({
    name: z.string(),
    creation_timestamp: int64.optional(),
    last_updated_timestamp: int64.optional(),
    description: z.string().default(""),
    tags: tagMap,
    aliases: z.array(z.object({ alias: z.string(), version: z.string() })).default([]),
  })
  .transform((m) => ({
    name: m.name,
    creationTimestamp: m.creation_timestamp,
    lastUpdatedTimestamp: m.last_updated_timestamp,
    description: m.description,
    tags: m.tags,
    /** alias → version number */
    aliases: Object.fromEntries(m.aliases.map((a) => [a.alias, a.version])) as Readonly<Record<string, string>>,
  }));
export type RegisteredModel = z.output<typeof registeredModelSchema>;

export const fileInfoSchema = z
  .object({ path: z.string(), is_dir: z.boolean().default(false), file_size: int64.optional() })
  .transform((f) => ({ path: f.path, isDir: f.is_dir, fileSize: f.file_size }));
export type ArtifactFile = z.output<typeof fileInfoSchema>;

/** Responses with no payload (set-tag, log-batch, alias set/delete, artifact upload): `{}` or an empty body. */
export const emptyResponseSchema = z.object({});
