import type { CliContext, CommandOptions } from "../context.ts";
import type { GroupSpec } from "../group.ts";

async function load(ctx: CliContext) {
  const { loadConfig } = await import("../../config/load.ts");
  return loadConfig({ configDir: ctx.globals.configDir, env: ctx.env, envFile: ctx.globals.envFile, cwd: ctx.cwd });
}

async function check(_args: readonly string[], options: CommandOptions, ctx: CliContext): Promise<number> {
  const config = await load(ctx);
  const [{ redactedConfig }, { stringify }, { redact }] = await Promise.all([
    import("../../config/effective.ts"),
    import("yaml"),
    import("../../domain/redact.ts"),
  ]);
  for (const warning of config.warnings) ctx.logger.warn(warning);
  const view = redactedConfig(config);
  // Structural redaction already replaced the secret fields; `redact` also catches a secret pasted elsewhere.
  const text = options["json"] === true ? `${JSON.stringify(view, null, 2)}\n` : stringify(view, { lineWidth: 0 });
  ctx.out(redact(text));
  ctx.logger.info("configuration is valid", { configDir: config.configDir, files: config.files.filter((f) => f.present).length });
  return 0;
}

async function schema(_args: readonly string[], options: CommandOptions, ctx: CliContext): Promise<number> {
  const [{ renderJsonSchemas, writeJsonSchemas }, path, fs, { ConfigError }] = await Promise.all([
    import("../../config/json-schema.ts"),
    import("node:path"),
    import("node:fs/promises"),
    import("../../domain/errors.ts"),
  ]);
  const dir = path.resolve(ctx.cwd, typeof options["out"] === "string" ? options["out"] : "configs/schema");
  if (options["check"] === true) {
    const stale: string[] = [];
    for (const [name, text] of renderJsonSchemas()) {
      const current = await fs.readFile(path.join(dir, name), "utf8").catch(() => undefined);
      if (current !== text) stale.push(name);
    }
    if (stale.length > 0) {
      throw new ConfigError("config_schema_stale", `JSON Schemas in ${dir} are stale: ${stale.join(", ")}; run \`trademl config schema --out ${dir}\``);
    }
    ctx.out(`JSON Schemas in ${dir} are up to date\n`);
    return 0;
  }
  for (const file of await writeJsonSchemas(dir)) ctx.out(`wrote ${path.relative(ctx.cwd, file) || file}\n`);
  return 0;
}

export const configCommand: GroupSpec = {
  name: "config",
  summary: "Validate configuration and print it with secrets redacted",
  options: [
    { flags: "--json", description: "config check: print JSON instead of YAML" },
    { flags: "--out <dir>", description: "config schema: folder for the JSON Schemas (default: configs/schema)" },
    { flags: "--check", description: "config schema: only verify the files are up to date (exit 2 when stale)" },
  ],
  actions: {
    check: { summary: "Validate configs/ and the environment; print the effective configuration", run: check },
    schema: { summary: "Write JSON Schemas for editors (configs/schema/*.schema.json)", run: schema },
  },
  examples: ["trademl config check", "trademl --config-dir ./my-configs config check --json", "trademl config schema --out configs/schema"],
};
