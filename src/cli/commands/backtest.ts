/**
 * `trademl backtest options --config configs/backtest/options.yml`: runs the options backtester on the configured
 * lake, writes the run's tables under backtests/options/<run_id>/ (unless the same run is there already) and prints
 * its summary. The equities backtester runs inside `trademl trainer run`; it may join this group later.
 */
import type { CliContext, CommandOptions } from "../context.ts";
import type { GroupSpec } from "../group.ts";
import { jsonText } from "../json.ts";
import { enumOption, stringOption } from "../option-parsers.ts";
import { textTable } from "../../domain/text-table.ts";

async function options(_args: readonly string[], flags: CommandOptions, ctx: CliContext): Promise<number> {
  const { resolve, join } = await import("node:path");
  const { stat } = await import("node:fs/promises");
  const { IoError } = await import("../../domain/errors.ts");
  const format = enumOption(flags, "format", ["table", "json"], "table");
  const file = resolve(ctx.cwd, stringOption(flags, "config") ?? join(ctx.globals.configDir, "backtest", "options.yml"));
  const found = await stat(file).then((s) => s.isFile(), () => false);
  if (!found) throw new IoError("backtest_config_missing", `backtest config ${file} not found: pass --config FILE (an example is configs/backtest/options.yml)`);
  const { loadConfigFile } = await import("../../config/load.ts");
  const { optionsBacktestSchema } = await import("../../config/schemas/options-backtest.ts");
  const config = await loadConfigFile(file, optionsBacktestSchema, { cwd: ctx.cwd });
  const { openConfiguredLake } = await import("../open-lake.ts");
  const { runOptionsBacktest } = await import("../../backtest/options/index.ts");
  const { packageVersion } = await import("../main.ts");
  const opened = await openConfiguredLake({ configDir: ctx.globals.configDir, env: ctx.env, envFile: ctx.globals.envFile, cwd: ctx.cwd, signal: ctx.signal });
  try {
    const run = await runOptionsBacktest({ lake: opened.lake, config, borrow: opened.config.borrow, codeVersion: packageVersion() });
    const s = run.result.summary;
    const first = run.result.daily[0]?.date ?? "-";
    const last = run.result.daily.at(-1)?.date ?? "-";
    if (format === "json") {
      ctx.out(jsonText({ runId: run.runId, written: run.written, tables: run.tables, snapshot: run.snapshot, first, last, skipped: run.result.skipped, summary: s }));
      return 0;
    }
    const money = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : "-");
    const pct = (v: number): string => (Number.isFinite(v) ? `${(v * 100).toFixed(2)}%` : "-");
    const num = (v: number, digits: number): string => (Number.isFinite(v) ? v.toFixed(digits) : "-");
    ctx.out(`options backtest ${run.runId}: ${config.strategy} on ${config.underlier}, ${first} … ${last} (${s.days} sessions, ${s.positions} positions` +
      `${run.result.skipped.length > 0 ? `, ${run.result.skipped.length} entries skipped` : ""}${s.carriedSteps > 0 ? `, ${s.carriedSteps} sessions at carried marks` : ""})\n`);
    ctx.out(textTable(["measure", "value"], [
      ["return", pct(s.netReturn)],
      ["pnl", money(s.totalPnl)],
      ["sharpe (annualised)", num(s.netSharpe, 2)],
      ["max drawdown", pct(s.maxDrawdown)],
      ["hedging cost (stock costs + borrow)", money(s.hedgingCost)],
      ["option costs", money(s.optionCost)],
      ["financing", money(s.financing)],
      ["hedge turnover (notional / capital)", num(s.hedgeTurnover, 2)],
      ["option turnover (premium / capital)", num(s.optionTurnover, 2)],
    ]));
    ctx.out(run.written
      ? `wrote ${Object.values(run.tables).join(", ")}\n`
      : `this run (same config, same lake snapshot, same code) is already in the lake: nothing written\n`);
    ctx.out(`query it: trademl sql -c "select * from backtests_options_daily where run_id = '${run.runId}' order by date"\n`);
    return 0;
  } finally {
    await opened.close();
  }
}

export const backtestCommand: GroupSpec = {
  name: "backtest",
  summary: "Backtests over the lake, written as tables under backtests/: options strategies marked on the SVI surfaces",
  options: [
    { flags: "--config <file>", description: "options: the backtest config (default <config-dir>/backtest/options.yml)" },
    { flags: "--format <format>", description: "table (default) or json" },
  ],
  actions: {
    options: { summary: "Backtest an option strategy: daily SVI marks, delta hedging, costs, borrow; prints its summary", options: ["config", "format"], run: options },
  },
  examples: ["trademl backtest options --config configs/backtest/options.yml"],
};
