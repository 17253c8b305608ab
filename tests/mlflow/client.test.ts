// The MLflow REST client against the real tracking server the test services start: experiments, runs, batched
// params/metrics, proxied artifacts, the registry and its aliases, and how failures surface as AppErrors.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ConfigError, DataError, IoError } from "../../src/domain/errors.ts";
import {
  createModelVersion, createRun, deleteAlias, downloadArtifact, ensureExperiment, ensureRegisteredModel,
  findExperimentByName, findRegisteredModel, getMetricHistory, getModelVersion, getRegisteredModel, getRun, getVersionByAlias,
  listArtifacts, logBatch, MlflowRequestError, searchAllRuns, searchLiteral, searchModelVersions, searchRuns, setAlias,
  setModelVersionTag, setRunTag, terminateRun, uploadArtifact, type MlflowClient,
} from "../../src/mlflow/index.ts";
import { failure, uniqueName } from "./helpers.ts";
import { describeWithMlflow } from "../helpers/services.ts";
import { testServerClient } from "./test-server.ts";



describeWithMlflow("MLflow client (real tracking server)", () => {
  let client: MlflowClient;

  beforeAll(() => {
    client = testServerClient();
  });

  afterAll(async () => {
    await client.close();
  });

  it("finds or creates an experiment exactly once, even when three callers race", async () => {
    const name = uniqueName("exp");
    expect(await findExperimentByName(client, name)).toBeUndefined();
    const raced = await Promise.all([1, 2, 3].map(() => ensureExperiment(client, { name, tags: { owner: "trademl" } })));
    const ids = new Set(raced.map((e) => e.experimentId));
    expect(ids.size).toBe(1);
    const again = await ensureExperiment(client, { name });
    expect(again.experimentId).toBe(raced[0]?.experimentId);
    expect(again.artifactLocation).toMatch(/^mlflow-artifacts:/);
  });

  it("logs params, tags and 2 500 metric points (more than one log-batch allows) and reads every one back", async () => {
    const experiment = await ensureExperiment(client, { name: uniqueName("batch") });
    const run = await createRun(client, { experimentId: experiment.experimentId, runName: "batch", tags: { "trademl.model": "equities_xs" } });
    expect(run.info.status).toBe("RUNNING");
    const params = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`cfg.p${i}`, String(i)]));
    const tags = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`t${i}`, `v${i}`]));
    const metrics = Array.from({ length: 2_500 }, (_, step) => ({ key: "ic", value: Math.sin(step) / 10, step, timestamp: 1_700_000_000_000 + step }));
    metrics.push({ key: "nan_metric", value: Number.NaN, step: 0, timestamp: 1_700_000_000_000 });
    const requests = await logBatch(client, run.info.runId, { params, tags, metrics });
    // At most 100 params, 100 tags and 1 000 entities per call: 100+100+800, 50+20+930, 0+0+771.
    expect(requests).toBe(3);

    const history = await getMetricHistory(client, run.info.runId, "ic");
    expect(history).toHaveLength(2_500);
    const byStep = new Map(history.map((m) => [m.step, m.value]));
    for (const point of metrics.slice(0, 2_500)) expect(byStep.get(point.step)).toBe(point.value);
    const [nan] = await getMetricHistory(client, run.info.runId, "nan_metric");
    expect(nan?.value).toBeNaN();

    // Re-sending is harmless: no duplicate points, the same params accepted again.
    await logBatch(client, run.info.runId, { params, metrics: metrics.slice(0, 10) });
    expect(await getMetricHistory(client, run.info.runId, "ic")).toHaveLength(2_500);

    const fetched = await getRun(client, run.info.runId);
    expect(fetched.params).toEqual(params);
    expect(Object.keys(fetched.tags).filter((k) => /^t\d+$/.test(k))).toHaveLength(120);
    expect(fetched.tags["trademl.model"]).toBe("equities_xs");
    expect(fetched.metrics.find((m) => m.key === "ic")).toMatchObject({ step: 2_499 });

    // A changed param value is refused by MLflow, and the refusal names the endpoint and the error code.
    const changed = await failure(logBatch(client, run.info.runId, { params: { "cfg.p0": "changed" } }));
    expect(changed).toBeInstanceOf(DataError);
    expect(changed.message).toContain("/api/2.0/mlflow/runs/log-batch");
    expect(changed.message).toContain("INVALID_PARAMETER_VALUE");

    await setRunTag(client, run.info.runId, "trademl.stage", "done");
    const finished = await terminateRun(client, run.info.runId, "FINISHED", { endTime: 1_700_000_100_000 });
    expect(finished.status).toBe("FINISHED");
    expect(finished.endTime).toBe(1_700_000_100_000);

    const page = await searchRuns(client, {
      experimentIds: [experiment.experimentId],
      filter: `tags.\`trademl.stage\` = ${searchLiteral("done")}`,
    });
    expect(page.runs.map((r) => r.info.runId)).toEqual([run.info.runId]);
  });

  it("uploads artifacts through the proxy, lists them and downloads them back byte for byte", async () => {
    const experiment = await ensureExperiment(client, { name: uniqueName("artifacts") });
    const run = await createRun(client, { experimentId: experiment.experimentId });
    const model = randomBytes(300_000);
    const report = "fold,ic\n1,0.05\n2,0.04\n";
    await uploadArtifact(client, run.info.artifactUri, "model/ridge.bin", model);
    await uploadArtifact(client, run.info.artifactUri, "cpcv/report.csv", report);
    await uploadArtifact(client, run.info.artifactUri, "config.json", '{"model":"equities_xs"}');

    const root = await listArtifacts(client, run.info.artifactUri);
    expect(root.map((f) => [f.path, f.isDir]).sort()).toEqual([["config.json", false], ["cpcv", true], ["model", true]]);
    const modelDir = await listArtifacts(client, run.info.artifactUri, "model");
    expect(modelDir).toEqual([{ path: "model/ridge.bin", isDir: false, fileSize: model.length }]);
    expect(await listArtifacts(client, run.info.artifactUri, "absent")).toEqual([]);

    const back = await downloadArtifact(client, run.info.artifactUri, "model/ridge.bin");
    expect(Buffer.from(back).equals(model)).toBe(true);
    expect(new TextDecoder().decode(await downloadArtifact(client, run.info.artifactUri, "cpcv/report.csv"))).toBe(report);

    const missing = await failure(downloadArtifact(client, run.info.artifactUri, "model/none.bin"));
    expect(missing).toBeInstanceOf(MlflowRequestError);
    expect((missing as MlflowRequestError).code).toBe("mlflow_not_found");
    expect(await failure(uploadArtifact(client, run.info.artifactUri, "../escape.bin", "x"))).toBeInstanceOf(DataError);
  });

  it("registers a version from a run's artifacts, tags it and moves aliases between versions", async () => {
    const experiment = await ensureExperiment(client, { name: uniqueName("registry") });
    const name = uniqueName("model");
    const runs = await Promise.all([1, 2].map(() => createRun(client, { experimentId: experiment.experimentId })));
    const versions = [];
    for (const run of runs) {
      await uploadArtifact(client, run.info.artifactUri, "model/weights.bin", randomBytes(64));
      await ensureRegisteredModel(client, { name, description: "test model" });
      versions.push(
        await createModelVersion(client, { name, source: `${run.info.artifactUri}/model`, runId: run.info.runId, tags: { "trademl.gates.passed": "true" } }),
      );
    }
    expect(versions.map((v) => v.version)).toEqual(["1", "2"]);
    expect(versions[0]?.status).toBe("READY");
    expect(versions[0]?.tags).toEqual({ "trademl.gates.passed": "true" });

    await setModelVersionTag(client, name, "1", "note", "first");
    expect((await getModelVersion(client, name, "1")).tags["note"]).toBe("first");

    const found = await searchModelVersions(client, { filter: `name = ${searchLiteral(name)} and run_id = ${searchLiteral(runs[1]?.info.runId ?? "")}` });
    expect(found.modelVersions.map((v) => v.version)).toEqual(["2"]);
    const newestFirst = await searchModelVersions(client, { filter: `name = ${searchLiteral(name)}`, orderBy: ["version_number DESC"] });
    expect(newestFirst.modelVersions.map((v) => v.version)).toEqual(["2", "1"]);

    await setAlias(client, name, "champion", "1");
    await setAlias(client, name, "challenger", "2");
    expect((await getVersionByAlias(client, name, "champion")).version).toBe("1");
    expect((await getRegisteredModel(client, name)).aliases).toEqual({ champion: "1", challenger: "2" });

    // Moving an alias takes it off the version that held it.
    await setAlias(client, name, "champion", "2");
    expect((await getRegisteredModel(client, name)).aliases).toEqual({ champion: "2", challenger: "2" });
    expect((await getModelVersion(client, name, "1")).aliases).toEqual([]);

    await deleteAlias(client, name, "challenger");
    await deleteAlias(client, name, "challenger"); // absent: still fine
    expect((await getRegisteredModel(client, name)).aliases).toEqual({ champion: "2" });
    expect((await getModelVersion(client, name, "2")).aliases).toEqual(["champion"]);
    expect(await findRegisteredModel(client, uniqueName("absent"))).toBeUndefined();
  });

  it("maps a missing run, a bad alias and an unknown alias to DataErrors naming the endpoint and MLflow's code", async () => {
    const missingRun = await failure(getRun(client, "0123456789abcdef0123456789abcdef"));
    expect(missingRun).toBeInstanceOf(MlflowRequestError);
    expect(missingRun).toBeInstanceOf(DataError);
    expect((missingRun as MlflowRequestError).code).toBe("mlflow_not_found");
    expect(missingRun.message).toMatch(/^MLflow GET \/api\/2\.0\/mlflow\/runs\/get answered 404 RESOURCE_DOES_NOT_EXIST: Run .* not found/);

    const name = uniqueName("alias-errors");
    const experiment = await ensureExperiment(client, { name: uniqueName("alias-errors") });
    const run = await createRun(client, { experimentId: experiment.experimentId });
    await ensureRegisteredModel(client, { name });
    await createModelVersion(client, { name, source: `${run.info.artifactUri}/model`, runId: run.info.runId });

    for (const alias of ["v1", "latest", "bad alias!"]) {
      const bad = await failure(setAlias(client, name, alias, "1"));
      expect(bad).toBeInstanceOf(MlflowRequestError);
      expect((bad as MlflowRequestError).code).toBe("mlflow_bad_request");
      expect(bad.message).toContain("POST /api/2.0/mlflow/registered-models/alias answered 400 INVALID_PARAMETER_VALUE");
    }
    const unknown = await failure(getVersionByAlias(client, name, "champion"));
    expect(unknown).toBeInstanceOf(DataError);
    expect(unknown.message).toMatch(/INVALID_PARAMETER_VALUE: Registered model alias champion not found/);
    const noVersion = await failure(setAlias(client, name, "champion", "9"));
    expect((noVersion as MlflowRequestError).code).toBe("mlflow_not_found");

    const missingModel = await failure(getRegisteredModel(client, uniqueName("nope")));
    expect((missingModel as MlflowRequestError).facts).toMatchObject({ status: 404, errorCode: "RESOURCE_DOES_NOT_EXIST" });

    // Nothing here is a transport failure or a configuration problem.
    for (const error of [missingRun, unknown, noVersion, missingModel]) {
      expect(error).not.toBeInstanceOf(IoError);
      expect(error).not.toBeInstanceOf(ConfigError);
    }
  });

  it("reads every run of an experiment page by page, and refuses more than its limit", async () => {
    const experiment = await ensureExperiment(client, { name: uniqueName("pages") });
    for (let i = 0; i < 5; i++) await createRun(client, { experimentId: experiment.experimentId, runName: `trial-${i}` });
    const all = await searchAllRuns(client, { experimentIds: [experiment.experimentId], maxResults: 2 });
    expect(all.map((r) => r.info.runName).sort()).toEqual(["trial-0", "trial-1", "trial-2", "trial-3", "trial-4"]);
    const capped = await failure(searchAllRuns(client, { experimentIds: [experiment.experimentId], maxResults: 2 }, { limit: 3 }));
    expect(capped).toBeInstanceOf(DataError);
  });
});
