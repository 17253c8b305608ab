import type { CliContext, CommandOptions } from "../context.ts";
import type { GroupSpec } from "../group.ts";

async function runAction(_args: readonly string[], options: CommandOptions, ctx: CliContext): Promise<number> {
  const { stringOption, optionalInteger } = await import("../option-parsers.ts");
  const model = stringOption(options, "model") ?? "equities_xs";
  const windowYears = optionalInteger(options, "windowYears", { min: 1, max: 50 });
  const { runTrainer } = await import("../../train/trainer-run.ts");
  const { openConfiguredLake } = await import("../open-lake.ts");
  const { mlflowConnectionFromEnv, createMlflowClient } = await import("../../mlflow/index.ts");
  const { packageVersion } = await import("../main.ts");
  const opened = await openConfiguredLake({ configDir: ctx.globals.configDir, env: ctx.env, envFile: ctx.globals.envFile, cwd: ctx.cwd, signal: ctx.signal });
  const connection = mlflowConnectionFromEnv(opened.config.env);
  const client = connection === undefined ? undefined : createMlflowClient(connection, { logger: ctx.logger });
  const started = Date.now();
  try {
    ctx.out(`trademl trainer run --model ${model} on ${opened.store.description}\n`);
    const report = await runTrainer({
      model,
      config: opened.config,
      lake: opened.lake,
      mlflow: client,
      ...(windowYears === undefined ? {} : { windowYears }),
      codeVersion: packageVersion(),
      progress: (line) => ctx.out(`${line}\n`),
      signal: ctx.signal,
    });
    const gates = report.outcome.gates.checks;
    const passed = gates.every((check) => check.passed);
    const summary = [
      "",
      `summary: ${model} ${report.outcome.selected.candidate.name} on ${report.rows} rows (${report.dates} dates × ${report.names} names) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      `  gates ${passed ? "PASSED" : "FAILED"}: ${gates.map((c) => `${c.name} ${c.value === null ? "n/a" : c.value.toFixed(3)} ${c.passed ? "ok" : "x"}`).join(", ")}`,
      report.mlflow === undefined
        ? "  not registered"
        : `  MLflow run ${report.mlflow.runId}, version ${report.mlflow.version}: ${report.mlflow.challenger === undefined ? "registered, not a challenger (gates failed)" : `challenger step: ${report.mlflow.challenger.kind}`}`,
      `  backtest tables: ${report.backtest.tables.daily}, ${report.backtest.tables.positions}`,
    ];
    ctx.out(`${summary.join("\n")}\n`);
    return 0;
  } finally {
    await client?.close();
    await opened.close();
  }
}

export const trainerCommand: GroupSpec = {
  name: "trainer",
  summary: "Windows trainer: GREEN data gate, dataset, CPCV, gates, backtest, MLflow, challenger registration",
  options: [
    { flags: "--model <name>", description: "equities_xs (default) | intraday_xs | options_vol (see configs/training/)" },
    { flags: "--window-years <n>", description: "GREEN window in years instead of backfill.yml's train_window_years (research lakes)" },
  ],
  examples: ["trademl trainer run", "trademl trainer run --model equities_xs --window-years 1", "trademl trainer run --model intraday_xs --window-years 1"],
  actions: {
    run: { summary: "Run one training cycle", options: ["model", "window-years"], run: runAction },
  },
};
