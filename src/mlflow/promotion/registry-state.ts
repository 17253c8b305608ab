/**
 * Reads the promotion state of one model from MLflow: who holds the champion and challenger aliases, the
 * challenger's shadow record (its run's session tags), and shadows left running on versions that lost the
 * challenger alias. The registry is the only store: nothing of this lives in the lake.
 */
import { z } from "zod";
import { DataError } from "../../domain/errors.ts";
import type { CallOptions, MlflowClient } from "../client.ts";
import { getModelVersion, searchModelVersions } from "../model-versions.ts";
import { findRegisteredModel } from "../registered-models.ts";
import { getRun } from "../runs.ts";
import type { ModelVersion, RegisteredModel, Run } from "../schemas.ts";
import { searchLiteral } from "../search-literal.ts";
import { gateCheckSchema, gateReport, type GateReport } from "./gates.ts";
import { CHALLENGER, CHAMPION, SESSION_TAG_PREFIX, TAG, type RegistryNames } from "./registry-names.ts";
import type { ShadowDay } from "./shadow-verdict.ts";
import type { PromotionState, ShadowOutcome, ShadowRecord } from "./state-machine.ts";

export interface LoadedPromotion {
  readonly state: PromotionState;
  readonly registeredModel: RegisteredModel | undefined;
  readonly champion: ModelVersion | undefined;
  readonly challenger: ModelVersion | undefined;
}

const sessionScoresSchema = z.strictObject({ challenger: z.number(), champion: z.number().nullable() });

/** The shadow days recorded on a shadow run, in session order. A tag that does not parse is corrupt data. */
export function shadowDaysOf(run: Run): ShadowDay[] {
  const days: ShadowDay[] = [];
  for (const [key, value] of Object.entries(run.tags)) {
    if (!key.startsWith(SESSION_TAG_PREFIX)) continue;
    const session = key.slice(SESSION_TAG_PREFIX.length);
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
    const scores = sessionScoresSchema.safeParse(parsed);
    if (!scores.success) {
      throw new DataError("corrupt_shadow_record", `shadow run ${run.info.runId} has an unreadable tag ${key}: ${value.slice(0, 80)}`);
    }
    days.push({ session, challenger: scores.data.challenger, champion: scores.data.champion });
  }
  return days.sort((a, b) => (a.session < b.session ? -1 : a.session > b.session ? 1 : 0));
}

/** The gate report a version was registered with; no checks (so not passed) when none was recorded. */
export function gatesOf(version: ModelVersion): GateReport {
  const text = version.tags[TAG.gates];
  if (text === undefined || text === "") return gateReport([]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const checks = z.array(gateCheckSchema).safeParse(parsed);
  if (!checks.success) {
    throw new DataError("corrupt_gate_record", `version ${version.version} of ${version.name} has an unreadable ${TAG.gates} tag`);
  }
  return gateReport(checks.data);
}

function isShadowOutcome(status: string | undefined): status is ShadowOutcome {
  return status === "passed" || status === "failed" || status === "superseded";
}

/** How the version's last shadow ended, from its tags (undefined: never shadowed, or still running). */
export function previousShadowOf(version: ModelVersion): ShadowOutcome | undefined {
  const status = version.tags[TAG.shadowStatus];
  return isShadowOutcome(status) ? status : undefined;
}

async function shadowRecordOf(client: MlflowClient, version: ModelVersion, options: CallOptions): Promise<ShadowRecord | undefined> {
  const runId = version.tags[TAG.shadowRunId];
  if (runId === undefined || runId === "") return undefined;
  const run = await getRun(client, runId, options);
  const startedOn = run.tags[TAG.shadowStartedOn];
  if (startedOn === undefined) {
    throw new DataError("corrupt_shadow_record", `shadow run ${runId} of version ${version.version} has no ${TAG.shadowStartedOn} tag`);
  }
  const against = run.tags[TAG.against];
  return { startedOn, against: against === undefined || against === "none" ? undefined : against, days: shadowDaysOf(run) };
}

export async function loadPromotionState(client: MlflowClient, names: RegistryNames, options: CallOptions = {}): Promise<LoadedPromotion> {
  const registeredModel = await findRegisteredModel(client, names.registeredModel, options);
  if (registeredModel === undefined) {
    return { state: { champion: undefined, challenger: undefined, orphans: [] }, registeredModel, champion: undefined, challenger: undefined };
  }
  const championVersion = registeredModel.aliases[CHAMPION];
  const challengerVersion = registeredModel.aliases[CHALLENGER];
  const champion = championVersion === undefined ? undefined : await getModelVersion(client, names.registeredModel, championVersion, options);
  const challenger = challengerVersion === undefined ? undefined : await getModelVersion(client, names.registeredModel, challengerVersion, options);
  const shadow = challenger === undefined ? undefined : await shadowRecordOf(client, challenger, options);
  const running = await searchModelVersions(
    client,
    { filter: `name = ${searchLiteral(names.registeredModel)} and tags.\`${TAG.shadowStatus}\` = 'running'` },
    options,
  );
  const orphans = running.modelVersions.map((v) => v.version).filter((v) => v !== challengerVersion);
  return {
    state: {
      champion: championVersion,
      challenger: challenger === undefined ? undefined : { version: challenger.version, shadow },
      orphans,
    },
    registeredModel,
    champion,
    challenger,
  };
}
