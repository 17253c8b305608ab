import { UsageError } from "../../domain/errors.ts";
import type { GroupSpec } from "../group.ts";
import { dateOption, enumOption, flagOption, stringOption } from "../option-parsers.ts";

export const reportCommand: GroupSpec = {
  name: "report",
  summary: "Build the daily report (HTML) into the lake and a local folder",
  options: [
    { flags: "--date <date>", description: "UTC day to report, YYYY-MM-DD (default: today on the lake's clock)" },
    { flags: "--out <dir>", description: "Folder of the local copy daily-<date>.html (default ./reports)" },
    { flags: "--open", description: "Open the local copy with the system's opener (xdg-open, open, start)" },
    { flags: "--format <format>", description: "text (default) or json" },
  ],
  examples: ["trademl report", "trademl report --date 2026-12-04 --open", "trademl report --out /srv/reports"],
  run: async (args, options, ctx) => {
    if (args.length > 0) throw new UsageError("unexpected_argument", `report takes no positional arguments, got "${args.join(" ")}"`);
    const date = dateOption(options, "date");
    const format = enumOption(options, "format", ["text", "json"], "text");
    const open = flagOption(options, "open");
    const { resolve } = await import("node:path");
    const outDir = resolve(ctx.cwd, stringOption(options, "out") ?? "reports");
    const { openConfiguredLake } = await import("../open-lake.ts");
    const { buildDailyReport, openInBrowser } = await import("../../report/index.ts");
    const opened = await openConfiguredLake({ configDir: ctx.globals.configDir, env: ctx.env, envFile: ctx.globals.envFile, cwd: ctx.cwd, signal: ctx.signal });
    try {
      const report = await buildDailyReport({
        store: opened.store,
        config: opened.config,
        outDir,
        logger: ctx.logger,
        signal: ctx.signal,
        ...(date === undefined ? {} : { date }),
      });
      const openResult = open && report.localPath !== undefined ? await openInBrowser(report.localPath, { env: ctx.env }) : undefined;
      if (format === "json") {
        ctx.out(`${JSON.stringify({ date: report.date, key: report.key, localPath: report.localPath, sections: report.sections, inputs: report.inputs, ...(openResult === undefined ? {} : { open: openResult }) }, null, 2)}\n`);
        return 0;
      }
      const lines = [
        `daily report of ${report.date}`,
        `  lake:  ${report.key}`,
        ...(report.localPath === undefined ? [] : [`  local: ${report.localPath}`]),
        ...report.sections.map((s) => `  ${s.state === "ok" ? "ok     " : s.state === "empty" ? "no data" : "FAILED "} ${s.title}${s.state === "failed" && s.detail !== undefined ? `: ${s.detail}` : ""}`),
      ];
      if (openResult !== undefined) {
        lines.push(openResult.opened ? `  opened with ${openResult.command}` : `  could not open it (${openResult.reason}); open ${report.localPath ?? report.key} yourself`);
      }
      ctx.out(`${lines.join("\n")}\n`);
      return 0;
    } finally {
      await opened.close();
    }
  },
};
