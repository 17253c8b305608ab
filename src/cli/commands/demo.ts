import type { GroupSpec } from "../group.ts";

function positiveInt(value: unknown, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 3650) throw new TypeError(`${flag} must be a whole number between 1 and 3650, not "${String(value)}"`);
  return n;
}

export const demoCommand: GroupSpec = {
  name: "demo",
  summary: "Run the pipeline against the built-in vendor simulator into ./lake-demo",
  options: [
    { flags: "--lake <dir>", description: "Demo lake folder (default ./lake-demo; marked simulated)" },
    { flags: "--symbols <list>", description: "Comma-separated symbols (default AAPL,MSFT,NVDA,AMZN,SPY)" },
    { flags: "--days <n>", description: "Calendar days of daily history (default 60: enough sessions before a month start for one universe rebalance)" },
    { flags: "--minute-days <n>", description: "Calendar days of minute bars (default 2)" },
    { flags: "--option-days <n>", description: "Past sessions of option chains to replay (default 10)" },
    { flags: "--seed <n>", description: "Seed of the synthetic market (default 7)" },
  ],
  examples: ["trademl demo", "trademl demo --symbols AAPL,SPY --days 90 --lake /tmp/lake-demo"],
  run: async (_args, options, ctx) => {
    const { UsageError } = await import("../../domain/errors.ts");
    const { resolve } = await import("node:path");
    const parse = (value: unknown, flag: string, fallback: number): number => {
      try {
        return positiveInt(value, flag, fallback);
      } catch (error) {
        throw new UsageError("bad_option", error instanceof Error ? error.message : String(error));
      }
    };
    const rawSymbols = options["symbols"];
    const symbols = rawSymbols === undefined ? undefined : String(rawSymbols).split(",").map((s) => s.trim().toUpperCase()).filter(Boolean);
    if (symbols !== undefined && (symbols.length === 0 || symbols.some((s) => !/^[A-Z][A-Z0-9.]{0,9}$/.test(s)))) {
      throw new UsageError("bad_symbols", `--symbols must be comma-separated tickers such as AAPL,MSFT, not "${String(rawSymbols)}"`);
    }
    const { runDemo, DEFAULT_OPTION_DAYS } = await import("../../demo/run-demo.ts");
    const { NIGHTLY_STEPS, checkGraph, selectSteps } = await import("../../dag/index.ts");
    const { loadConfig } = await import("../../config/index.ts");
    // Without --config-dir / TRADEML_CONFIG_DIR and without ./configs, the globals point at the shipped configs/.
    const configDir = resolve(ctx.cwd, ctx.globals.configDir);
    const packaged = ctx.globals.configDirSource === "package";
    const config = await loadConfig({ configDir, env: ctx.env, envFile: ctx.globals.envFile, cwd: ctx.cwd });
    ctx.logger.info("demo configuration", { configDir, packaged });
    const { dagProgress } = await import("../dag-progress.ts");
    const progress = await dagProgress(ctx);
    const result = await runDemo({
      lakeDir: resolve(ctx.cwd, String(options["lake"] ?? "lake-demo")),
      ...(symbols ? { symbols } : {}),
      days: parse(options["days"], "--days", 60),
      minuteDays: parse(options["minuteDays"], "--minute-days", 2),
      optionDays: parse(options["optionDays"], "--option-days", DEFAULT_OPTION_DAYS),
      seed: parse(options["seed"], "--seed", 7),
      // The demo's own collection stands in for the DAG's `collect` (which calls the real vendors).
      steps: selectSteps(checkGraph(NIGHTLY_STEPS), { from: "audit" }),
      config,
      // Printed `trademl sql` lines need the folder only when it was chosen explicitly; otherwise sql finds it too.
      ...(ctx.globals.configDirSource === "explicit" ? { queryConfigDir: configDir } : {}),
      logger: ctx.logger,
      signal: ctx.signal,
      onProgress: progress.onProgress,
    }).finally(() => progress.stop());
    ctx.out(`configuration: ${configDir}${packaged ? " (the package's own; no ./configs here)" : ""}\n${result.text}\n`);
    return result.report.interrupted ? 130 : 0;
  },
};
