// Champion/challenger promotion end to end against the real MLflow server the test services start: every
// trained version registered, only a gate-passing one made challenger, a simulated 20-session shadow period
// promoting it, a failed challenger left unpromoted with its shadow recorded, a superseded one, and repairs.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataError } from "../../src/domain/errors.ts";
import {
  createRun, ensureExperiment, getMetricHistory, getModelVersion, getRegisteredModel, getRun, logBatch,
  MlflowRequestError, modelStatus, PROMOTION_TAGS as TAG, promoteIfDue, recordShadowDay, registerVersion, registryNames, setAlias,
  setChallenger, shadowScoreDay, terminateRun, uploadArtifact, type GateCheck, type MlflowClient, type PromotionContext,
  type ShadowScores, type ShadowTarget,
} from "../../src/mlflow/index.ts";
import { failure, sessionsAfter } from "./helpers.ts";
import { describeWithMlflow } from "../helpers/services.ts";
import { testServerClient } from "./test-server.ts";

const policy = { require_shadow_days: 20 };
const passing: GateCheck[] = [
  { name: "net_sharpe", value: 1.3, bar: 1, direction: "min", passed: true },
  { name: "dsr", value: 0.4, bar: 0, direction: "min", passed: true },
  { name: "pbo", value: 0.02, bar: 0.05, direction: "max", passed: true },
];
const failing: GateCheck[] = [passing[0] as GateCheck, { name: "pbo", value: 0.4, bar: 0.05, direction: "max", passed: false }];



describeWithMlflow("promotion on a real MLflow registry", () => {
  let client: MlflowClient;

  beforeAll(() => {
    client = testServerClient();
  });

  afterAll(async () => {
    await client.close();
  });

  function context(): PromotionContext {
    return { client, model: `promo_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`, policy };
  }

  /** What the trainer does before registering: a run with params and the model's file in its artifacts. */
  async function trainingRun(ctx: PromotionContext, weights: Uint8Array = randomBytes(128)): Promise<string> {
    const experiment = await ensureExperiment(client, { name: registryNames(ctx.model).trainingExperiment });
    const run = await createRun(client, { experimentId: experiment.experimentId, tags: { [TAG.model]: ctx.model } });
    await logBatch(client, run.info.runId, { params: { "cpcv.folds": "8" }, metrics: [{ key: "net_sharpe", value: 1.3 }] });
    await uploadArtifact(client, run.info.artifactUri, "model/weights.bin", weights);
    await terminateRun(client, run.info.runId, "FINISHED");
    return run.info.runId;
  }

  /** A scorer standing in for the trainer's: fixed daily scores, counting its calls. */
  function scorer(score: (session: string) => ShadowScores): { calls: ShadowTarget[]; score: (t: ShadowTarget) => Promise<ShadowScores> } {
    const calls: ShadowTarget[] = [];
    return { calls, score: (target) => (calls.push(target), Promise.resolve(score(target.session))) };
  }

  describe("a model's life: register, shadow 20 sessions, promote; a failing challenger; a failed shadow", () => {
    let ctx: PromotionContext;
    let names: ReturnType<typeof registryNames>;
    beforeAll(() => {
      ctx = context();
      names = registryNames(ctx.model);
    });

    it("registers every trained version idempotently, with its gate results as tags", async () => {
      const runId = await trainingRun(ctx);
      const first = await registerVersion(ctx, { runId, gates: passing });
      expect(first).toMatchObject({ created: true, gates: { passed: true } });
      expect(first.version.version).toBe("1");
      expect(first.version.source).toMatch(/^mlflow-artifacts:\/.*\/artifacts\/model$/);
      const again = await registerVersion(ctx, { runId, gates: passing });
      expect(again.created).toBe(false);
      expect(again.version.version).toBe("1");
      const stored = await getModelVersion(client, names.registeredModel, "1");
      expect(stored.tags[TAG.gatesPassed]).toBe("true");
      expect(JSON.parse(stored.tags[TAG.gates] ?? "[]")).toEqual(passing);
    });

    it("makes the passing version the challenger and opens its shadow record", async () => {
      expect(await setChallenger(ctx, "1", { today: "2026-03-02" })).toEqual({ kind: "challenger_set", version: "1", superseded: undefined });
      expect(await setChallenger(ctx, "1", { today: "2026-03-03" })).toEqual({ kind: "already_challenger", version: "1" });
      expect((await getRegisteredModel(client, names.registeredModel)).aliases).toEqual({ challenger: "1" });
      const version = await getModelVersion(client, names.registeredModel, "1");
      expect(version.tags[TAG.shadowStatus]).toBe("running");
      const run = await getRun(client, version.tags[TAG.shadowRunId] ?? "");
      expect(run.info.status).toBe("RUNNING");
      expect(run.tags).toMatchObject({ [TAG.version]: "1", [TAG.against]: "none", [TAG.shadowStartedOn]: "2026-03-02", [TAG.requiredDays]: "20" });
      expect(await promoteIfDue(ctx, { today: "2026-03-02" })).toMatchObject({ kind: "shadow_running" });
    });

    it("scores 20 sessions once each (a repeated day asks nothing and records nothing), then promotes", async () => {
      const sessions = sessionsAfter("2026-03-02", 21);
      const daily = scorer((session) => ({ challenger: 0.02 + (sessions.indexOf(session) % 4) * 0.01, champion: null }));
      for (const session of sessions.slice(0, 10)) expect((await shadowScoreDay(ctx, session, daily.score)).kind).toBe("day_recorded");
      expect(await shadowScoreDay(ctx, sessions[3] ?? "", daily.score)).toMatchObject({ kind: "day_already_recorded", days: 10 });
      expect(daily.calls).toHaveLength(10);
      expect(daily.calls[0]).toMatchObject({ session: sessions[0], champion: undefined, challenger: { version: "1" } });

      const midway = await modelStatus(ctx);
      expect(midway.challenger?.shadow?.days).toHaveLength(10);
      expect(midway.challenger?.shadow?.verdict).toMatchObject({ status: "running", days: 10, required: 20 });
      expect(await promoteIfDue(ctx, { today: sessions[9] ?? "" })).toMatchObject({ kind: "shadow_running" });

      for (const session of sessions.slice(10, 20)) await shadowScoreDay(ctx, session, daily.score);
      expect(await shadowScoreDay(ctx, sessions[20] ?? "", daily.score)).toMatchObject({ kind: "shadow_complete", days: 20 });
      expect(daily.calls).toHaveLength(20);

      const promoted = await promoteIfDue(ctx, { today: sessions[20] ?? "" });
      // scores cycle 0.02, 0.03, 0.04, 0.05 over 20 sessions: mean 0.035
      expect(promoted).toMatchObject({ kind: "promoted", version: "1", previous: undefined });
      if (promoted.kind === "promoted") expect(promoted.verdict.challengerMean).toBeCloseTo(0.035, 12);
      expect((await getRegisteredModel(client, names.registeredModel)).aliases).toEqual({ champion: "1" });
      expect(await promoteIfDue(ctx, { today: sessions[20] ?? "" })).toEqual({ kind: "no_challenger" });

      const version = await getModelVersion(client, names.registeredModel, "1");
      expect(version.tags).toMatchObject({ [TAG.shadowStatus]: "passed", [TAG.promotedOn]: sessions[20] });
      const record = await getRun(client, version.tags[TAG.shadowRunId] ?? "");
      expect(record.info.status).toBe("FINISHED");
      expect(Object.keys(record.tags).filter((k) => k.startsWith("trademl.session."))).toHaveLength(20);
      const chart = await getMetricHistory(client, record.info.runId, "shadow.challenger");
      expect(chart.map((m) => m.step).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    });

    it("registers a version that failed its gates but never makes it challenger", async () => {
      const registered = await registerVersion(ctx, { runId: await trainingRun(ctx), gates: failing });
      expect(registered).toMatchObject({ created: true, gates: { passed: false } });
      expect(registered.version.version).toBe("2");
      const outcome = await setChallenger(ctx, "2", { today: "2026-04-01" });
      expect(outcome).toEqual({ kind: "rejected", version: "2", reason: "it failed the gates: pbo=0.4 (max 0.05)" });
      expect((await getRegisteredModel(client, names.registeredModel)).aliases).toEqual({ champion: "1" });
    });

    it("records a challenger whose shadow trails the champion as failed, and leaves it unpromoted for good", async () => {
      await registerVersion(ctx, { runId: await trainingRun(ctx), gates: passing });
      expect(await setChallenger(ctx, "3", { today: "2026-04-01" })).toMatchObject({ kind: "challenger_set", version: "3" });
      const sessions = sessionsAfter("2026-04-01", 20);
      for (const session of sessions) {
        // Through recordShadowDay this time: the scores as the scoring step would hand them over.
        await recordShadowDay(ctx, { session, challenger: 0.01, champion: 0.03 });
      }
      const decided = await promoteIfDue(ctx, { today: sessions[19] ?? "" });
      expect(decided).toMatchObject({ kind: "shadow_failed", version: "3" });
      expect((await getRegisteredModel(client, names.registeredModel)).aliases).toEqual({ champion: "1" });

      const version = await getModelVersion(client, names.registeredModel, "3");
      expect(version.tags[TAG.shadowStatus]).toBe("failed");
      const verdict: unknown = JSON.parse(version.tags[TAG.shadowVerdict] ?? "{}");
      expect(verdict).toMatchObject({ status: "failed", days: 20, required: 20 });
      expect((verdict as { challengerMean: number }).challengerMean).toBeCloseTo(0.01, 12);
      const record = await getRun(client, version.tags[TAG.shadowRunId] ?? "");
      expect(record.info.status).toBe("FAILED");
      expect(record.tags).toMatchObject({ [TAG.shadowStatus]: "failed", [TAG.against]: "1" });
      const margins = await getMetricHistory(client, record.info.runId, "shadow.margin");
      expect(margins).toHaveLength(20);
      for (const margin of margins) expect(margin.value).toBeCloseTo(-0.02, 12);

      expect(await setChallenger(ctx, "3", { today: "2026-05-01" })).toEqual({ kind: "rejected", version: "3", reason: "its shadow period already failed" });
    });

    it("shows champion, challenger and every version's history in the status", async () => {
      const status = await modelStatus(ctx);
      expect(status).toMatchObject({ exists: true, requiredShadowDays: 20, challenger: undefined });
      expect(status.champion).toMatchObject({ version: "1", gates: "passed", shadowStatus: "passed", aliases: ["champion"] });
      expect(status.versions.map((v) => [v.version, v.gates, v.shadowStatus ?? "-"])).toEqual([
        ["3", "passed", "failed"],
        ["2", "failed", "-"],
        ["1", "passed", "passed"],
      ]);
      expect(status.versions[0]?.shadowVerdict?.reason).toMatch(/trails the champion/);
    });
  });

  it("supersedes a challenger still in shadow with a newer passing version, keeping the old trial on record", async () => {
    const ctx = context();
    const names = registryNames(ctx.model);
    for (let i = 0; i < 2; i++) await registerVersion(ctx, { runId: await trainingRun(ctx), gates: passing });
    await setChallenger(ctx, "1", { today: "2026-03-02" });
    for (const session of sessionsAfter("2026-03-02", 3)) await recordShadowDay(ctx, { session, challenger: 0.05, champion: null });
    expect(await setChallenger(ctx, "2", { today: "2026-03-05" })).toEqual({ kind: "challenger_set", version: "2", superseded: "1" });
    expect((await getRegisteredModel(client, names.registeredModel)).aliases).toEqual({ challenger: "2" });
    const old = await getModelVersion(client, names.registeredModel, "1");
    expect(old.tags[TAG.shadowStatus]).toBe("superseded");
    const record = await getRun(client, old.tags[TAG.shadowRunId] ?? "");
    expect(record.info.status).toBe("KILLED");
    expect(Object.keys(record.tags).filter((k) => k.startsWith("trademl.session."))).toHaveLength(3);
  });

  it("promotes at once when the policy asks for no shadow sessions", async () => {
    const ctx = { ...context(), policy: { require_shadow_days: 0 } };
    await registerVersion(ctx, { runId: await trainingRun(ctx), gates: passing });
    expect(await setChallenger(ctx, "1", { today: "2026-03-02" })).toEqual({ kind: "promoted_at_once", version: "1", previous: undefined });
    expect((await getRegisteredModel(client, registryNames(ctx.model).registeredModel)).aliases).toEqual({ champion: "1" });
  });

  it("finishes a promotion a crash left half done, and adopts a challenger alias set by hand", async () => {
    const ctx = context();
    const names = registryNames(ctx.model);
    for (let i = 0; i < 2; i++) await registerVersion(ctx, { runId: await trainingRun(ctx), gates: passing });
    await setChallenger(ctx, "1", { today: "2026-03-02" });
    // The crash: the champion alias moved, the challenger alias was never removed.
    await setAlias(client, names.registeredModel, "champion", "1");
    expect(await promoteIfDue(ctx, { today: "2026-03-03" })).toEqual({ kind: "promotion_completed", version: "1" });
    expect((await getRegisteredModel(client, names.registeredModel)).aliases).toEqual({ champion: "1" });

    await setAlias(client, names.registeredModel, "challenger", "2");
    const refused = await failure(recordShadowDay(ctx, { session: "2026-03-04", challenger: 0.1, champion: 0.1 }));
    expect(refused).toBeInstanceOf(DataError);
    expect(refused.message).toMatch(/no shadow record/);
    expect(await setChallenger(ctx, "2", { today: "2026-03-03" })).toEqual({ kind: "challenger_set", version: "2", superseded: undefined });
    expect(await recordShadowDay(ctx, { session: "2026-03-04", challenger: 0.1, champion: 0.1 })).toMatchObject({ kind: "day_recorded", days: 1 });
  });

  it("refuses what cannot be right, with DataErrors, and registers nothing", async () => {
    const ctx = context();
    const names = registryNames(ctx.model);
    const experiment = await ensureExperiment(client, { name: names.trainingExperiment });
    const empty = await createRun(client, { experimentId: experiment.experimentId });
    const noModel = await failure(registerVersion(ctx, { runId: empty.info.runId, gates: passing }));
    expect(noModel).toBeInstanceOf(DataError);
    expect(noModel.message).toMatch(/no artifacts under model\//);
    expect((await modelStatus(ctx)).exists).toBe(false);

    const missingRun = await failure(registerVersion(ctx, { runId: "0123456789abcdef0123456789abcdef", gates: passing }));
    expect((missingRun as MlflowRequestError).code).toBe("mlflow_not_found");
    const badGates = await failure(registerVersion(ctx, { runId: empty.info.runId, gates: [{ name: "x" } as unknown as GateCheck] }));
    expect(badGates).toBeInstanceOf(DataError);

    await registerVersion(ctx, { runId: await trainingRun(ctx), gates: passing });
    await setChallenger(ctx, "1", { today: "2026-03-02" });
    expect(await failure(recordShadowDay(ctx, { session: "2026-03-07", challenger: 0.1, champion: null }))).toBeInstanceOf(DataError);
    expect(await failure(recordShadowDay(ctx, { session: "2026-03-02", challenger: 0.1, champion: null }))).toBeInstanceOf(DataError);
    expect(await failure(setChallenger(ctx, "9"))).toBeInstanceOf(MlflowRequestError);
    expect(() => registryNames("Bad-Name")).toThrow(DataError);
  });
});
