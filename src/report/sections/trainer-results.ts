/**
 * The latest trainer results, read from MLflow when one is configured (MLFLOW_TRACKING_URI): per model of
 * configs/training/, the champion and the challenger with its shadow progress (`modelStatus`), the newest
 * versions with their registration date, gates and promotions, the gate checks of the newest version, and its
 * reliability diagram when its training run logged the calibration report as the artifact `calibration.json`
 * (the shape of src/validate/calibration.ts `CalibrationReport`). Training runs on the trainer, not in the node's
 * DAG, so every result carries its own date.
 */
import { z } from "zod";
import { getModelVersion } from "../../mlflow/model-versions.ts";
import { downloadArtifact } from "../../mlflow/artifacts.ts";
import { MlflowRequestError } from "../../mlflow/errors.ts";
import { modelStatus, type ModelStatus, type VersionSummary } from "../../mlflow/promotion/model-status.ts";
import { gatesOf } from "../../mlflow/promotion/registry-state.ts";
import { registryNames } from "../../mlflow/promotion/registry-names.ts";
import { getRun } from "../../mlflow/runs.ts";
import type { MlflowClient } from "../../mlflow/client.ts";
import type { CalibrationReport } from "../../validate/calibration.ts";
import { reliabilitySpec } from "../../validate/reliability-plot.ts";
import { VEGA_LITE_SCHEMA, chartFigure } from "../figures.ts";
import { badge, escapeHtml, htmlTable, paragraph } from "../html.ts";
import type { ReportContext } from "../report-context.ts";
import { noDataYet, sectionHtml, type ReportSection, type SectionBody } from "../section.ts";

/** The artifact of a training run the report draws the reliability diagram from. */
export const CALIBRATION_ARTIFACT = "calibration.json";
/** Versions listed per model, newest first. */
const LISTED_VERSIONS = 5;
const calibrationSchema = z.object({
  n: z.number(),
  brier: z.number(),
  logLoss: z.number(),
  ece: z.number(),
  bins: z.array(z.object({ lower: z.number(), upper: z.number(), count: z.number(), meanPredicted: z.number(), fractionPositive: z.number() })),
});

function dateOf(ms: number | undefined): string {
  return ms === undefined ? "–" : new Date(ms).toISOString().slice(0, 10);
}

function gatesBadge(gates: VersionSummary["gates"]): { html: string } {
  return badge(gates, gates === "passed" ? "good" : gates === "failed" ? "bad" : "neutral");
}

/** The models of configs/training/ and their required shadow sessions (none without a configuration). */
function modelsOf(context: ReportContext): Readonly<Record<string, number>> {
  return Object.fromEntries(Object.entries(context.config?.training ?? {}).map(([model, config]) => [model, config.promotion_policy.require_shadow_days]));
}

/** The newest version's calibration report, undefined when its run logged none. */
async function calibrationOf(client: MlflowClient, runId: string, signal: AbortSignal | undefined): Promise<CalibrationReport | undefined> {
  if (runId === "") return undefined;
  const call = signal === undefined ? {} : { signal };
  try {
    const run = await getRun(client, runId, call);
    const bytes = await downloadArtifact(client, run.info.artifactUri, CALIBRATION_ARTIFACT, call);
    const parsed = calibrationSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
    return parsed.success ? parsed.data : undefined;
  } catch (error) {
    if (error instanceof MlflowRequestError && error.code === "mlflow_not_found") return undefined;
    throw error;
  }
}

async function modelHtml(client: MlflowClient, status: ModelStatus, signal: AbortSignal | undefined): Promise<string> {
  const title = `<h3>${escapeHtml(status.model)} <small>(${escapeHtml(status.registeredModel)})</small></h3>`;
  if (!status.exists) return `${title}${paragraph("No version registered yet.")}`;
  const champion = status.champion === undefined
    ? "no champion yet"
    : `champion v${status.champion.version}${status.champion.promotedOn === undefined ? "" : `, promoted on ${status.champion.promotedOn}`}`;
  const shadow = status.challenger?.shadow;
  const challenger = status.challenger === undefined
    ? "no challenger in shadow"
    : `challenger v${status.challenger.version} in shadow since ${status.challenger.shadowStartedOn ?? "?"}: ${shadow === undefined ? "no session scored" : `${shadow.verdict.days} of ${shadow.verdict.required} sessions scored, ${shadow.verdict.status} (${shadow.verdict.reason})`}`;
  const versions = htmlTable(
    ["version", "registered", "aliases", "gates", "shadow", "promoted", "retired"],
    status.versions.slice(0, LISTED_VERSIONS).map((v) => [
      `v${v.version}`, dateOf(v.createdAt), v.aliases.join(", "), gatesBadge(v.gates),
      v.shadowStatus === undefined ? null : `${v.shadowStatus}${v.shadowStartedOn === undefined ? "" : ` since ${v.shadowStartedOn}`}${v.shadowClosedOn === undefined ? "" : ` until ${v.shadowClosedOn}`}`,
      v.promotedOn, v.retiredOn,
    ]),
    { caption: "Newest versions" },
  );
  const parts = [title, paragraph(`${champion}; ${challenger}.`), versions];
  const newest = status.versions[0];
  if (newest !== undefined) {
    const version = await getModelVersion(client, status.registeredModel, newest.version, signal === undefined ? {} : { signal });
    const gates = gatesOf(version);
    if (gates.checks.length > 0) {
      parts.push(htmlTable(
        ["gate", "value", "bar", "passed"],
        gates.checks.map((c) => [c.name, c.value === null ? "n/a" : String(c.value), `${c.direction} ${c.bar}`, badge(c.passed ? "passed" : "failed", c.passed ? "good" : "bad")]),
        { caption: `Gates of v${newest.version} (registered ${dateOf(newest.createdAt)})` },
      ));
    }
    const calibration = await calibrationOf(client, newest.runId, signal);
    parts.push(calibration === undefined
      ? paragraph(`v${newest.version}'s training run has no ${CALIBRATION_ARTIFACT} artifact, so no reliability diagram.`)
      : await chartFigure(reliabilitySpec(calibration, `${status.model} v${newest.version} reliability`), `Reliability diagram of ${status.model} v${newest.version} (registered ${dateOf(newest.createdAt)})`));
  }
  if (shadow !== undefined && shadow.days.length > 0) {
    const points = shadow.days.flatMap((day) => [
      { session: day.session, model: "challenger", score: day.challenger },
      ...(day.champion === null || day.champion === undefined ? [] : [{ session: day.session, model: "champion", score: day.champion }]),
    ]);
    parts.push(await chartFigure(
      {
        $schema: VEGA_LITE_SCHEMA,
        width: 420,
        height: 160,
        data: { values: points },
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "session", type: "temporal", timeUnit: "utcyearmonthdate", title: null, axis: { format: "%Y-%m-%d", labelAngle: -30 } },
          y: { field: "score", type: "quantitative", title: "daily score" },
          color: { field: "model", type: "nominal", title: null },
        },
      },
      `Shadow scores of ${status.model} v${status.challenger?.version ?? "?"} against the champion`,
    ));
  }
  return parts.join("\n");
}

export const trainerResultsSection: ReportSection = {
  id: "trainer",
  title: "Latest trainer results",
  async build(context): Promise<SectionBody> {
    const client = context.mlflow;
    if (client === undefined) {
      return noDataYet("MLflow is not configured here (set MLFLOW_TRACKING_URI): the trainer records its runs, gates and promotions there");
    }
    const models = modelsOf(context);
    if (Object.keys(models).length === 0) {
      return noDataYet("no model is configured (configs/training/<model>.yml names the models the trainer trains and this section looks up)");
    }
    const statuses: ModelStatus[] = [];
    for (const [model, requireShadowDays] of Object.entries(models)) {
      statuses.push(await modelStatus({ client, model, policy: { require_shadow_days: requireShadowDays }, ...(context.signal === undefined ? {} : { signal: context.signal }) }, { limit: LISTED_VERSIONS }));
    }
    if (statuses.every((status) => !status.exists)) {
      return noDataYet(`no model is registered in MLflow at ${client.trackingUri} yet (looked for ${Object.keys(models).map((m) => registryNames(m).registeredModel).join(", ")}): \`trademl trainer run\` registers them`);
    }
    const blocks: string[] = [];
    for (const status of statuses) blocks.push(await modelHtml(client, status, context.signal));
    return sectionHtml(`${paragraph(`From MLflow at ${client.trackingUri}, read when this report was built.`)}${blocks.join("\n")}`);
  },
};
