import type { GroupSpec } from "../group.ts";

export const catalogCommand: GroupSpec = {
  name: "catalog",
  summary: "Export a DuckDB database of views over the lake",
  options: [
    { flags: "--as-of <table=seq>", description: "Pin tables to manifest seqs, e.g. equities_ohlcv_adj=12 (comma-separated)" },
    { flags: "--json", description: "Print the exported views as JSON" },
  ],
  examples: ["trademl catalog export lake.duckdb", "duckdb lake.duckdb -c 'select count(*) from equities_ohlcv_adj'"],
  actions: {
    export: {
      summary: "Write <file.duckdb> with one view per curated/reference table over its current parts",
      run: async (args, options, ctx) => {
        const { UsageError } = await import("../../domain/errors.ts");
        const file = args[0];
        if (file === undefined || args.length > 1) throw new UsageError("bad_usage", "usage: trademl catalog export <file.duckdb>");
        const { resolve } = await import("node:path");
        const target = resolve(ctx.cwd, file);
        const { parseAsOf } = await import("../../analyst/lake-views.ts");
        const asOf = parseAsOf(options["asOf"]);
        const { openConfiguredLake } = await import("../open-lake.ts");
        const { lakeAccess } = await import("../../lake/lake-access.ts");
        const { exportCatalog } = await import("../../analyst/catalog.ts");
        const opened = await openConfiguredLake({ configDir: ctx.globals.configDir, env: ctx.env, envFile: ctx.globals.envFile, cwd: ctx.cwd });
        try {
          // A local lake is read in place; S3 parts are downloaded beside the catalog so its views stay valid.
          const lake = opened.store.kind === "local" ? opened.lake : lakeAccess(opened.store, { cacheDir: `${target}.parts`, cacheBytes: Number.MAX_SAFE_INTEGER });
          const report = await exportCatalog(lake, target, { asOf });
          if (options["json"] === true) {
            ctx.out(`${JSON.stringify(report, null, 2)}\n`);
          } else {
            const lines = report.views.map((v) => `  ${v.view.padEnd(28)} ${v.table} seq ${v.seq}, ${v.rows} rows`);
            ctx.out(`wrote ${report.file} with ${report.views.length} view(s):\n${lines.join("\n")}\n`);
          }
          return 0;
        } finally {
          await opened.close();
        }
      },
    },
  },
};
