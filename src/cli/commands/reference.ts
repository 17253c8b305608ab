import type { GroupSpec } from "../group.ts";

export const referenceCommand: GroupSpec = {
  name: "reference",
  summary: "Build reference data: universe, index membership, tick-size regime",
  options: [
    { flags: "--json", description: "Print the run report as JSON" },
    { flags: "--large <n>", description: "Size of the large-cap proxy (default 500)" },
    { flags: "--small <n>", description: "Size of the small-cap proxy after it (default 2000)" },
  ],
  examples: ["trademl reference", "trademl reference --large 100 --small 400 --json"],
  run: async (_args, options, ctx) => {
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
  },
};
