/** The configuration folder and the environment are valid; warnings (e.g. a likely typo in .env) show as `warn`. */
import type { DoctorCheck } from "./types.ts";

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export const configCheck: DoctorCheck = {
  name: "config",
  kind: "config",
  description: "configs/*.yml and the environment (.env) validate",
  async run(ctx) {
    const config = await ctx.config();
    if (config === undefined) return { status: "fail", detail: errorMessage(await ctx.configError()) };
    const present = config.files.filter((file) => file.present).length;
    const models = Object.keys(config.training);
    const summary =
      `${config.configDir}: ${present} files (${config.files.length - present} on defaults); ` +
      `training models: ${models.length > 0 ? models.join(", ") : "none"}; env file: ${config.envFile ?? "none"}`;
    if (config.warnings.length > 0) return { status: "warn", detail: `${summary}\n${config.warnings.join("\n")}` };
    return { status: "ok", detail: summary };
  },
};
