import type { CurateReport } from "../../curate/curate-equities.ts";
import type { GroupSpec } from "../group.ts";

function summary(report: CurateReport): string {
  const parts = Object.entries(report.partsWritten).map(([table, n]) => `  ${table}: ${n} part(s), seq ${report.commits[table] ?? "-"}`);
  return [
    `new raw parts:        ${report.newRawParts}`,
    `bars read:            ${report.barsRead}`,
    `bars quarantined:     ${report.barsQuarantined}`,
    `actions quarantined:  ${report.actionsQuarantined}`,
    `vendor disagreements: ${report.disagreements}`,
    `symbols rebuilt:      ${report.rebuiltSymbols.length}${report.rebuiltSymbols.length > 0 && report.rebuiltSymbols.length <= 10 ? ` (${report.rebuiltSymbols.join(", ")})` : ""}`,
    `rows appended:        ${report.appendedRows}`,
    parts.length === 0 ? "nothing changed; no commit" : `committed:\n${parts.join("\n")}`,
  ].join("\n");
}

export const curateCommand: GroupSpec = {
  name: "curate",
  summary: "Curate raw bars into adjusted tables with DuckDB SQL",
  options: [{ flags: "--json", description: "Print the run report as JSON" }],
  examples: ["trademl curate", "trademl curate --json"],
  run: async (_args, options, ctx) => {
    const { openConfiguredLake } = await import("../../curate/open-lake.ts");
    const { curateEquities, CURATE_TABLES, DEFAULT_DATASETS } = await import("../../curate/curate-equities.ts");
    const opened = await openConfiguredLake({ configDir: ctx.globals.configDir, env: ctx.env, envFile: ctx.globals.envFile, cwd: ctx.cwd });
    try {
      // The curator jobs in curator.yml that feed the adjusted table name the raw datasets to read.
      const barDatasets = opened.config.curator.jobs
        .filter((job) => job.output_prefix === CURATE_TABLES.adjusted)
        .map((job) => job.table);
      const report = await curateEquities({
        lake: opened.lake,
        datasets: { ...DEFAULT_DATASETS, bars: barDatasets.length > 0 ? [...new Set(barDatasets)] : DEFAULT_DATASETS.bars },
        sourcePriority: opened.config.curator.source_priority,
        duck: { memoryLimit: opened.config.node.duckdb.memory_limit, threads: opened.config.node.duckdb.threads },
        logger: ctx.logger,
        signal: ctx.signal,
      });
      ctx.out(`${options["json"] === true ? JSON.stringify(report, null, 2) : summary(report)}\n`);
      return 0;
    } finally {
      await opened.close();
    }
  },
};
