/**
 * `trademl options surface --underlier SPY [--date D] [--png FILE]`: one underlier's SVI surface on a session from
 * the curated lake: the slice table (parameters, RMSE, arbitrage flags, QC) and optionally the smile plot.
 */
import type { CliContext, CommandOptions } from "../context.ts";
import type { GroupSpec } from "../group.ts";
import { jsonText } from "../json.ts";
import { dateOption, enumOption, requiredString, stringOption } from "../option-parsers.ts";
import { textTable } from "../../domain/text-table.ts";

async function surface(_args: readonly string[], options: CommandOptions, ctx: CliContext): Promise<number> {
  const underlying = requiredString(options, "underlier", "a symbol, e.g. SPY").toUpperCase();
  const date = dateOption(options, "date");
  const png = stringOption(options, "png");
  const format = enumOption(options, "format", ["table", "json"], "table");
  const { openConfiguredLake } = await import("../open-lake.ts");
  const { DuckSession } = await import("../../db/session.ts");
  const { readSurface, smileSpec } = await import("../../options/surface-report.ts");
  const opened = await openConfiguredLake({ configDir: ctx.globals.configDir, env: ctx.env, envFile: ctx.globals.envFile, cwd: ctx.cwd, signal: ctx.signal });
  const duck = await DuckSession.create({ kernels: false });
  try {
    const report = await readSurface(duck, opened.lake, underlying, date);
    let written: string | undefined;
    if (png !== undefined) {
      const { writeFile } = await import("node:fs/promises");
      const { resolve } = await import("node:path");
      const { renderChart } = await import("../../charts/render.ts");
      written = resolve(ctx.cwd, png);
      await writeFile(written, await renderChart(smileSpec(report), "png"));
    }
    if (format === "json") {
      ctx.out(jsonText({ ...report, ...(written === undefined ? {} : { png: written }) }));
      return 0;
    }
    const f = (v: number | null | undefined, digits: number): string => (v === null || v === undefined || !Number.isFinite(v) ? "-" : v.toFixed(digits));
    const flag = (v: boolean | null): string => (v === null ? "-" : v ? "yes" : "no");
    const rows = report.slices.map((s) => [
      s.expiry, String(s.days), f(s.forward, 4), f(s.atmVol, 4), f(s.params?.a, 6), f(s.params?.b, 6), f(s.params?.rho, 4), f(s.params?.m, 4),
      f(s.params?.sigma, 4), f(s.rmseVolPoints, 3), String(s.nQuotes), flag(s.butterflyFree), flag(s.calendarArbitrage), s.jwRepaired ? "yes" : "no",
      s.rejectReason === null ? s.qcStatus : `${s.qcStatus}: ${s.rejectReason}`,
    ]);
    ctx.out(`${report.underlying} ${report.date}: ${report.slices.length} expiries, surface_qc_rate ${f(report.qcRate, 3)}\n`);
    ctx.out(textTable(["expiry", "days", "forward", "atm_vol", "a", "b", "rho", "m", "sigma", "rmse_vp", "n", "bfly_free", "cal_arb", "jw", "qc"], rows));
    if (written !== undefined) ctx.out(`smile plot: ${written}\n`);
    return 0;
  } finally {
    duck.close();
    await opened.close();
  }
}

export const optionsCommand: GroupSpec = {
  name: "options",
  summary: "Option surfaces from the curated lake: SVI slices, their QC and smile plots",
  options: [
    { flags: "--underlier <symbol>", description: "surface: the underlier, e.g. SPY" },
    { flags: "--date <YYYY-MM-DD>", description: "surface: the session (default: the underlier's latest)" },
    { flags: "--png <file>", description: "surface: write the smile plot (fitted SVI against market mid vols) as PNG" },
    { flags: "--format <format>", description: "table (default) or json" },
  ],
  actions: {
    surface: { summary: "Print an underlier's SVI slices on a session (and plot its smiles)", options: ["underlier", "date", "png", "format"], run: surface },
  },
  examples: ["trademl options surface --underlier SPY", "trademl options surface --underlier AMZN --date 2026-12-04 --png smile.png"],
};
