/**
 * The promotion model's operations on a real MLflow server: read the state (./registry-state.ts), take one
 * step of the pure state machine (./state-machine.ts), apply its actions (./apply-actions.ts), return the
 * outcome. Each is idempotent: running it twice changes nothing the second time.
 *
 * Who calls what:
 *   - the trainer, after a run: `registerVersion` (every trained version), then `setChallenger` (it refuses a
 *     version whose gates failed, so calling it for every version is safe);
 *   - the daily shadow-scoring step (`trademl models shadow-score --date D`): `shadowScoreDay` with its scorer;
 *   - after it, daily: `promoteIfDue`;
 *   - `trademl models status|list`: `modelStatus` (./model-status.ts).
 * Two operations on the same model must not run at once (the orchestration's lease on the model serialises
 * them): each reads the state, then writes.
 */
import { z } from "zod";
import { newYorkDate } from "../../domain/calendar/time-zone.ts";
import { DataError } from "../../domain/errors.ts";
import { listArtifacts } from "../artifacts.ts";
import type { MlflowClient } from "../client.ts";
import { createModelVersion, getModelVersion, searchModelVersions, setModelVersionTags } from "../model-versions.ts";
import { ensureRegisteredModel } from "../registered-models.ts";
import { getRun } from "../runs.ts";
import type { ModelVersion } from "../schemas.ts";
import { searchLiteral } from "../search-literal.ts";
import { gateCheckSchema, gateReport, type GateCheck, type GateReport } from "./gates.ts";
import { applyPromotionActions } from "./apply-actions.ts";
import { registryNames, TAG, type RegistryNames } from "./registry-names.ts";
import { gatesOf, loadPromotionState, previousShadowOf, type LoadedPromotion } from "./registry-state.ts";
import type { ShadowDay } from "./shadow-verdict.ts";
import { checkShadowSession, promotionStep, type PromotionEvent, type PromotionOutcome, type PromotionPolicy } from "./state-machine.ts";

export interface PromotionContext {
  readonly client: MlflowClient;
  /** The model key, as its configs/training/<model>.yml (equities_xs, intraday_xs, options_vol). */
  readonly model: string;
  /** That file's `promotion_policy`. */
  readonly policy: PromotionPolicy;
  readonly signal?: AbortSignal;
}

function namesOf(context: PromotionContext): RegistryNames {
  return registryNames(context.model);
}

function callOptions(context: PromotionContext): { signal?: AbortSignal } {
  return context.signal === undefined ? {} : { signal: context.signal };
}

/** Today's New York date: shadow sessions are NYSE sessions, and a trainer in the evening is still on that day. */
export function todayInNewYork(now: number = Date.now()): string {
  return newYorkDate(now);
}

export interface RegisterVersionInput {
  /** The training run whose artifacts hold the model. */
  readonly runId: string;
  /** The model's folder inside the run's artifacts (default "model"); it must not be empty. */
  readonly artifactPath?: string;
  /** Every gate evaluated for this version; it passes when all passed. */
  readonly gates: readonly GateCheck[];
  readonly description?: string;
}

export interface RegisteredVersion {
  readonly version: ModelVersion;
  readonly gates: GateReport;
  /** False when this run's model was already registered (the existing version is returned, tags refreshed). */
  readonly created: boolean;
}

/**
 * Registers a trained model as a new version of the model's registered model, with its gate results as tags.
 * Every trained version is registered, passing or not; only `setChallenger` decides about aliases.
 */
export async function registerVersion(context: PromotionContext, input: RegisterVersionInput): Promise<RegisteredVersion> {
  const { client } = context;
  const options = callOptions(context);
  const names = namesOf(context);
  const checks = z.array(gateCheckSchema).safeParse(input.gates);
  if (!checks.success) throw new DataError("bad_gate_results", `gate results for run ${input.runId} are malformed: ${checks.error.issues[0]?.message ?? "?"}`);
  const gates = gateReport(checks.data);
  const artifactPath = input.artifactPath ?? "model";

  const run = await getRun(client, input.runId, options);
  // An empty folder would register a version nothing can load; fail here, not at the first shadow score.
  const files = await listArtifacts(client, run.info.artifactUri, artifactPath, options);
  if (files.length === 0) {
    throw new DataError("model_artifact_missing", `run ${input.runId} has no artifacts under ${artifactPath}/; upload the model before registering it`);
  }
  const source = `${run.info.artifactUri}/${artifactPath}`;
  const tags = { [TAG.model]: names.model, [TAG.gatesPassed]: String(gates.passed), [TAG.gates]: JSON.stringify(gates.checks) };
  await ensureRegisteredModel(
    client,
    { name: names.registeredModel, description: `trademl ${names.model}: every trained version; champion/challenger by alias (docs/training.md)` },
    options,
  );

  // A retried registration finds the version the first attempt made (model-versions/create is not idempotent).
  const existing = await searchModelVersions(
    client,
    { filter: `name = ${searchLiteral(names.registeredModel)} and run_id = ${searchLiteral(input.runId)}` },
    options,
  );
  const same = existing.modelVersions.find((version) => version.source === source);
  if (same !== undefined) {
    await setModelVersionTags(client, names.registeredModel, same.version, tags, options);
    return { version: await getModelVersion(client, names.registeredModel, same.version, options), gates, created: false };
  }
  const created = await createModelVersion(
    client,
    { name: names.registeredModel, source, runId: input.runId, tags, ...(input.description === undefined ? {} : { description: input.description }) },
    options,
  );
  return { version: created, gates, created: true };
}

/** Load, one pure step, apply: the shape of every operation. */
async function step(context: PromotionContext, event: (loaded: LoadedPromotion) => Promise<PromotionEvent> | PromotionEvent): Promise<PromotionOutcome> {
  const names = namesOf(context);
  const options = callOptions(context);
  const loaded = await loadPromotionState(context.client, names, options);
  const result = promotionStep(loaded.state, await event(loaded), context.policy);
  await applyPromotionActions(context.client, names, result.actions, options);
  return result.outcome;
}

/**
 * Makes `version` the challenger when its gates passed (starting its shadow period; a challenger still in shadow
 * is superseded), or promotes it at once when the policy requires no shadow days. A version whose gates failed,
 * or whose shadow already failed, is refused: the outcome says why and nothing moves.
 */
export function setChallenger(context: PromotionContext, version: string, options: { readonly today?: string } = {}): Promise<PromotionOutcome> {
  return step(context, async () => {
    const candidate = await getModelVersion(context.client, namesOf(context).registeredModel, version, callOptions(context));
    return {
      kind: "nominate",
      version,
      gates: gatesOf(candidate),
      previousShadow: previousShadowOf(candidate),
      today: options.today ?? todayInNewYork(),
    };
  });
}

/** Records one session's shadow scores for the current challenger (a session already recorded is left as is). */
export function recordShadowDay(context: PromotionContext, day: ShadowDay): Promise<PromotionOutcome> {
  return step(context, () => ({ kind: "shadow_day", day }));
}

/** What the shadow scorer is asked to score: the session and the two versions (their `source` holds the model). */
export interface ShadowTarget {
  readonly session: string;
  readonly challenger: ModelVersion;
  /** Undefined when there is no champion yet: the scorer returns `champion: null`. */
  readonly champion: ModelVersion | undefined;
}

export interface ShadowScores {
  readonly challenger: number;
  readonly champion: number | null;
}

/**
 * The daily shadow step: when a challenger is in shadow and `session` is not yet scored, asks `scorer` to score
 * both versions' live predictions for that session and records the result. Without a challenger, or when the
 * session is already recorded or the period complete, the scorer is not called. Safe to run again.
 */
export async function shadowScoreDay(
  context: PromotionContext,
  session: string,
  scorer: (target: ShadowTarget) => Promise<ShadowScores>,
): Promise<PromotionOutcome> {
  const names = namesOf(context);
  const options = callOptions(context);
  const loaded = await loadPromotionState(context.client, names, options);
  const check = checkShadowSession(loaded.state, session, context.policy);
  if (!check.wanted) return check.outcome;
  if (loaded.challenger === undefined) return { kind: "no_challenger" };
  const scores = await scorer({ session, challenger: loaded.challenger, champion: loaded.champion });
  const result = promotionStep(loaded.state, { kind: "shadow_day", day: { session, ...scores } }, context.policy);
  await applyPromotionActions(context.client, names, result.actions, options);
  return result.outcome;
}

/**
 * Decides a challenger whose shadow period is complete: champion when the shadow passed, otherwise the
 * challenger alias is removed and the failed shadow stays recorded. While the shadow runs, nothing moves.
 */
export function promoteIfDue(context: PromotionContext, options: { readonly today?: string } = {}): Promise<PromotionOutcome> {
  return step(context, () => ({ kind: "decide", today: options.today ?? todayInNewYork() }));
}
