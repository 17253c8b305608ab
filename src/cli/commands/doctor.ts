import type { CliContext, CommandOptions } from "../context.ts";
import type { GroupSpec } from "../group.ts";

async function doctor(_args: readonly string[], options: CommandOptions, ctx: CliContext): Promise<number> {
  const { runDoctor, formatDoctorTable, doctorReportJson } = await import("../../doctor/run.ts");
  const report = await runDoctor({
    cwd: ctx.cwd,
    env: ctx.env,
    configDir: ctx.globals.configDir,
    envFile: ctx.globals.envFile,
    logger: ctx.logger,
    signal: ctx.signal,
    online: options["online"] === true,
  });
  ctx.out(options["json"] === true ? `${JSON.stringify(doctorReportJson(report), null, 2)}\n` : formatDoctorTable(report));
  return report.exitCode;
}

export const doctorCommand: GroupSpec = {
  name: "doctor",
  summary: "Self-check: runtime, kernels, configuration and the lake's conditional writes",
  options: [
    { flags: "--json", description: "print the report as JSON" },
    { flags: "--online", description: "also prove every vendor with keys answers over HTTPS (the Pi node's selfcheck)" },
  ],
  run: doctor,
  examples: ["trademl doctor", "trademl doctor --json", "trademl doctor --online"],
};
