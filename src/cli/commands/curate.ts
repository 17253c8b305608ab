import type { CurateReport } from "../../curate/curate-equities.ts";
import type { GroupSpec } from "../group.ts";

function summary(title: string, report: CurateReport): string {
  const parts = Object.entries(report.partsWritten).map(([table, n]) => `  ${table}: ${n} part(s), seq ${report.commits[table] ?? "-"}`);
  return [
    `${title}`,
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
    const { openConfiguredLake } = await import("../open-lake.ts");
    const { curateEquities, curateMinuteBars, CURATE_TABLES, DEFAULT_DATASETS, DEFAULT_MINUTE_DATASETS } = await import(
      "../../curate/curate-equities.ts"
    );
    const opened = await openConfiguredLake({ configDir: ctx.globals.configDir, env: ctx.env, envFile: ctx.globals.envFile, cwd: ctx.cwd });
    try {
      // The curator jobs in curator.yml that feed the adjusted table name the raw datasets to read.
      const jobs = opened.config.curator.jobs;
      const barDatasets = [...new Set(jobs.filter((job) => job.output_prefix === CURATE_TABLES.adjusted).map((job) => job.table))];
      const minuteDatasets = [...new Set(jobs.filter((job) => job.output_prefix.startsWith("curated/equities_minute")).map((job) => job.table))];
      const { withLease } = await import("../../lake/lease.ts");
      const { lakeAccess } = await import("../../lake/lake-access.ts");
      const { DataError } = await import("../../domain/errors.ts");
      const { hostname } = await import("node:os");
      const { randomUUID } = await import("node:crypto");
      const leases = opened.config.curator.leases;
      // One curator at a time: the lease's epoch fences every commit, so a curator that lost its lease (a
      // paused Pi, a network split) cannot commit over the one that took over.
      const outcome = await withLease(
        opened.store,
        "curate",
        {
          holder: `${hostname()}-${randomUUID().slice(0, 8)}`,
          ttlMs: leases.lease_seconds * 1000,
          renewMs: leases.renew_seconds * 1000,
          signal: ctx.signal,
          logger: ctx.logger,
        },
        async (lease) => {
          const common = {
            lake: lakeAccess(opened.store, { commit: { lease } }),
            sourcePriority: opened.config.curator.source_priority,
            duck: { memoryLimit: opened.config.node.duckdb.memory_limit, threads: opened.config.node.duckdb.threads },
            logger: ctx.logger,
            signal: ctx.signal,
          };
          // Daily first: the minute pass adjusts with the factors the daily pass just committed.
          const daily = await curateEquities({
            ...common,
            datasets: { ...DEFAULT_DATASETS, bars: barDatasets.length > 0 ? barDatasets : DEFAULT_DATASETS.bars },
          });
          const minute = await curateMinuteBars({
            ...common,
            datasets: { ...DEFAULT_DATASETS, bars: [...new Set([...minuteDatasets, ...DEFAULT_MINUTE_DATASETS])] },
          });
          return { daily, minute };
        },
      );
      if (!outcome.ran) {
        throw new DataError("curate_busy", `another curator (${outcome.holder ?? "unknown"}) holds the curate lease; nothing was done`);
      }
      const { daily, minute } = outcome.value;
      ctx.out(
        options["json"] === true
          ? `${JSON.stringify({ daily, minute }, null, 2)}\n`
          : `${summary("daily bars and corporate actions", daily)}\n\n${summary("minute bars", minute)}\n`,
      );
      return 0;
    } finally {
      await opened.close();
    }
  },
};
