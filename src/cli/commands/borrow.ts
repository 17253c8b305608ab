import type { CliContext, CommandOptions } from "../context.ts";
import type { GroupSpec } from "../group.ts";

async function importAction(args: readonly string[], _options: CommandOptions, ctx: CliContext): Promise<number> {
  const { UsageError } = await import("../../domain/errors.ts");
  const { resolve } = await import("node:path");
  const file = args[1];
  if (file === undefined) throw new UsageError("missing_file", "usage: trademl borrow import FILE.csv (columns symbol, tier, from[, to])");
  const { openConfiguredLake } = await import("../open-lake.ts");
  const { importBorrowTiers } = await import("../../reference/index.ts");
  const opened = await openConfiguredLake({ configDir: ctx.globals.configDir, env: ctx.env, envFile: ctx.globals.envFile, cwd: ctx.cwd, signal: ctx.signal });
  try {
    const report = await importBorrowTiers(opened.lake, resolve(ctx.cwd, file));
    ctx.out(`imported ${report.rows} rows for ${report.symbols} symbols into reference/borrow_tiers (seq ${report.seq}, sha256 ${report.sourceSha256.slice(0, 12)}…)\n`);
    return 0;
  } finally {
    await opened.close();
  }
}

async function showAction(_args: readonly string[], options: CommandOptions, ctx: CliContext): Promise<number> {
  const { requiredString, dateOption } = await import("../option-parsers.ts");
  const { UsageError } = await import("../../domain/errors.ts");
  const symbol = requiredString(options, "symbol", "a symbol").toUpperCase();
  const date = dateOption(options, "date");
  if (date === undefined) throw new UsageError("missing_option", "--date is required (YYYY-MM-DD)");
  const { openConfiguredLake } = await import("../open-lake.ts");
  const { loadBorrowTiers } = await import("../../reference/index.ts");
  const opened = await openConfiguredLake({ configDir: ctx.globals.configDir, env: ctx.env, envFile: ctx.globals.envFile, cwd: ctx.cwd, signal: ctx.signal });
  try {
    const tiers = await loadBorrowTiers(opened.lake, opened.config.borrow);
    const rate = tiers.rateOf(symbol, date);
    ctx.out(`${symbol} ${date}: ${rate.tier} (${rate.bpsPerYear} bps/year, ${rate.source})\n`);
    return 0;
  } finally {
    await opened.close();
  }
}

export const borrowCommand: GroupSpec = {
  name: "borrow",
  summary: "Stock-borrow tiers (configs/borrow.yml): import your broker's list, show a symbol's tier",
  options: [
    { flags: "--symbol <s>", description: "show: the symbol" },
    { flags: "--date <YYYY-MM-DD>", description: "show: the day" },
  ],
  examples: ["trademl borrow import borrow.csv", "trademl borrow show --symbol AAPL --date 2026-03-02"],
  actions: {
    import: { summary: "Import a borrow list CSV (symbol, tier gc|warm|htb, from, optional to) into reference/borrow_tiers", options: [], run: importAction },
    show: { summary: "A symbol's tier and fee on a day (imported list, else the liquidity approximation)", options: ["symbol", "date"], run: showAction },
  },
};
