/**
 * Carries out the promotion model's actions on MLflow, in the order given. Each action is idempotent, so a step
 * interrupted half-way can simply be run again: tags and aliases are overwritten, metric points deduplicated by
 * MLflow, and an open shadow run is found again (by the version's tag, or by searching the shadow experiment)
 * rather than created twice.
 *
 * The record of a shadow period is a run in the model's shadow experiment: one tag per scored session (the
 * source of truth), the daily scores as metrics for MLflow's charts (step = session number), and on close the
 * outcome and verdict as tags with the run ended FINISHED (passed), FAILED (failed) or KILLED (superseded).
 */
import { DAY_MS, parseIsoDate } from "../../domain/calendar/dates.ts";
import { DataError } from "../../domain/errors.ts";
import type { CallOptions, MlflowClient } from "../client.ts";
import { deleteAlias, setAlias } from "../aliases.ts";
import { ensureExperiment } from "../experiments.ts";
import { logBatch, type MetricPoint } from "../log-batch.ts";
import { getModelVersion, setModelVersionTags } from "../model-versions.ts";
import { createRun, getRun, searchRuns, setRunTag, terminateRun, type TerminalRunStatus } from "../runs.ts";
import type { Run } from "../schemas.ts";
import { searchLiteral } from "../search-literal.ts";
import { SESSION_TAG_PREFIX, TAG, type RegistryNames } from "./registry-names.ts";
import type { PromotionAction, ShadowOutcome } from "./state-machine.ts";

const RUN_STATUS_FOR: Readonly<Record<ShadowOutcome, TerminalRunStatus>> = { passed: "FINISHED", failed: "FAILED", superseded: "KILLED" };

/** The shadow run of a version: its tagged run if it exists, else undefined. */
async function taggedShadowRun(client: MlflowClient, names: RegistryNames, version: string, options: CallOptions): Promise<Run | undefined> {
  const current = await getModelVersion(client, names.registeredModel, version, options);
  const runId = current.tags[TAG.shadowRunId];
  return runId === undefined || runId === "" ? undefined : getRun(client, runId, options);
}

async function openShadow(
  client: MlflowClient,
  names: RegistryNames,
  action: Extract<PromotionAction, { kind: "open_shadow" }>,
  options: CallOptions,
): Promise<void> {
  const tagged = await taggedShadowRun(client, names, action.version, options);
  let run = tagged?.info.status === "RUNNING" && tagged.tags[TAG.shadowStartedOn] === action.startedOn ? tagged : undefined;
  const experiment = await ensureExperiment(client, { name: names.shadowExperiment, tags: { [TAG.model]: names.model } }, options);
  if (run === undefined) {
    // A crash between creating the run and tagging the version leaves a running, untagged run: reuse it.
    const found = await searchRuns(
      client,
      {
        experimentIds: [experiment.experimentId],
        filter: `tags.\`${TAG.version}\` = ${searchLiteral(action.version)} and tags.\`${TAG.shadowStartedOn}\` = ${searchLiteral(action.startedOn)} and attributes.status = 'RUNNING'`,
        maxResults: 1,
      },
      options,
    );
    run = found.runs[0];
  }
  if (run === undefined) {
    run = await createRun(
      client,
      {
        experimentId: experiment.experimentId,
        runName: `v${action.version} shadow from ${action.startedOn}`,
        startTime: Date.now(),
        tags: {
          [TAG.model]: names.model,
          [TAG.version]: action.version,
          [TAG.against]: action.against ?? "none",
          [TAG.shadowStartedOn]: action.startedOn,
          [TAG.requiredDays]: String(action.required),
          [TAG.shadowStatus]: "running",
        },
      },
      options,
    );
  }
  await setModelVersionTags(
    client,
    names.registeredModel,
    action.version,
    {
      [TAG.shadowStatus]: "running",
      [TAG.shadowRunId]: run.info.runId,
      [TAG.shadowStartedOn]: action.startedOn,
      // A version shadowed before (superseded, or retired and nominated again) starts a clean record.
      [TAG.shadowClosedOn]: "",
      [TAG.shadowVerdict]: "",
    },
    options,
  );
}

async function recordShadowDayOnRun(
  client: MlflowClient,
  names: RegistryNames,
  action: Extract<PromotionAction, { kind: "record_shadow_day" }>,
  options: CallOptions,
): Promise<void> {
  const run = await taggedShadowRun(client, names, action.version, options);
  if (run === undefined) {
    throw new DataError("shadow_run_missing", `version ${action.version} of ${names.registeredModel} has no shadow run to record ${action.day.session} on`);
  }
  const { day, index } = action;
  const timestamp = parseIsoDate(day.session, "shadow session") * DAY_MS;
  const metrics: MetricPoint[] = [{ key: "shadow.challenger", value: day.challenger, step: index, timestamp }];
  if (day.champion !== null) {
    metrics.push({ key: "shadow.champion", value: day.champion, step: index, timestamp });
    metrics.push({ key: "shadow.margin", value: day.challenger - day.champion, step: index, timestamp });
  }
  // Metrics first, the session tag last: the tag is what counts the day, so a crash in between re-records it.
  await logBatch(client, run.info.runId, { metrics }, options);
  await setRunTag(client, run.info.runId, `${SESSION_TAG_PREFIX}${day.session}`, JSON.stringify({ challenger: day.challenger, champion: day.champion }), options);
}

async function closeShadow(
  client: MlflowClient,
  names: RegistryNames,
  action: Extract<PromotionAction, { kind: "close_shadow" }>,
  options: CallOptions,
): Promise<void> {
  const verdict = action.verdict === undefined ? "" : JSON.stringify(action.verdict);
  const tags = { [TAG.shadowStatus]: action.outcome, [TAG.shadowClosedOn]: action.on, [TAG.shadowVerdict]: verdict };
  const run = await taggedShadowRun(client, names, action.version, options);
  if (run !== undefined) {
    await logBatch(client, run.info.runId, { tags }, options);
    if (run.info.status === "RUNNING") await terminateRun(client, run.info.runId, RUN_STATUS_FOR[action.outcome], options);
  }
  await setModelVersionTags(client, names.registeredModel, action.version, tags, options);
}

export async function applyPromotionActions(
  client: MlflowClient,
  names: RegistryNames,
  actions: readonly PromotionAction[],
  options: CallOptions = {},
): Promise<void> {
  for (const action of actions) {
    switch (action.kind) {
      case "open_shadow":
        await openShadow(client, names, action, options);
        break;
      case "record_shadow_day":
        await recordShadowDayOnRun(client, names, action, options);
        break;
      case "close_shadow":
        await closeShadow(client, names, action, options);
        break;
      case "set_alias":
        await setAlias(client, names.registeredModel, action.alias, action.version, options);
        break;
      case "delete_alias":
        await deleteAlias(client, names.registeredModel, action.alias, options);
        break;
      case "tag_version":
        await setModelVersionTags(client, names.registeredModel, action.version, action.tags, options);
        break;
    }
  }
}
