/**
 * Champion/challenger promotion as a pure state machine: (state, event, policy) → (state, actions, outcome).
 * No I/O: the MLflow-backed operations (./operations.ts) load the state from the registry, call `promotionStep`
 * and apply its actions in order; tests fold whole shadow periods through it without a server.
 *
 * The lifecycle of a version:
 *   registered (every trained version, with its gate results)
 *   → challenger, only when its gates passed: it shadows the champion, scored live each NYSE session
 *   → after `require_shadow_days` sessions, champion when its shadow passed (./shadow-verdict.ts);
 *     otherwise it loses the challenger alias and its failed shadow stays recorded.
 * A newer passing version replaces a challenger still in shadow (the old trial is closed as "superseded",
 * recorded, not dropped): it was trained on more data and passed the same gates.
 *
 * Actions are ordered so that a crash between two of them leaves a state the next step repairs: a shadow
 * record is opened before the alias points at it, a verdict is recorded before aliases move, and a shadow left
 * "running" on a version that no longer holds the challenger alias is closed as superseded by the next step.
 */
import { isIsoDate, isoDateOf, parseIsoDate } from "../../domain/calendar/dates.ts";
import { countSessions, isSession } from "../../domain/calendar/nyse.ts";
import { DataError } from "../../domain/errors.ts";
import { failedChecks, type GateReport } from "./gates.ts";
import { CHALLENGER, CHAMPION, TAG, type PromotionAlias } from "./registry-names.ts";
import { shadowVerdict, type ShadowDay, type ShadowVerdict } from "./shadow-verdict.ts";

/** How a shadow period ended. */
export type ShadowOutcome = "passed" | "failed" | "superseded";

export interface ShadowRecord {
  /** The date the shadow began; its sessions are the NYSE sessions strictly after it. */
  readonly startedOn: string;
  /** The champion version at the start, if any. */
  readonly against: string | undefined;
  readonly days: readonly ShadowDay[];
}

export interface ChallengerState {
  readonly version: string;
  /** Undefined when the alias was set by hand, outside this model (no shadow was ever opened). */
  readonly shadow: ShadowRecord | undefined;
}

export interface PromotionState {
  readonly champion: string | undefined;
  readonly challenger: ChallengerState | undefined;
  /** Versions whose shadow is still marked running but that no longer hold the challenger alias. */
  readonly orphans: readonly string[];
}

export interface PromotionPolicy {
  /** configs/training/<model>.yml `promotion_policy.require_shadow_days`. */
  readonly require_shadow_days: number;
}

export type PromotionEvent =
  | {
      readonly kind: "nominate";
      readonly version: string;
      readonly gates: GateReport;
      /** How an earlier shadow of this same version ended, if it had one. */
      readonly previousShadow: ShadowOutcome | undefined;
      readonly today: string;
    }
  | { readonly kind: "shadow_day"; readonly day: ShadowDay }
  | { readonly kind: "decide"; readonly today: string };

export type PromotionAction =
  | { readonly kind: "open_shadow"; readonly version: string; readonly against: string | undefined; readonly startedOn: string; readonly required: number }
  /** `index` is the session's number in the shadow period (1 = first session after the start). */
  | { readonly kind: "record_shadow_day"; readonly version: string; readonly day: ShadowDay; readonly index: number }
  | {
      readonly kind: "close_shadow";
      readonly version: string;
      readonly outcome: ShadowOutcome;
      readonly verdict: ShadowVerdict | undefined;
      readonly on: string;
    }
  | { readonly kind: "set_alias"; readonly alias: PromotionAlias; readonly version: string }
  | { readonly kind: "delete_alias"; readonly alias: PromotionAlias }
  | { readonly kind: "tag_version"; readonly version: string; readonly tags: Readonly<Record<string, string>> };

export type PromotionOutcome =
  | { readonly kind: "rejected"; readonly version: string; readonly reason: string }
  | { readonly kind: "already_champion"; readonly version: string }
  | { readonly kind: "already_challenger"; readonly version: string }
  | { readonly kind: "challenger_set"; readonly version: string; readonly superseded: string | undefined }
  | { readonly kind: "promoted_at_once"; readonly version: string; readonly previous: string | undefined }
  | { readonly kind: "no_challenger" }
  | { readonly kind: "day_recorded"; readonly version: string; readonly session: string; readonly days: number; readonly required: number }
  | { readonly kind: "day_already_recorded"; readonly version: string; readonly session: string; readonly days: number; readonly required: number }
  | { readonly kind: "shadow_complete"; readonly version: string; readonly days: number; readonly required: number }
  | { readonly kind: "shadow_running"; readonly version: string; readonly verdict: ShadowVerdict }
  | { readonly kind: "promoted"; readonly version: string; readonly previous: string | undefined; readonly verdict: ShadowVerdict }
  | { readonly kind: "promotion_completed"; readonly version: string }
  | { readonly kind: "shadow_failed"; readonly version: string; readonly verdict: ShadowVerdict };

export interface PromotionStep {
  readonly state: PromotionState;
  readonly actions: readonly PromotionAction[];
  readonly outcome: PromotionOutcome;
}

/** The shadow session number of `session` for a shadow that began on `startedOn` (sessions strictly after it). */
export function shadowSessionIndex(startedOn: string, session: string): number {
  return countSessions(isoDateOf(parseIsoDate(startedOn, "shadow start") + 1), session);
}

function checkDate(date: string, what: string): void {
  if (!isIsoDate(date)) throw new DataError("bad_date", `${what} must be a date as YYYY-MM-DD, not ${JSON.stringify(date.slice(0, 40))}`);
}

/** Closes every orphaned shadow as superseded: the first actions of any step. */
function closeOrphans(state: PromotionState, on: string): { state: PromotionState; actions: PromotionAction[] } {
  const actions: PromotionAction[] = state.orphans.map((version) => ({ kind: "close_shadow", version, outcome: "superseded", verdict: undefined, on }));
  return { state: { ...state, orphans: [] }, actions };
}

function nominate(state: PromotionState, event: Extract<PromotionEvent, { kind: "nominate" }>, policy: PromotionPolicy): PromotionStep {
  const { version, gates, today } = event;
  checkDate(today, "today");
  const repaired = closeOrphans(state, today);
  const actions = repaired.actions;
  const base = repaired.state;
  const unchanged = (outcome: PromotionOutcome): PromotionStep => ({ state: base, actions, outcome });

  if (!gates.passed) return unchanged({ kind: "rejected", version, reason: `it failed the gates: ${failedChecks(gates)}` });
  if (event.previousShadow === "failed") return unchanged({ kind: "rejected", version, reason: "its shadow period already failed" });
  if (base.champion === version) return unchanged({ kind: "already_champion", version });

  const current = base.challenger;
  if (current?.version === version) {
    if (current.shadow !== undefined) return unchanged({ kind: "already_challenger", version });
    // The alias was set by hand: adopt it by opening its shadow now.
    const shadow: ShadowRecord = { startedOn: today, against: base.champion, days: [] };
    actions.push({ kind: "open_shadow", version, against: base.champion, startedOn: today, required: policy.require_shadow_days });
    return { state: { ...base, challenger: { version, shadow } }, actions, outcome: { kind: "challenger_set", version, superseded: undefined } };
  }

  actions.push({ kind: "open_shadow", version, against: base.champion, startedOn: today, required: policy.require_shadow_days });
  if (policy.require_shadow_days === 0) {
    // "0 = promote at once" (configs/training schema): the trial is opened and passed in the same step, so the
    // record still says when and over whom the version was promoted.
    const verdict = shadowVerdict([], 0);
    actions.push({ kind: "close_shadow", version, outcome: "passed", verdict, on: today });
    actions.push({ kind: "set_alias", alias: CHAMPION, version });
    if (base.champion !== undefined) actions.push({ kind: "tag_version", version: base.champion, tags: { [TAG.retiredOn]: today } });
    actions.push({ kind: "tag_version", version, tags: { [TAG.promotedOn]: today } });
    if (current !== undefined) {
      actions.push({ kind: "delete_alias", alias: CHALLENGER });
      actions.push({ kind: "close_shadow", version: current.version, outcome: "superseded", verdict: undefined, on: today });
    }
    return {
      state: { champion: version, challenger: undefined, orphans: [] },
      actions,
      outcome: { kind: "promoted_at_once", version, previous: base.champion },
    };
  }

  actions.push({ kind: "set_alias", alias: CHALLENGER, version });
  if (current !== undefined) actions.push({ kind: "close_shadow", version: current.version, outcome: "superseded", verdict: undefined, on: today });
  return {
    state: { ...base, challenger: { version, shadow: { startedOn: today, against: base.champion, days: [] } } },
    actions,
    outcome: { kind: "challenger_set", version, superseded: current?.version },
  };
}

/** Whether a shadow day for `session` would be recorded: the challenger and its shadow, or why not. */
export type ShadowDayCheck =
  | { readonly wanted: true; readonly challenger: ChallengerState; readonly shadow: ShadowRecord }
  | { readonly wanted: false; readonly outcome: PromotionOutcome };

/**
 * The checks of a shadow day that do not need its scores, so the scoring step can skip work it would throw
 * away (no challenger, the session already scored, the period complete). Throws for a session that cannot be a
 * live shadow day.
 */
export function checkShadowSession(state: PromotionState, session: string, policy: PromotionPolicy): ShadowDayCheck {
  checkDate(session, "shadow session");
  if (!isSession(session)) throw new DataError("not_a_session", `${session} is not an NYSE session; shadow days are trading sessions`);
  const challenger = state.challenger;
  if (challenger === undefined) return { wanted: false, outcome: { kind: "no_challenger" } };
  const shadow = challenger.shadow;
  if (shadow === undefined) throw missingShadow(challenger.version);
  const required = policy.require_shadow_days;
  const days = shadow.days.length;
  if (shadow.days.some((d) => d.session === session)) {
    return { wanted: false, outcome: { kind: "day_already_recorded", version: challenger.version, session, days, required } };
  }
  if (session <= shadow.startedOn) {
    throw new DataError(
      "shadow_session_before_start",
      `session ${session} is not after the shadow of version ${challenger.version} began (${shadow.startedOn}): only live predictions count`,
    );
  }
  if (days >= required) return { wanted: false, outcome: { kind: "shadow_complete", version: challenger.version, days, required } };
  return { wanted: true, challenger, shadow };
}

function recordDay(state: PromotionState, day: ShadowDay, policy: PromotionPolicy): PromotionStep {
  if (!Number.isFinite(day.challenger) || (day.champion !== null && !Number.isFinite(day.champion))) {
    throw new DataError("bad_shadow_score", `shadow scores for ${day.session} must be finite numbers (challenger ${day.challenger}, champion ${day.champion})`);
  }
  const repaired = closeOrphans(state, day.session);
  const { actions } = repaired;
  const check = checkShadowSession(repaired.state, day.session, policy);
  if (!check.wanted) return { state: repaired.state, actions, outcome: check.outcome };
  const { challenger, shadow } = check;
  actions.push({ kind: "record_shadow_day", version: challenger.version, day, index: shadowSessionIndex(shadow.startedOn, day.session) });
  const next: ChallengerState = { version: challenger.version, shadow: { ...shadow, days: [...shadow.days, day] } };
  return {
    state: { ...repaired.state, challenger: next },
    actions,
    outcome: { kind: "day_recorded", version: challenger.version, session: day.session, days: shadow.days.length + 1, required: policy.require_shadow_days },
  };
}

function missingShadow(version: string): DataError {
  return new DataError(
    "challenger_without_shadow",
    `version ${version} holds the "${CHALLENGER}" alias but has no shadow record (was the alias set by hand?); nominate it again to start its shadow`,
  );
}

function decide(state: PromotionState, today: string, policy: PromotionPolicy): PromotionStep {
  checkDate(today, "today");
  const repaired = closeOrphans(state, today);
  const { actions } = repaired;
  const base = repaired.state;
  const challenger = base.challenger;
  if (challenger === undefined) return { state: base, actions, outcome: { kind: "no_challenger" } };
  const version = challenger.version;
  if (base.champion === version) {
    // A promotion stopped between moving the champion alias and removing the challenger alias: finish it.
    actions.push({ kind: "delete_alias", alias: CHALLENGER });
    return { state: { ...base, challenger: undefined }, actions, outcome: { kind: "promotion_completed", version } };
  }
  if (challenger.shadow === undefined) throw missingShadow(version);
  const verdict = shadowVerdict(challenger.shadow.days, policy.require_shadow_days);
  if (verdict.status === "running") return { state: base, actions, outcome: { kind: "shadow_running", version, verdict } };
  if (verdict.status === "failed") {
    actions.push({ kind: "close_shadow", version, outcome: "failed", verdict, on: today });
    actions.push({ kind: "delete_alias", alias: CHALLENGER });
    return { state: { ...base, challenger: undefined }, actions, outcome: { kind: "shadow_failed", version, verdict } };
  }
  actions.push({ kind: "close_shadow", version, outcome: "passed", verdict, on: today });
  actions.push({ kind: "set_alias", alias: CHAMPION, version });
  if (base.champion !== undefined) actions.push({ kind: "tag_version", version: base.champion, tags: { [TAG.retiredOn]: today } });
  actions.push({ kind: "tag_version", version, tags: { [TAG.promotedOn]: today } });
  actions.push({ kind: "delete_alias", alias: CHALLENGER });
  return {
    state: { champion: version, challenger: undefined, orphans: [] },
    actions,
    outcome: { kind: "promoted", version, previous: base.champion, verdict },
  };
}

/** One transition of the promotion model. Throws a DataError for input that cannot be right (a non-session day). */
export function promotionStep(state: PromotionState, event: PromotionEvent, policy: PromotionPolicy): PromotionStep {
  switch (event.kind) {
    case "nominate":
      return nominate(state, event, policy);
    case "shadow_day":
      return recordDay(state, event.day, policy);
    case "decide":
      return decide(state, event.today, policy);
  }
}
