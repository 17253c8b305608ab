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
    const { runCuration } = await import("../../curate/run-curation.ts");
    const { DataError } = await import("../../domain/errors.ts");
    const { defaultLeaseHolder } = await import("../../lake/lease.ts");
    const opened = await openConfiguredLake({ configDir: ctx.globals.configDir, env: ctx.env, envFile: ctx.globals.envFile, cwd: ctx.cwd });
    try {
      const run = await runCuration(opened.store, opened.config.curator, {
        holder: defaultLeaseHolder("curate"),
        duck: { memoryLimit: opened.config.node.duckdb.memory_limit, threads: opened.config.node.duckdb.threads },
        logger: ctx.logger,
        signal: ctx.signal,
      });
      if (!run.ran) throw new DataError("curate_busy", `the curate lease is ${run.heldBy ?? "held by another curator"}; nothing was done`);
      const { daily, minute } = run;
      const compaction = Object.entries(run.compaction.tables).map(([table, done]) => ({
        table, partsRemoved: done.partsRemoved, partsAdded: done.partsAdded, seq: done.manifest?.seq,
      }));
      const compacted = compaction.map((c) => `  ${c.table}: ${c.partsRemoved} part(s) into ${c.partsAdded}, seq ${c.seq ?? "-"}`);
      ctx.out(
        options["json"] === true
          ? `${JSON.stringify({ daily, minute, compaction }, null, 2)}\n`
          : `${summary("daily bars and corporate actions", daily)}\n\n${summary("minute bars", minute)}\n` +
              (compacted.length === 0 ? "" : `\ncompacted (rows unchanged):\n${compacted.join("\n")}\n`),
      );
      return 0;
    } finally {
      await opened.close();
    }
  },
};
