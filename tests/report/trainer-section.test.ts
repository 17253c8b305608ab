/**
 * The report's trainer section against the real MLflow server of the test services: a model of configs/training/
 * with one trained version (gates, a `calibration.json` artifact) made challenger shows its registration date, its
 * gate checks, the challenger's shadow and a reliability diagram; a configured model with no version says so.
 */
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import {
  createRun, ensureExperiment, registerVersion, registryNames, setChallenger, terminateRun, uploadArtifact, type GateCheck, type MlflowClient,
} from "../../src/mlflow/index.ts";
import { buildDailyReport, type DailyReport } from "../../src/report/index.ts";
import { trainerResultsSection } from "../../src/report/sections/index.ts";
import { calibrationReport } from "../../src/validate/calibration.ts";
import { describeWithMlflow, mlflowService } from "../helpers/services.ts";
import { testServerClient } from "../mlflow/test-server.ts";
import { CONFIGS } from "./fixture.ts";

const gates: GateCheck[] = [
  { name: "net_sharpe", value: 1.3, bar: 1, direction: "min", passed: true },
  { name: "pbo", value: 0.02, bar: 0.05, direction: "max", passed: true },
];

describeWithMlflow("daily report: trainer results from MLflow", () => {
  let client: MlflowClient;
  let dir = "";
  let store: LocalStore;
  let report: DailyReport;
  const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const model = `rpt_${suffix}`;
  const unregistered = `rpt_none_${suffix}`;
  const today = new Date().toISOString().slice(0, 10);

  beforeAll(async () => {
    client = testServerClient();
    dir = await mkdtemp(join(tmpdir(), "trademl-report-mlflow-"));
    await mkdir(join(dir, "configs", "training"), { recursive: true });
    // The shipped equities_xs.yml under two new model names, with a 3-session shadow.
    const shipped = (await readFile(join(CONFIGS, "training", "equities_xs.yml"), "utf8")).replace(/require_shadow_days: \d+/, "require_shadow_days: 3");
    expect(shipped).toContain("require_shadow_days: 3");
    await writeFile(join(dir, "configs", "training", `${model}.yml`), shipped);
    await writeFile(join(dir, "configs", "training", `${unregistered}.yml`), shipped);
    const trackingUri = mlflowService()?.trackingUri ?? "";
    const config = await loadConfig({ configDir: join(dir, "configs"), env: { MLFLOW_TRACKING_URI: trackingUri, LAKE_ROOT: join(dir, "lake") }, envFile: false });

    // What the trainer does: a run with the model's files and its calibration report, registered with its gates.
    const experiment = await ensureExperiment(client, { name: registryNames(model).trainingExperiment });
    const run = await createRun(client, { experimentId: experiment.experimentId });
    await uploadArtifact(client, run.info.artifactUri, "model/weights.bin", randomBytes(64));
    const y = Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const p = Array.from({ length: 200 }, (_, i) => ((i * 37) % 100) / 100);
    await uploadArtifact(client, run.info.artifactUri, "calibration.json", new TextEncoder().encode(JSON.stringify(calibrationReport(y, p, 10))));
    await terminateRun(client, run.info.runId, "FINISHED");
    const ctx = { client, model, policy: { require_shadow_days: 3 } };
    await registerVersion(ctx, { runId: run.info.runId, gates });
    await setChallenger(ctx, "1");

    store = new LocalStore({ root: join(dir, "lake") });
    report = await buildDailyReport({ store, date: today, config, sections: [trainerResultsSection] });
  }, 180_000);

  afterAll(async () => {
    await client?.close();
    await store?.close();
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  it("shows the version with its date, gates, challenger shadow and reliability diagram", () => {
    expect(report.sections).toEqual([{ id: "trainer", title: "Latest trainer results", state: "ok" }]);
    const html = report.html;
    const block = html.slice(html.indexOf(`<h3>${model} `), html.indexOf(`<h3>${unregistered} `) > html.indexOf(`<h3>${model} `) ? html.indexOf(`<h3>${unregistered} `) : undefined);
    expect(block).toContain(`challenger v1 in shadow since`);
    expect(block).toContain("0 of 3 sessions scored");
    expect(block).toContain(`<td>v1</td><td>${today}</td>`);
    expect(block).toMatch(/<td>net_sharpe<\/td><td>1.3<\/td><td>min 1<\/td>/);
    expect(block).toContain(`Reliability diagram of ${model} v1 (registered ${today})`);
    expect(block).toMatch(/<svg role="img" aria-label="Reliability diagram/);
  });

  it("says so for a configured model with no registered version", () => {
    const block = report.html.slice(report.html.indexOf(`<h3>${unregistered} `));
    expect(block).toMatch(/^<h3>[^<]+<small>[^<]+<\/small><\/h3><p>No version registered yet\.<\/p>/);
  });
});
