import { hostname } from "node:os";
import { UsageError } from "../../domain/errors.ts";
import type { CommandOptions } from "../context.ts";
import type { GroupSpec } from "../group.ts";

function text(options: CommandOptions, name: string, flag: string): string | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string" && typeof value !== "number") throw new UsageError("bad_option", `${flag} needs a value`);
  return String(value);
}

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return [...new Set(value.split(",").map((item) => item.trim()).filter((item) => item !== ""))];
}

export const backfillCommand: GroupSpec = {
  name: "backfill",
  summary: "Fill gaps from the ledger within vendor budgets",
  options: [
    { flags: "--table <tables>", description: "Comma-separated tables (default: corp_actions,equities_eod,equities_minute)" },
    { flags: "--source <vendor>", description: "Vendor to fetch from: alpaca (default) or polygon" },
    { flags: "--symbols <symbols>", description: "Comma-separated symbols (default: every symbol the ledger already holds)" },
    { flags: "--through <date>", description: "Last session to fill, YYYY-MM-DD (default: the session before today)" },
    { flags: "--max-tasks <n>", description: "Stop after this many tasks" },
    { flags: "--dry-run", description: "Print the planned tasks and fetch nothing" },
    { flags: "--vendor-url <url>", description: "Vendor root URL, e.g. the simulator's (vendors under /alpaca, /polygon)" },
    { flags: "--format <format>", description: "table (default) or json" },
  ],
  examples: ["trademl backfill --symbols AAPL,MSFT --table equities_eod", "trademl backfill --dry-run"],
  run: async (args, options, ctx) => {
    if (args.length > 0) throw new UsageError("unexpected_argument", `backfill takes no positional arguments, got "${args.join(" ")}"`);
    const { openConfiguredLake } = await import("../open-lake.ts");
    const { planBackfill } = await import("../../quality/backfill/index.ts");
    const { backfillTargets, backfillFromConfig, BACKFILL_VENDORS, DEFAULT_BACKFILL_TABLES } = await import("../../quality/backfill/from-config.ts");
    const { ledgerSymbols, defaultThrough } = await import("../../quality/audit/index.ts");
    const { isIsoDate } = await import("../../domain/calendar/index.ts");
    const { textTable } = await import("../../domain/text-table.ts");

    const vendor = text(options, "source", "--source") ?? "alpaca";
    if (!(BACKFILL_VENDORS as readonly string[]).includes(vendor)) {
      throw new UsageError("unknown_vendor", `--source must be one of ${BACKFILL_VENDORS.join(", ")}, not "${vendor}"`);
    }
    const through = text(options, "through", "--through");
    if (through !== undefined && !isIsoDate(through)) throw new UsageError("bad_date", `--through must be YYYY-MM-DD, not "${through}"`);
    const maxTasksText = text(options, "maxTasks", "--max-tasks");
    const maxTasks = maxTasksText === undefined ? undefined : Number(maxTasksText);
    if (maxTasks !== undefined && !(Number.isInteger(maxTasks) && maxTasks > 0)) throw new UsageError("bad_option", `--max-tasks must be a positive integer, not "${maxTasksText}"`);
    const format = text(options, "format", "--format") ?? "table";
    if (format !== "table" && format !== "json") throw new UsageError("bad_format", `--format must be table or json, not "${format}"`);
    const tables = list(text(options, "table", "--table")) ?? [...DEFAULT_BACKFILL_TABLES];

    const opened = await openConfiguredLake({ configDir: ctx.globals.configDir, env: ctx.env, envFile: ctx.globals.envFile, cwd: ctx.cwd });
    try {
      let symbols = list(text(options, "symbols", "--symbols"));
      symbols ??= await ledgerSymbols(opened.store, undefined, ctx.signal);
      if (symbols.length === 0) {
        throw new UsageError("no_symbols", "the ledger holds no symbols yet; pass --symbols AAPL,MSFT,... (the reference universe is not wired to backfill yet)");
      }
      const source = vendor === "polygon" ? "polygon" : "alpaca";
      const targets = backfillTargets(opened.config, { vendor: source, tables, symbols });
      const last = through ?? defaultThrough(new Date());
      if (options["dryRun"] === true) {
        const plan = await planBackfill(opened.store, targets, last, ctx.signal);
        if (format === "json") ctx.out(`${JSON.stringify(plan, null, 2)}\n`);
        else ctx.out(textTable(["priority", "table", "symbols", "start", "end", "sessions", "kind"], plan.map((t) => [String(t.priority), t.table, t.symbols.join(","), t.start, t.end, String(t.sessions), t.kind])) + `${plan.length} task(s) planned; nothing fetched (--dry-run)\n`);
        return 0;
      }
      const vendorUrl = text(options, "vendorUrl", "--vendor-url");
      const report = await backfillFromConfig(opened.config, opened.store, {
        vendor: source,
        tables,
        symbols,
        through: last,
        holder: `${hostname()}:${process.pid}`,
        logger: ctx.logger,
        signal: ctx.signal,
        ...(maxTasks === undefined ? {} : { maxTasks }),
        ...(vendorUrl === undefined ? {} : { baseUrl: vendorUrl }),
        onTask: (done) => ctx.logger.info("backfill task", { table: done.task.table, symbols: done.task.symbols.join(","), start: done.task.start, end: done.task.end, rows: done.rows, complete: done.complete, unavailable: done.unavailable }),
      });
      if (format === "json") {
        ctx.out(`${JSON.stringify(report, null, 2)}\n`);
        return 0;
      }
      if (!report.ran) {
        ctx.out(`backfill is already running on ${report.heldBy ?? "another node"}; nothing was done\n`);
        return 0;
      }
      const rows = report.tasks.map((t) => [t.task.table, t.task.symbols.join(","), t.task.start, t.task.end, String(t.rows), String(t.complete), String(t.unavailable), t.error ?? ""]);
      if (rows.length > 0) ctx.out(textTable(["table", "symbols", "start", "end", "rows", "partitions GREEN", "partitions unavailable", "vendor refused"], rows));
      const ending =
        report.stoppedBy === "budget"
          ? `stopped: ${report.budgetVendor ?? vendor}'s daily backfill budget is spent; the rest waits for tomorrow`
          : report.stoppedBy === "max_tasks"
            ? "stopped at --max-tasks"
            : "plan complete";
      ctx.out(`${report.tasks.length} of ${report.planned} planned task(s) done; ${ending}\n`);
      return 0;
    } finally {
      await opened.close();
    }
  },
};
