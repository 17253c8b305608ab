import type { CliContext, CommandOptions } from "../context.ts";
import type { GroupSpec } from "../group.ts";
import type { PromotionContext } from "../../mlflow/promotion/operations.ts";
import type { OpenedLake } from "../open-lake.ts";

interface ModelsSession {
  readonly opened: OpenedLake;
  readonly context: PromotionContext;
  readonly close: () => Promise<void>;
}

/** Opens the configuration, the lake and MLflow (required: promotion lives in its registry). */
async function openModels(options: CommandOptions, ctx: CliContext): Promise<ModelsSession> {
  const { stringOption } = await import("../option-parsers.ts");
  const { openConfiguredLake } = await import("../open-lake.ts");
  const { requireMlflowConnection, createMlflowClient } = await import("../../mlflow/index.ts");
  const { ConfigError } = await import("../../domain/errors.ts");
  const model = stringOption(options, "model") ?? "equities_xs";
  const opened = await openConfiguredLake({ configDir: ctx.globals.configDir, env: ctx.env, envFile: ctx.globals.envFile, cwd: ctx.cwd, signal: ctx.signal });
  try {
    const training = opened.config.training[model];
    if (training === undefined) throw new ConfigError("unknown_model", `no configs/training/${model}.yml in ${opened.config.configDir}`);
    const client = createMlflowClient(requireMlflowConnection(opened.config.env, "model promotion"), { logger: ctx.logger });
    const context: PromotionContext = { client, model, policy: training.promotion_policy, signal: ctx.signal };
    return { opened, context, close: async () => { await client.close(); await opened.close(); } };
  } catch (error) {
    await opened.close();
    throw error;
  }
}

function day(ms: number | undefined): string {
  return ms === undefined ? "" : new Date(ms).toISOString().slice(0, 10);
}

async function listAction(_args: readonly string[], options: CommandOptions, ctx: CliContext): Promise<number> {
  const { modelStatus } = await import("../../mlflow/index.ts");
  const { textTable } = await import("../../domain/text-table.ts");
  const session = await openModels(options, ctx);
  try {
    const status = await modelStatus(session.context);
    if (options["json"] === true) {
      ctx.out(`${JSON.stringify(status.versions, null, 2)}\n`);
      return 0;
    }
    if (!status.exists) {
      ctx.out(`${status.registeredModel}: no version registered yet (run \`trademl trainer run\`)\n`);
      return 0;
    }
    ctx.out(textTable(["version", "created", "aliases", "gates", "shadow", "run"], status.versions.map((v) => [
      v.version, day(v.createdAt), v.aliases.join(",") || "-", v.gates,
      v.shadowStatus === undefined ? "-" : `${v.shadowStatus}${v.shadowStartedOn === undefined ? "" : ` since ${v.shadowStartedOn}`}`, v.runId,
    ])));
    return 0;
  } finally {
    await session.close();
  }
}

async function statusAction(_args: readonly string[], options: CommandOptions, ctx: CliContext): Promise<number> {
  const { modelStatus } = await import("../../mlflow/index.ts");
  const session = await openModels(options, ctx);
  try {
    const status = await modelStatus(session.context, { limit: 5 });
    if (options["json"] === true) {
      ctx.out(`${JSON.stringify(status, null, 2)}\n`);
      return 0;
    }
    const lines = [`${status.registeredModel} (shadow period: ${status.requiredShadowDays} sessions)`];
    lines.push(`  champion:   ${status.champion === undefined ? "none" : `version ${status.champion.version}${status.champion.promotedOn === undefined ? "" : ` (promoted ${status.champion.promotedOn})`}`}`);
    const challenger = status.challenger;
    if (challenger === undefined) lines.push("  challenger: none");
    else {
      const shadow = challenger.shadow;
      lines.push(`  challenger: version ${challenger.version}, gates ${challenger.gates}`);
      if (shadow !== undefined) {
        const v = shadow.verdict;
        const f = (x: number | null): string => (x === null ? "n/a" : x.toFixed(4));
        lines.push(`    shadow since ${shadow.startedOn} against ${shadow.against === undefined ? "no champion" : `version ${shadow.against}`}: ${v.days}/${v.required} sessions scored`);
        lines.push(`    mean score ${f(v.challengerMean)} (champion ${f(v.championMean)}, margin ${f(v.meanMargin)}): ${v.status} — ${v.reason}`);
      }
    }
    lines.push(`  versions:   ${status.versions.map((v) => `${v.version}${v.aliases.length > 0 ? `[${v.aliases.join(",")}]` : ""} ${v.gates}`).join(", ") || "none"}`);
    ctx.out(`${lines.join("\n")}\n`);
    return 0;
  } finally {
    await session.close();
  }
}

async function promoteAction(_args: readonly string[], options: CommandOptions, ctx: CliContext): Promise<number> {
  const { promoteIfDue } = await import("../../mlflow/index.ts");
  const { dateOption } = await import("../option-parsers.ts");
  const today = dateOption(options, "date");
  const session = await openModels(options, ctx);
  try {
    const outcome = await promoteIfDue(session.context, today === undefined ? {} : { today });
    ctx.out(`${JSON.stringify(outcome)}\n`);
    return 0;
  } finally {
    await session.close();
  }
}

async function shadowScoreAction(_args: readonly string[], options: CommandOptions, ctx: CliContext): Promise<number> {
  const { shadowScoreDay } = await import("../../mlflow/index.ts");
  const { dateOption } = await import("../option-parsers.ts");
  const { UsageError } = await import("../../domain/errors.ts");
  const { shadowScorer } = await import("../../train/shadow-scorer.ts");
  const { createLearnKernels } = await import("../../kernels/learn/index.ts");
  const { loadKernelModule } = await import("../../kernels/load.ts");
  const date = dateOption(options, "date");
  if (date === undefined) throw new UsageError("missing_option", "--date is required: the NYSE session to score (YYYY-MM-DD)");
  const session = await openModels(options, ctx);
  try {
    const training = session.opened.config.training[session.context.model];
    const { isCrossSectionTraining } = await import("../../config/schemas/training.ts");
    const { crossSectionDatasetOf } = await import("../../train/dataset-builders.ts");
    if (training === undefined || !isCrossSectionTraining(training)) {
      throw new UsageError("shadow_model_unsupported", `shadow scoring is built for the cross-sectional models (equities_xs, intraday_xs), not ${session.context.model}`);
    }
    const kernels = createLearnKernels(await loadKernelModule({ build: "release" }));
    const scorer = shadowScorer(session.opened.lake, session.context.client, training, kernels, crossSectionDatasetOf(session.context.model));
    const outcome = await shadowScoreDay(session.context, date, scorer);
    ctx.out(`${JSON.stringify(outcome)}\n`);
    return 0;
  } finally {
    await session.close();
  }
}

export const modelsCommand: GroupSpec = {
  name: "models",
  summary: "Registered models in MLflow: list, status (champion, challenger, shadow), promote, shadow-score",
  options: [
    { flags: "--model <name>", description: "model key (default equities_xs)" },
    { flags: "--date <YYYY-MM-DD>", description: "shadow-score: the session to score; promote: today's date (default: New York today)" },
    { flags: "--json", description: "list, status: print JSON" },
  ],
  examples: ["trademl models status", "trademl models shadow-score --date 2026-03-02", "trademl models promote"],
  actions: {
    list: { summary: "Every registered version, newest first, with gates and shadow", options: ["model", "json"], run: listAction },
    status: { summary: "Champion, challenger and shadow progress", options: ["model", "json"], run: statusAction },
    promote: { summary: "Promote the challenger when its shadow period is complete and passed (else nothing moves)", options: ["model", "date"], run: promoteAction },
    "shadow-score": { summary: "Score the champion's and challenger's live predictions for one session (idempotent)", options: ["model", "date"], run: shadowScoreAction },
  },
};
