import { hostname } from "node:os";
import { DataError, UsageError } from "../../domain/errors.ts";
import type { CliContext, CommandOptions } from "../context.ts";
import type { GroupSpec } from "../group.ts";

const FORMATS = ["table", "json"] as const;

function text(options: CommandOptions, name: string, flag: string): string | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string" && typeof value !== "number") throw new UsageError("bad_option", `${flag} needs a value`);
  return String(value);
}

function numberOption(options: CommandOptions, name: string, flag: string): number | undefined {
  const value = text(options, name, flag);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new UsageError("bad_option", `${flag} must be a number, not "${value}"`);
  return parsed;
}

function formatOf(options: CommandOptions): "table" | "json" {
  const format = text(options, "format", "--format") ?? "table";
  if (!FORMATS.includes(format as "table" | "json")) throw new UsageError("bad_format", `--format must be table or json, not "${format}"`);
  return format as "table" | "json";
}

async function runAuditAction(options: CommandOptions, ctx: CliContext): Promise<number> {
  const { openConfiguredLake } = await import("../open-lake.ts");
  const { auditLake, coverageSummary, qcFromConfig } = await import("../../quality/audit/index.ts");
  const { AUDITED_TABLES, isAuditedTable } = await import("../../quality/audited-tables.ts");
  const { VENDORS } = await import("../../config/index.ts");
  const { textTable, percent } = await import("../../domain/text-table.ts");
  const { isIsoDate } = await import("../../domain/calendar/index.ts");

  const only = text(options, "table", "--table");
  if (only !== undefined && !isAuditedTable(only)) {
    throw new UsageError("unknown_table", `--table must be one of ${Object.keys(AUDITED_TABLES).join(", ")}, not "${only}"`);
  }
  const through = text(options, "through", "--through");
  if (through !== undefined && !isIsoDate(through)) throw new UsageError("bad_date", `--through must be YYYY-MM-DD, not "${through}"`);
  const format = formatOf(options);
  const opened = await openConfiguredLake({ configDir: ctx.globals.configDir, env: ctx.env, envFile: ctx.globals.envFile, cwd: ctx.cwd });
  try {
    const qc = qcFromConfig(opened.config);
    const holder = `${hostname()}:${process.pid}`;
    const report = await auditLake(opened.store, {
      vendors: VENDORS,
      holder,
      qc,
      duckdb: { memoryLimit: opened.config.node.duckdb.memory_limit, threads: opened.config.node.duckdb.threads },
      signal: ctx.signal,
      ...(only === undefined || !isAuditedTable(only) ? {} : { tables: [only] }),
      ...(through === undefined ? {} : { through }),
      onTarget: (result) =>
        ctx.logger.info("audited", { source: result.source, table: result.table, reaudited: result.sessionsReaudited, parts: result.partsRead, committed: result.committed }),
    });
    if (!report.ran) {
      ctx.out(`audit is already running on ${report.heldBy ?? "another node"}; nothing was done\n`);
      return 0;
    }
    const outcome = { value: report.audited };
    const auditedThrough = report.audited[0]?.through;
    if (through !== undefined && auditedThrough !== undefined && auditedThrough < through) {
      ctx.logger.warn("--through is after the last finished session; sessions that have not happened are not audited", { requested: through, audited: auditedThrough });
    }
    const coverage = await coverageSummary(opened.store, only === undefined ? {} : { table: only }, ctx.signal);
    if (format === "json") {
      ctx.out(`${JSON.stringify({ audited: outcome.value, coverage }, null, 2)}\n`);
      return 0;
    }
    const audited = outcome.value.map((r) => [r.source, r.table, String(r.sessionsReaudited), String(r.partsRead), r.committed ? "yes" : "no (unchanged)"]);
    ctx.out(audited.length === 0 ? "no raw data to audit\n" : textTable(["source", "table", "sessions re-read", "parts read", "ledger committed"], audited));
    ctx.out("\n");
    ctx.out(coverageTable(coverage, textTable, percent));
    return 0;
  } finally {
    await opened.close();
  }
}

function coverageTable(
  coverage: readonly { source: string; table: string; symbols: number; partitions: number; green: number; amber: number; red: number; greenShare: number; firstSession: string | undefined; lastSession: string | undefined }[],
  textTable: (header: readonly string[], rows: readonly (readonly string[])[]) => string,
  percent: (share: number) => string,
): string {
  if (coverage.length === 0) return "the partition_status ledger is empty\n";
  return textTable(
    ["source", "table", "symbols", "partitions", "GREEN", "AMBER", "RED", "GREEN share", "first", "last"],
    coverage.map((c) => [c.source, c.table, String(c.symbols), String(c.partitions), String(c.green), String(c.amber), String(c.red), percent(c.greenShare), c.firstSession ?? "-", c.lastSession ?? "-"]),
  );
}

async function coverageAction(options: CommandOptions, ctx: CliContext): Promise<number> {
  const { openConfiguredLake } = await import("../open-lake.ts");
  const { coverageSummary } = await import("../../quality/audit/index.ts");
  const { textTable, percent } = await import("../../domain/text-table.ts");
  const format = formatOf(options);
  const table = text(options, "table", "--table");
  const opened = await openConfiguredLake({ configDir: ctx.globals.configDir, env: ctx.env, envFile: ctx.globals.envFile, cwd: ctx.cwd });
  try {
    const coverage = await coverageSummary(opened.store, table === undefined ? {} : { table }, ctx.signal);
    ctx.out(format === "json" ? `${JSON.stringify(coverage, null, 2)}\n` : coverageTable(coverage, textTable, percent));
    return 0;
  } finally {
    await opened.close();
  }
}

async function windowAction(args: readonly string[], options: CommandOptions, ctx: CliContext): Promise<number> {
  const table = args[1] ?? text(options, "table", "--table");
  if (table === undefined) throw new UsageError("missing_table", "usage: trademl audit window <table> [--years N] [--min-ratio R] [--through YYYY-MM-DD]");
  const { openConfiguredLake } = await import("../open-lake.ts");
  const { greenWindow, qcFromConfig } = await import("../../quality/audit/index.ts");
  const format = formatOf(options);
  const opened = await openConfiguredLake({ configDir: ctx.globals.configDir, env: ctx.env, envFile: ctx.globals.envFile, cwd: ctx.cwd });
  try {
    const horizons: Readonly<Record<string, { train_window_years: number } | undefined>> = opened.config.backfill.horizons;
    const years = numberOption(options, "years", "--years") ?? horizons[table]?.train_window_years ?? 15;
    const minRatio = numberOption(options, "minRatio", "--min-ratio") ?? qcFromConfig(opened.config).greenMinRatio;
    const through = text(options, "through", "--through");
    const result = await greenWindow(opened.store, { table, years, minRatio, ...(through === undefined ? {} : { through }) }, ctx.signal);
    if (format === "json") ctx.out(`${JSON.stringify(result, null, 2)}\n`);
    else {
      const span = result.through === "" ? `${years} years` : `${result.from}..${result.through}, ${years} years`;
      ctx.out(
        `${table}: ${result.ok ? "READY" : "NOT READY"} — ${result.green} of ${result.partitions} partitions GREEN (${(result.greenShare * 100).toFixed(2)}%, need ${(minRatio * 100).toFixed(2)}%) over ${span}\n`,
      );
      for (const reason of result.reasons) ctx.out(`  - ${reason}\n`);
    }
    if (!result.ok) throw new DataError("green_window_not_met", `${table} does not have ${years} years GREEN at >= ${minRatio}`);
    return 0;
  } finally {
    await opened.close();
  }
}

export const auditCommand: GroupSpec = {
  name: "audit",
  summary: "Audit completeness into the partition_status ledger (audit | audit coverage | audit window <table>)",
  options: [
    { flags: "--through <date>", description: "Last session to audit, YYYY-MM-DD (default and latest: the session before today)" },
    { flags: "--table <table>", description: "Only this table (equities_eod, equities_minute)" },
    { flags: "--years <n>", description: "audit window: years that must be GREEN (default: backfill.yml horizons)" },
    { flags: "--min-ratio <r>", description: "audit window: share of GREEN partitions required (default: qc.green_min_ratio)" },
    { flags: "--format <format>", description: "table (default) or json" },
  ],
  examples: ["trademl audit", "trademl audit coverage", "trademl audit window equities_eod --years 15 --min-ratio 0.98"],
  run: async (args, options, ctx) => {
    const action = args[0] ?? "run";
    if (action === "run") return runAuditAction(options, ctx);
    if (action === "coverage") return coverageAction(options, ctx);
    if (action === "window") return windowAction(args, options, ctx);
    throw new UsageError("unknown_action", `unknown audit action "${action}"; use: trademl audit [run | coverage | window <table>]`);
  },
};
