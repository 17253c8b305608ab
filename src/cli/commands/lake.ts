/**
 * `trademl lake …`: thin adapters over src/lake. The store comes from the environment (LAKE_ROOT, or
 * S3_ENDPOINT/S3_BUCKET/S3_REGION/AWS_*), validated by the config layer; maintenance (gc, expire, pins) also reads
 * node.yml and curator.yml for the grace period, the lease TTLs and the retention rule. Heavy modules load lazily.
 */
import { UsageError } from "../../domain/errors.ts";
import type { TrademlConfig } from "../../config/load.ts";
import type { GcReport } from "../../lake/gc.ts";
import type { ObjectStore } from "../../lake/types.ts";
import type { CliContext, CommandOptions } from "../context.ts";
import type { GroupSpec } from "../group.ts";

async function withStore<T>(ctx: CliContext, work: (store: ObjectStore) => Promise<T>): Promise<T> {
  const { loadEnvironment } = await import("../../config/env.ts");
  const { openStore } = await import("../../lake/open-store.ts");
  const loaded = await loadEnvironment({ env: ctx.env, envFile: ctx.globals.envFile, cwd: ctx.cwd });
  for (const warning of loaded.warnings) ctx.logger.warn(warning);
  const store = await openStore(loaded.lakeTarget, { signal: ctx.signal });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** The store with the loaded configuration, for the maintenance actions whose defaults live in the schemas. */
async function withConfiguredStore<T>(ctx: CliContext, work: (store: ObjectStore, config: TrademlConfig) => Promise<T>): Promise<T> {
  const { openConfiguredLake } = await import("../open-lake.ts");
  const opened = await openConfiguredLake({ configDir: ctx.globals.configDir, env: ctx.env, envFile: ctx.globals.envFile, cwd: ctx.cwd, signal: ctx.signal });
  for (const warning of opened.config.warnings) ctx.logger.warn(warning);
  try {
    return await work(opened.store, opened.config);
  } finally {
    await opened.close();
  }
}

function json(options: CommandOptions): boolean {
  return options["json"] === true;
}

function positiveInteger(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError("invalid_option", `${flag} must be a positive integer, got "${String(value)}"`);
  return n;
}

function nonNegative(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError("invalid_option", `${flag} must be a non-negative number, got "${String(value)}"`);
  return n;
}

function age(ms: number): string {
  const hours = ms / 3_600_000;
  return hours >= 48 ? `${Math.floor(hours / 24)} d` : hours >= 1 ? `${hours.toFixed(1)} h` : `${Math.round(ms / 60_000)} min`;
}

/** The gc report for people: every path it would delete or keeps for a reason, not just counts. */
function formatGcReport(report: GcReport, graceHours: number): string {
  const verb = report.applied ? "deleted" : "would delete (dry run; --apply to delete)";
  const bytes = report.orphans.reduce((sum, o) => sum + o.size, 0);
  const lines = [
    `${report.manifestsRead} manifests read, ${report.referenced} parts referenced`,
    `${verb}: ${report.orphans.length} orphan part(s), ${bytes} B${report.staleTemps.length > 0 ? `, ${report.staleTemps.length} stale temp file(s)` : ""}`,
    ...report.orphans.map((o) => `  ${o.key}\t${o.size} B\t${age(o.ageMs)} old`),
    ...report.staleTemps.map((path) => `  ${path}`),
    `kept: ${report.young} unreferenced part(s) younger than ${graceHours} h`,
  ];
  if (report.held.length > 0 || report.liveLeases.length > 0) {
    lines.push(`kept: ${report.held.length} unreferenced part(s) written while a live lease's job may still commit them`);
    lines.push(...report.held.map((o) => `  ${o.key}\t${o.size} B\t${age(o.ageMs)} old`));
    lines.push(...report.liveLeases.map((lease) => `  lease "${lease.job}" ${lease.heldBy}`));
  }
  for (const pin of report.missingPins) {
    lines.push(`warning: pin ${pin.pin} keeps ${pin.table} seq ${pin.seq}, but that manifest is gone; its parts cannot be told apart from orphans (restore the manifest or remove the pin)`);
  }
  if (report.foreign.length > 0) lines.push(`foreign files (never deleted): ${report.foreign.length}`, ...report.foreign.map((k) => `  ${k}`));
  return `${lines.join("\n")}\n`;
}

function requireTable(args: readonly string[], action: string): string {
  const table = args[0];
  if (table === undefined) throw new UsageError("missing_argument", `trademl lake ${action} needs a table name, e.g. "trademl lake ${action} curated_bars"`);
  return table;
}

export const lakeCommand: GroupSpec = {
  name: "lake",
  summary: "Inspect and maintain the lake: tables, manifests, part checks, probe, garbage collection",
  options: [
    { flags: "--json", description: "Print results as JSON" },
    { flags: "--seq <n>", description: "lake show, lake verify --table: pin a manifest seq" },
    { flags: "--table <table>", description: "lake verify: only this table" },
    { flags: "--apply", description: "lake gc / expire: delete (default: dry run)" },
    { flags: "--grace-hours <h>", description: "lake gc: only parts older than this are orphans (default node.yml lake.gc_grace_hours, 48)" },
    { flags: "--keep <n>", description: "lake expire: newest manifests always kept (default node.yml lake.retention.keep_manifests, 10)" },
    { flags: "--older-than-days <d>", description: "lake expire: only manifests older than this (default node.yml lake.retention.keep_days, 7)" },
    { flags: "--id <id>", description: "lake pin: the pin's id (kind manual)" },
    { flags: "--note <text>", description: "lake pin: why the snapshot is kept" },
  ],
  examples: [
    "trademl lake tables",
    "trademl lake show curated/equities_ohlcv_adj --seq 3",
    "trademl lake verify --table curated/equities_ohlcv_adj",
    "trademl lake probe",
    "trademl lake gc --apply",
    "trademl lake pin curated/equities_ohlcv_adj --seq 3 --id review-2024",
  ],
  actions: {
    tables: {
      summary: "List tables with their latest seq, file and row counts",
      run: async (_args, options, ctx) => {
        const { listTables, readManifest } = await import("../../lake/manifest.ts");
        return withStore(ctx, async (store) => {
          const rows: { table: string; seq: number; files: number; rows: number; error?: string }[] = [];
          for (const table of await listTables(store, ctx.signal)) {
            try {
              const m = await readManifest(store, table, { signal: ctx.signal });
              rows.push({ table, seq: m?.seq ?? 0, files: m?.files.length ?? 0, rows: m?.files.reduce((sum, f) => sum + f.rows, 0) ?? 0 });
            } catch (error) {
              // One broken table must not hide the others.
              rows.push({ table, seq: 0, files: 0, rows: 0, error: error instanceof Error ? error.message : String(error) });
            }
          }
          if (json(options)) ctx.out(`${JSON.stringify(rows, null, 2)}\n`);
          else if (rows.length === 0) ctx.out(`no tables in ${store.description}\n`);
          else ctx.out(rows.map((r) => (r.error === undefined ? `${r.table}\tseq ${r.seq}\t${r.files} files\t${r.rows} rows` : `${r.table}\tERROR ${r.error}`)).join("\n") + "\n");
          return rows.some((r) => r.error !== undefined) ? 3 : 0;
        });
      },
    },
    show: {
      summary: "Show a table's manifest (latest, or --seq N): files, rows, stats",
      run: async (args, options, ctx) => {
        const table = requireTable(args, "show");
        const seq = positiveInteger(options["seq"], "--seq");
        const { readManifest } = await import("../../lake/manifest.ts");
        return withStore(ctx, async (store) => {
          const m = await readManifest(store, table, { ...(seq === undefined ? {} : { seq }), signal: ctx.signal });
          if (m === undefined) throw new UsageError("table_missing", `table "${table}" has no manifest in ${store.description}`);
          if (json(options)) ctx.out(`${JSON.stringify(m, null, 2)}\n`);
          else {
            const head = `${m.table} seq ${m.seq} (parent ${m.parent ?? "-"}, ${m.operation}, epoch ${m.writer_epoch}/${m.max_epoch}, ${m.created})`;
            ctx.out([head, ...m.files.map((f) => `  ${f.key}\t${f.rows} rows\t${f.bytes} B`)].join("\n") + "\n");
          }
          return 0;
        });
      },
    },
    verify: {
      summary: "Check every part of each table (or --table T) against its manifest entry: present, same size and ETag (exit 3 on a problem)",
      run: async (_args, options, ctx) => {
        const only = options["table"] === undefined ? undefined : String(options["table"]);
        const seq = positiveInteger(options["seq"], "--seq");
        if (seq !== undefined && only === undefined) throw new UsageError("invalid_option", "--seq needs --table (each table has its own seqs)");
        const { listTables } = await import("../../lake/manifest.ts");
        const { verifyTable } = await import("../../lake/verify.ts");
        return withStore(ctx, async (store) => {
          const tables = only === undefined ? await listTables(store, ctx.signal) : [only];
          const results = [];
          for (const table of tables) {
            try {
              results.push(await verifyTable(store, table, { ...(seq === undefined ? {} : { seq }), signal: ctx.signal }));
            } catch (error) {
              // One unreadable manifest must not hide the other tables' results.
              results.push({ table, error: error instanceof Error ? error.message : String(error) });
            }
          }
          if (json(options)) ctx.out(`${JSON.stringify(results, null, 2)}\n`);
          else if (results.length === 0) ctx.out(`no tables in ${store.description}\n`);
          else {
            const lines = results.flatMap((r) =>
              "error" in r
                ? [`${r.table}\tERROR ${r.error}`]
                : [
                    `${r.table}\tseq ${r.seq}\t${r.parts} parts\t${r.problems.length === 0 ? "ok" : `${r.problems.length} problem(s)`}`,
                    ...r.problems.map((p) => `  ${p.key}\t${p.problem}: ${p.detail}`),
                  ],
            );
            ctx.out(`${lines.join("\n")}\n`);
          }
          return results.some((r) => "error" in r || r.problems.length > 0) ? 3 : 0;
        });
      },
    },
    ls: {
      summary: "List keys under a prefix (default: everything)",
      run: async (args, options, ctx) =>
        withStore(ctx, async (store) => {
          const entries = [];
          for await (const entry of store.list(args[0] ?? "", { signal: ctx.signal })) entries.push(entry);
          ctx.out(json(options) ? `${JSON.stringify(entries, null, 2)}\n` : entries.map((e) => `${e.key}\t${e.size}`).join("\n") + (entries.length > 0 ? "\n" : ""));
          return 0;
        }),
    },
    probe: {
      summary: "Check the store's conditional writes (exit 3 when unsafe for several writers)",
      run: async (_args, options, ctx) => {
        const { probeStore, formatProbeReport } = await import("../../lake/probe.ts");
        return withStore(ctx, async (store) => {
          const report = await probeStore(store, ctx.signal);
          ctx.out(json(options) ? `${JSON.stringify(report, null, 2)}\n` : `${formatProbeReport(report)}\n`);
          return report.multiWriterSafe ? 0 : 3;
        });
      },
    },
    expire: {
      summary: "Trim a table's manifest history by the retention rule, keeping pinned seqs (dry-run by default; --apply deletes)",
      run: async (args, options, ctx) => {
        const table = requireTable(args, "expire");
        const keep = positiveInteger(options["keep"], "--keep");
        const days = nonNegative(options["olderThanDays"], "--older-than-days");
        const { expireManifests } = await import("../../lake/retention.ts");
        return withConfiguredStore(ctx, async (store, config) => {
          const retention = config.node.lake.retention;
          const result = await expireManifests(store, table, {
            keepLast: keep ?? retention.keep_manifests,
            olderThanMs: (days ?? retention.keep_days) * 86_400_000,
            apply: options["apply"] === true,
            signal: ctx.signal,
          });
          if (json(options)) ctx.out(`${JSON.stringify(result)}\n`);
          else {
            const verb = options["apply"] === true ? "expired" : "would expire (dry run; --apply to delete)";
            const range = result.expired.length === 0 ? "" : ` (seq ${result.expired.join(", ")})`;
            const pinned = result.pinned.length === 0 ? "" : `, of which pinned: seq ${result.pinned.join(", ")}`;
            ctx.out(`${table}: ${verb} ${result.expired.length} manifest(s)${range}; ${result.kept} kept${pinned}\n`);
          }
          return 0;
        });
      },
    },
    gc: {
      summary: "Garbage-collect orphaned parts (dry-run by default; --apply deletes); refuses outside a lake",
      run: async (_args, options, ctx) => {
        const graceOption = nonNegative(options["graceHours"], "--grace-hours");
        const { collectGarbage } = await import("../../lake/gc.ts");
        return withConfiguredStore(ctx, async (store, config) => {
          const graceHours = graceOption ?? config.node.lake.gc_grace_hours;
          const leaseTtlMs = Math.max(config.curator.leases.lease_seconds, config.node.lake.lease_seconds) * 1000;
          const report = await collectGarbage(store, { graceMs: graceHours * 3_600_000, leaseTtlMs, apply: options["apply"] === true, signal: ctx.signal });
          ctx.out(json(options) ? `${JSON.stringify(report, null, 2)}\n` : formatGcReport(report, graceHours));
          return 0;
        });
      },
    },
    pins: {
      summary: "List the snapshot pins of backtests, model runs and operators (state/pins/)",
      run: async (_args, options, ctx) => {
        const { listPins } = await import("../../lake/pins.ts");
        return withStore(ctx, async (store) => {
          const pins = await listPins(store, ctx.signal);
          if (json(options)) ctx.out(`${JSON.stringify(pins, null, 2)}\n`);
          else if (pins.length === 0) ctx.out("no pins\n");
          else {
            const line = (pin: (typeof pins)[number]): string =>
              `${pin.kind}/${pin.id}\t${Object.entries(pin.tables).map(([table, seqs]) => `${table}@${seqs.join(",")}`).join(" ")}${pin.expires_at === undefined ? "" : `\texpires ${pin.expires_at}`}${pin.note === undefined ? "" : `\t${pin.note}`}`;
            ctx.out(`${pins.map(line).join("\n")}\n`);
          }
          return 0;
        });
      },
    },
    pin: {
      summary: "Keep a table's manifest seq (and so its parts) through expiry and gc: lake pin <table> --seq N --id <id>",
      run: async (args, options, ctx) => {
        const table = requireTable(args, "pin");
        const seq = positiveInteger(options["seq"], "--seq");
        const id = options["id"];
        if (seq === undefined) throw new UsageError("missing_option", "trademl lake pin needs --seq <n>, the manifest seq to keep");
        if (typeof id !== "string" || id === "") throw new UsageError("missing_option", "trademl lake pin needs --id <id>, a name to find and remove the pin by");
        const note = typeof options["note"] === "string" ? options["note"] : undefined;
        const { pinSnapshots } = await import("../../lake/pins.ts");
        return withStore(ctx, async (store) => {
          const pin = await pinSnapshots(store, { kind: "manual", id, tables: { [table]: seq }, ...(note === undefined ? {} : { note }), signal: ctx.signal });
          ctx.out(json(options) ? `${JSON.stringify(pin, null, 2)}\n` : `pinned ${table} seq ${seq} as manual/${id}; remove with "trademl lake unpin manual/${id}"\n`);
          return 0;
        });
      },
    },
    unpin: {
      summary: "Remove a pin: lake unpin <kind>/<id> (its seqs become expirable)",
      run: async (args, _options, ctx) => {
        const { PIN_KINDS, removePin } = await import("../../lake/pins.ts");
        const [kind, id, ...extra] = (args[0] ?? "").split("/");
        const known = PIN_KINDS.find((k) => k === kind);
        if (known === undefined || id === undefined || id === "" || extra.length > 0) {
          throw new UsageError("invalid_argument", `trademl lake unpin needs <kind>/<id> with kind one of ${PIN_KINDS.join(", ")}, e.g. "manual/review-2024"; see "trademl lake pins"`);
        }
        return withStore(ctx, async (store) => {
          const removed = await removePin(store, known, id, ctx.signal);
          ctx.out(removed ? `removed pin ${known}/${id}\n` : `no pin ${known}/${id}\n`);
          return removed ? 0 : 3;
        });
      },
    },
  },
};
