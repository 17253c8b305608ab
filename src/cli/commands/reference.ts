import type { CliContext, CommandOptions } from "../context.ts";
import type { GroupSpec } from "../group.ts";

async function buildAction(_args: readonly string[], options: CommandOptions, ctx: CliContext): Promise<number> {
  const { UsageError } = await import("../../domain/errors.ts");
  const count = (flag: string, value: unknown): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 1) throw new UsageError("bad_count", `--${flag} must be a positive integer, not "${String(value)}"`);
    return n;
  };
  const largeCount = count("large", options["large"]);
  const smallCount = count("small", options["small"]);
  const { openConfiguredLake } = await import("../open-lake.ts");
  const { buildReference } = await import("../../reference/index.ts");
  const opened = await openConfiguredLake({ configDir: ctx.globals.configDir, env: ctx.env, envFile: ctx.globals.envFile, cwd: ctx.cwd });
  try {
    const report = await buildReference({
      lake: opened.lake,
      tickSize: opened.config.node.reference.tick_size,
      ...(largeCount === undefined ? {} : { largeCount }),
      ...(smallCount === undefined ? {} : { smallCount }),
      duck: { memoryLimit: opened.config.node.duckdb.memory_limit, threads: opened.config.node.duckdb.threads },
      logger: ctx.logger,
    });
    if (options["json"] === true) {
      ctx.out(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      const committed = Object.entries(report.commits).map(([table, seq]) => `  ${table}: seq ${seq}`);
      ctx.out(
        [
          `rebalances:          ${report.rebalances}`,
          `universe rows:       ${report.universeRows}`,
          `index memberships:   ${report.membershipRows}`,
          `tick-size intervals: ${report.tickIntervals}`,
          committed.length === 0 ? "nothing changed; no commit" : `committed:\n${committed.join("\n")}`,
        ].join("\n") + "\n",
      );
    }
    return 0;
  } finally {
    await opened.close();
  }
}

/**
 * `trademl reference import FILE --kind index|tick-pilot`: commits the list (nothing is written when the file is
 * bad), then rebuilds reference data so the list replaces the approximation at once (when the lake has curated bars).
 */
async function importAction(args: readonly string[], options: CommandOptions, ctx: CliContext): Promise<number> {
  const { UsageError } = await import("../../domain/errors.ts");
  const { stringOption } = await import("../option-parsers.ts");
  const { resolve } = await import("node:path");
  const file = args[0];
  const usage = "usage: trademl reference import FILE.csv --kind index|tick-pilot";
  if (file === undefined) throw new UsageError("missing_file", `${usage} (index columns: index_name, symbol, from[, to][, replaces]; tick-pilot columns: symbol, group, from[, to])`);
  const kind = stringOption(options, "kind");
  if (kind !== "index" && kind !== "tick-pilot") throw new UsageError("bad_kind", `--kind must be index or tick-pilot, not ${kind === undefined ? "missing" : `"${kind}"`}; ${usage}`);
  const replaces = stringOption(options, "replaces");
  if (replaces !== undefined && kind !== "index") throw new UsageError("option_not_for_kind", "--replaces applies to --kind index only");
  const { openConfiguredLake } = await import("../open-lake.ts");
  const { importOfficialList, buildReference } = await import("../../reference/index.ts");
  const { CURATE_TABLES } = await import("../../curate/curate-tables.ts");
  const opened = await openConfiguredLake({ configDir: ctx.globals.configDir, env: ctx.env, envFile: ctx.globals.envFile, cwd: ctx.cwd, signal: ctx.signal });
  try {
    const report = await importOfficialList(opened.lake, resolve(ctx.cwd, file), { kind, ...(replaces === undefined ? {} : { replaces }) });
    const curated = await opened.lake.readManifest(CURATE_TABLES.adjusted);
    const rebuilt = curated === undefined || curated.files.length === 0
      ? undefined
      : await buildReference({
        lake: opened.lake,
        tickSize: opened.config.node.reference.tick_size,
        duck: { memoryLimit: opened.config.node.duckdb.memory_limit, threads: opened.config.node.duckdb.threads },
        logger: ctx.logger,
      });
    if (options["json"] === true) {
      ctx.out(`${JSON.stringify({ ...report, rebuilt: rebuilt ?? null }, null, 2)}\n`);
      return 0;
    }
    const lines = [
      `imported ${report.rows} rows for ${report.symbols} symbols into ${report.table} (seq ${report.seq})`,
      `  source ${report.sourceFile}, sha256 ${report.sourceSha256}, loaded ${report.loadedAt}`,
      rebuilt === undefined
        ? "  the lake has no curated bars yet: `trademl reference` applies the list after curation"
        : `  reference data rebuilt: ${Object.keys(rebuilt.commits).length === 0 ? "nothing changed" : Object.entries(rebuilt.commits).map(([t, seq]) => `${t} seq ${seq}`).join(", ")}`,
    ];
    ctx.out(`${lines.join("\n")}\n`);
    return 0;
  } finally {
    await opened.close();
  }
}

export const referenceCommand: GroupSpec = {
  name: "reference",
  summary: "Build reference data (universe, index membership, tick-size regime); import official lists",
  options: [
    { flags: "--json", description: "Print the run report as JSON" },
    { flags: "--large <n>", description: "Size of the large-cap proxy (default 500)" },
    { flags: "--small <n>", description: "Size of the small-cap proxy after it (default 2000)" },
    { flags: "--kind <kind>", description: "import: index (index constituents) or tick-pilot (Tick Size Pilot groups)" },
    { flags: "--replaces <proxy>", description: "import --kind index: the proxy rows without their own replaces column replace (large_cap_proxy, small_cap_proxy or none; default large_cap_proxy)" },
  ],
  examples: [
    "trademl reference",
    "trademl reference --large 100 --small 400 --json",
    "trademl reference import sp500.csv --kind index",
    "trademl reference import tick_pilot.csv --kind tick-pilot",
  ],
  run: buildAction,
  actions: {
    import: {
      summary: "Commit an official index-constituent or Tick Size Pilot CSV (with provenance) that replaces the approximation",
      options: ["kind", "replaces", "json"],
      run: importAction,
    },
  },
};
