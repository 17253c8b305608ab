// The pure promotion model: gate results and daily shadow scores in, alias moves and records out, folded over
// whole shadow periods without a server. Expected verdict numbers are computed by hand in each test.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nextSession } from "../../src/domain/calendar/nyse.ts";
import { DataError } from "../../src/domain/errors.ts";
import {
  gateReport, promotionStep, shadowSessionIndex, shadowVerdict, type GateCheck, type PromotionAction, type PromotionEvent,
  type PromotionState, type ShadowDay,
} from "../../src/mlflow/index.ts";
import { sessionsAfter } from "./helpers.ts";

const policy = { require_shadow_days: 20 };
const empty: PromotionState = { champion: undefined, challenger: undefined, orphans: [] };
const pass: GateCheck[] = [
  { name: "net_sharpe", value: 1.4, bar: 1, direction: "min", passed: true },
  { name: "pbo", value: 0.02, bar: 0.05, direction: "max", passed: true },
];
const failPbo: GateCheck[] = [pass[0] as GateCheck, { name: "pbo", value: 0.31, bar: 0.05, direction: "max", passed: false }];


function fold(state: PromotionState, events: readonly PromotionEvent[], p = policy): { state: PromotionState; actions: PromotionAction[] } {
  const actions: PromotionAction[] = [];
  let current = state;
  for (const event of events) {
    const step = promotionStep(current, event, p);
    actions.push(...step.actions);
    current = step.state;
  }
  return { state: current, actions };
}

function nominate(version: string, checks: GateCheck[] = pass, today = "2026-03-02"): PromotionEvent {
  return { kind: "nominate", version, gates: gateReport(checks), previousShadow: undefined, today };
}

function days(start: string, scores: readonly [number, number | null][]): PromotionEvent[] {
  return sessionsAfter(start, scores.length).map((session, i) => {
    const [challenger, champion] = scores[i] ?? [0, null];
    return { kind: "shadow_day", day: { session, challenger, champion } };
  });
}

describe("shadowVerdict", () => {
  const day = (session: string, challenger: number, champion: number | null): ShadowDay => ({ session, challenger, champion });

  it("runs until the required sessions are scored, then passes on a positive mean that does not trail the champion", () => {
    const running = shadowVerdict([day("2026-03-03", 0.1, 0.05)], 3);
    expect(running).toMatchObject({ status: "running", days: 1, required: 3 });
    const passed = shadowVerdict([day("2026-03-03", 0.1, 0.05), day("2026-03-04", 0.02, 0.04), day("2026-03-05", 0.03, 0.03)], 3);
    // means: challenger (0.1+0.02+0.03)/3 = 0.05, champion 0.04, margin (0.05-0.02+0)/3 = 0.01
    expect(passed.status).toBe("passed");
    expect(passed.challengerMean).toBeCloseTo(0.05, 12);
    expect(passed.championMean).toBeCloseTo(0.04, 12);
    expect(passed.meanMargin).toBeCloseTo(0.01, 12);
  });

  it("fails a challenger that trails the champion or does not predict live, and counts only the first sessions", () => {
    const trails = shadowVerdict([day("2026-03-03", 0.02, 0.05), day("2026-03-04", 0.03, 0.04)], 2);
    expect(trails).toMatchObject({ status: "failed" });
    expect(trails.reason).toMatch(/trails the champion's by 0\.0200/);
    const flat = shadowVerdict([day("2026-03-03", 0.01, null), day("2026-03-04", -0.01, null)], 2);
    expect(flat).toMatchObject({ status: "failed", championMean: null, meanMargin: null });
    expect(flat.reason).toMatch(/not above zero/);
    // A third, great session does not rescue a period of two (given in any order).
    const late = shadowVerdict([day("2026-03-05", 9, null), day("2026-03-04", -0.01, null), day("2026-03-03", 0.01, null)], 2);
    expect(late).toMatchObject({ status: "failed", days: 3, challengerMean: 0 });
    expect(shadowVerdict([], 0).status).toBe("passed");
  });
});

describe("promotionStep", () => {
  it("gives the challenger alias only to a version that passed its gates", () => {
    const rejected = promotionStep(empty, nominate("1", failPbo), policy);
    expect(rejected.outcome).toEqual({ kind: "rejected", version: "1", reason: "it failed the gates: pbo=0.31 (max 0.05)" });
    expect(rejected.actions).toEqual([]);
    expect(promotionStep(empty, nominate("1", []), policy).outcome.kind).toBe("rejected");

    const set = promotionStep(empty, nominate("1"), policy);
    expect(set.outcome).toEqual({ kind: "challenger_set", version: "1", superseded: undefined });
    expect(set.actions).toEqual([
      { kind: "open_shadow", version: "1", against: undefined, startedOn: "2026-03-02", required: 20 },
      { kind: "set_alias", alias: "challenger", version: "1" },
    ]);
    expect(promotionStep(set.state, nominate("1"), policy).outcome).toEqual({ kind: "already_challenger", version: "1" });
  });

  it("promotes a challenger after 20 scored sessions that beat the champion, moving both aliases", () => {
    const start = { champion: "1", challenger: undefined, orphans: [] };
    const scores = Array.from({ length: 20 }, (_, i): [number, number] => [0.04 + (i % 3) * 0.01, 0.03]);
    const { state, actions } = fold(start, [nominate("2"), ...days("2026-03-02", scores)]);
    expect(actions.filter((a) => a.kind === "record_shadow_day").map((a) => a.kind === "record_shadow_day" && a.index)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    const before = promotionStep(state, { kind: "decide", today: "2026-03-30" }, policy);
    expect(before.outcome.kind).toBe("promoted");
    expect(before.actions.map((a) => a.kind)).toEqual(["close_shadow", "set_alias", "tag_version", "tag_version", "delete_alias"]);
    expect(before.actions[1]).toEqual({ kind: "set_alias", alias: "champion", version: "2" });
    expect(before.actions[2]).toEqual({ kind: "tag_version", version: "1", tags: { "trademl.retired_on": "2026-03-30" } });
    expect(before.state).toEqual({ champion: "2", challenger: undefined, orphans: [] });
    // challenger mean = 0.04 + 0.01·(7·0 + 7·1 + 6·2)/20 = 0.0495; champion 0.03
    if (before.outcome.kind === "promoted") {
      expect(before.outcome.previous).toBe("1");
      expect(before.outcome.verdict.challengerMean).toBeCloseTo(0.0495, 12);
      expect(before.outcome.verdict.meanMargin).toBeCloseTo(0.0195, 12);
    }
  });

  it("keeps the shadow running before the 20th session, and records a 21st day as nothing", () => {
    const partial = fold(empty, [nominate("1"), ...days("2026-03-02", Array.from({ length: 19 }, (): [number, null] => [0.05, null]))]);
    const early = promotionStep(partial.state, { kind: "decide", today: "2026-03-27" }, policy);
    expect(early.outcome.kind).toBe("shadow_running");
    expect(early.actions).toEqual([]);
    const full = fold(partial.state, days(sessionsAfter("2026-03-02", 19).at(-1) ?? "", [[0.05, null], [0.07, null]]));
    expect(full.actions.filter((a) => a.kind === "record_shadow_day")).toHaveLength(1);
    expect(full.state.challenger?.shadow?.days).toHaveLength(20);
  });

  it("records a failed shadow and removes the challenger alias, leaving the champion in place", () => {
    const start = { champion: "1", challenger: undefined, orphans: [] };
    const scores = Array.from({ length: 20 }, (): [number, number] => [0.01, 0.03]);
    const { state } = fold(start, [nominate("2"), ...days("2026-03-02", scores)]);
    const decided = promotionStep(state, { kind: "decide", today: "2026-03-31" }, policy);
    expect(decided.outcome.kind).toBe("shadow_failed");
    expect(decided.actions).toEqual([
      expect.objectContaining({ kind: "close_shadow", version: "2", outcome: "failed", on: "2026-03-31" }),
      { kind: "delete_alias", alias: "challenger" },
    ]);
    expect(decided.state).toEqual({ champion: "1", challenger: undefined, orphans: [] });
    // It may not come back as challenger.
    const again = promotionStep(decided.state, { ...nominate("2"), previousShadow: "failed" } as PromotionEvent, policy);
    expect(again.outcome).toEqual({ kind: "rejected", version: "2", reason: "its shadow period already failed" });
  });

  it("records each session once, and refuses days that cannot be live or are not sessions", () => {
    const { state } = fold(empty, [nominate("1", pass, "2026-03-02")]);
    const day = (session: string, challenger = 0.1): PromotionEvent => ({ kind: "shadow_day", day: { session, challenger, champion: null } });
    const first = promotionStep(state, day("2026-03-03"), policy);
    expect(first.outcome).toMatchObject({ kind: "day_recorded", days: 1 });
    const repeat = promotionStep(first.state, day("2026-03-03", 0.9), policy);
    expect(repeat.outcome).toMatchObject({ kind: "day_already_recorded", days: 1 });
    expect(repeat.actions).toEqual([]);
    for (const [bad, pattern] of [
      [day("2026-03-02"), /not after the shadow/],
      [day("2026-02-27"), /not after the shadow/],
      [day("2026-03-07"), /not an NYSE session/],
      [day("2026-04-03"), /not an NYSE session/], // Good Friday
      [day("2026-03-04", Number.NaN), /finite/],
      [day("2026-3-4"), /YYYY-MM-DD/],
    ] as const) {
      expect(() => promotionStep(first.state, bad, policy)).toThrow(DataError);
      expect(() => promotionStep(first.state, bad, policy)).toThrow(pattern);
    }
    // A missed day may be scored late; its index is its place in the session calendar, not the order of arrival.
    const late = promotionStep(promotionStep(first.state, day("2026-03-05"), policy).state, day("2026-03-04"), policy);
    expect(late.actions).toEqual([{ kind: "record_shadow_day", version: "1", day: { session: "2026-03-04", challenger: 0.1, champion: null }, index: 2 }]);
    expect(shadowSessionIndex("2026-03-02", "2026-03-05")).toBe(3);
  });

  it("replaces a challenger still in shadow with a newer passing version, closing the old trial as superseded", () => {
    const { state } = fold(empty, [nominate("1"), ...days("2026-03-02", [[0.1, null], [0.1, null]])]);
    const next = promotionStep(state, nominate("2", pass, "2026-03-05"), policy);
    expect(next.outcome).toEqual({ kind: "challenger_set", version: "2", superseded: "1" });
    expect(next.actions).toEqual([
      { kind: "open_shadow", version: "2", against: undefined, startedOn: "2026-03-05", required: 20 },
      { kind: "set_alias", alias: "challenger", version: "2" },
      { kind: "close_shadow", version: "1", outcome: "superseded", verdict: undefined, on: "2026-03-05" },
    ]);
    expect(next.state.challenger).toEqual({ version: "2", shadow: { startedOn: "2026-03-05", against: undefined, days: [] } });
  });

  it("promotes at once when the policy requires no shadow, still opening and passing a record", () => {
    const start = { champion: "1", challenger: { version: "2", shadow: { startedOn: "2026-03-02", against: "1", days: [] } }, orphans: [] };
    const step = promotionStep(start, nominate("3", pass, "2026-03-04"), { require_shadow_days: 0 });
    expect(step.outcome).toEqual({ kind: "promoted_at_once", version: "3", previous: "1" });
    expect(step.actions.map((a) => `${a.kind}:${"version" in a ? a.version : a.alias}`)).toEqual([
      "open_shadow:3", "close_shadow:3", "set_alias:3", "tag_version:1", "tag_version:3", "delete_alias:challenger", "close_shadow:2",
    ]);
    expect(step.state).toEqual({ champion: "3", challenger: undefined, orphans: [] });
  });

  it("repairs what a crash left: finishes a half-done promotion, closes orphaned shadows, adopts a hand-set challenger", () => {
    const half: PromotionState = { champion: "2", challenger: { version: "2", shadow: { startedOn: "2026-03-02", against: "1", days: [] } }, orphans: ["1"] };
    const fixed = promotionStep(half, { kind: "decide", today: "2026-04-01" }, policy);
    expect(fixed.outcome).toEqual({ kind: "promotion_completed", version: "2" });
    expect(fixed.actions).toEqual([
      { kind: "close_shadow", version: "1", outcome: "superseded", verdict: undefined, on: "2026-04-01" },
      { kind: "delete_alias", alias: "challenger" },
    ]);

    const byHand: PromotionState = { champion: undefined, challenger: { version: "4", shadow: undefined }, orphans: [] };
    expect(() => promotionStep(byHand, { kind: "shadow_day", day: { session: "2026-03-03", challenger: 0.1, champion: null } }, policy)).toThrow(/no shadow record/);
    const adopted = promotionStep(byHand, nominate("4"), policy);
    expect(adopted.actions).toEqual([{ kind: "open_shadow", version: "4", against: undefined, startedOn: "2026-03-02", required: 20 }]);
    expect(promotionStep(empty, { kind: "decide", today: "2026-03-02" }, policy).outcome).toEqual({ kind: "no_challenger" });
  });

  it("never moves the champion alias without a passed verdict, nor the challenger alias to a version that failed its gates", () => {
    const event = fc.oneof(
      fc.record({ kind: fc.constant("nominate" as const), passed: fc.boolean() }),
      fc.record({ kind: fc.constant("day" as const), challenger: fc.double({ min: -0.1, max: 0.1, noNaN: true }), champion: fc.option(fc.double({ min: -0.1, max: 0.1, noNaN: true })) }),
      fc.record({ kind: fc.constant("decide" as const) }),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), fc.integer({ min: 0, max: 5 }), (events, required) => {
        const p = { require_shadow_days: required };
        let state = empty;
        let version = 0;
        let today = "2026-01-02";
        const gatesOf = new Map<string, boolean>();
        for (const e of events) {
          today = nextSession(today);
          const ev: PromotionEvent =
            e.kind === "nominate"
              ? { kind: "nominate", version: String(++version), gates: gateReport(e.passed ? pass : failPbo), previousShadow: undefined, today }
              : e.kind === "day"
                ? { kind: "shadow_day", day: { session: today, challenger: e.challenger, champion: e.champion } }
                : { kind: "decide", today };
          if (ev.kind === "nominate") gatesOf.set(ev.version, ev.gates.passed);
          const step = promotionStep(state, ev, p);
          const passedHere = new Set(step.actions.flatMap((a) => (a.kind === "close_shadow" && a.outcome === "passed" ? [a.version] : [])));
          for (const action of step.actions) {
            if (action.kind === "set_alias" && action.alias === "champion") expect(passedHere.has(action.version)).toBe(true);
            if (action.kind === "set_alias") expect(gatesOf.get(action.version)).toBe(true);
          }
          expect(step.state.champion === undefined || step.state.champion !== step.state.challenger?.version).toBe(true);
          state = step.state;
        }
      }),
      { numRuns: 300 },
    );
  });
});
