/**
 * `trademl lake …`: thin adapters over src/lake. The store comes from the environment (LAKE_ROOT, or
 * S3_ENDPOINT/S3_BUCKET/S3_REGION/AWS_*), validated by the config layer. Heavy modules load lazily.
 */
import { UsageError } from "../../domain/errors.ts";
import type { ObjectStore } from "../../lake/types.ts";
import type { CliContext, CommandOptions } from "../context.ts";
import type { GroupSpec } from "../group.ts";

async function withStore<T>(ctx: CliContext, work: (store: ObjectStore) => Promise<T>): Promise<T> {
  const { loadEnvironment } = await import("../../config/env.ts");
  const { openStore } = await import("../../lake/open-store.ts");
  const loaded = await loadEnvironment({ env: ctx.env, envFile: ctx.globals.envFile, cwd: ctx.cwd });
  const store = await openStore(loaded.lakeTarget);
  try {
    return await work(store);
  } finally {
    await store.close();
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
    { flags: "--apply", description: "lake gc: delete orphans (default: dry run)" },
    { flags: "--grace-hours <h>", description: "lake gc: only parts older than this are orphans (default 24)" },
    { flags: "--keep <n>", description: "lake expire: newest manifests always kept (default 10)" },
    { flags: "--older-than-days <d>", description: "lake expire: only manifests older than this (default 7)" },
  ],
  examples: [
    "trademl lake tables",
    "trademl lake show curated/equities_ohlcv_adj --seq 3",
    "trademl lake verify --table curated/equities_ohlcv_adj",
    "trademl lake probe",
    "trademl lake gc --apply",
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
          const report = await probeStore(store);
          ctx.out(json(options) ? `${JSON.stringify(report, null, 2)}\n` : `${formatProbeReport(report)}\n`);
          return report.multiWriterSafe ? 0 : 3;
        });
      },
    },
    expire: {
      summary: "Trim a table's manifest history (dry-run by default; --apply deletes)",
      run: async (args, options, ctx) => {
        const table = requireTable(args, "expire");
        const keepLast = positiveInteger(options["keep"], "--keep") ?? 10;
        const days = options["olderThanDays"] === undefined ? 7 : Number(options["olderThanDays"]);
        if (!Number.isFinite(days) || days < 0) throw new UsageError("invalid_option", `--older-than-days must be a non-negative number, got "${String(options["olderThanDays"])}"`);
        const { expireManifests } = await import("../../lake/manifest.ts");
        return withStore(ctx, async (store) => {
          const result = await expireManifests(store, table, { keepLast, olderThanMs: days * 86_400_000, apply: options["apply"] === true, signal: ctx.signal });
          if (json(options)) ctx.out(`${JSON.stringify(result)}\n`);
          else {
            const verb = options["apply"] === true ? "expired" : "would expire (dry run; --apply to delete)";
            const range = result.expired.length === 0 ? "" : ` (seq ${result.expired[0]}..${result.expired[result.expired.length - 1]})`;
            ctx.out(`${table}: ${verb} ${result.expired.length} manifest(s)${range}; ${result.kept} kept\n`);
          }
          return 0;
        });
      },
    },
    gc: {
      summary: "Garbage-collect orphaned parts (dry-run by default; --apply deletes)",
      run: async (_args, options, ctx) => {
        const graceHours = options["graceHours"] === undefined ? 24 : Number(options["graceHours"]);
        if (!Number.isFinite(graceHours) || graceHours < 0) throw new UsageError("invalid_option", `--grace-hours must be a non-negative number, got "${String(options["graceHours"])}"`);
        const { collectGarbage } = await import("../../lake/gc.ts");
        return withStore(ctx, async (store) => {
          const report = await collectGarbage(store, { graceMs: graceHours * 3_600_000, apply: options["apply"] === true, signal: ctx.signal });
          if (json(options)) ctx.out(`${JSON.stringify(report, null, 2)}\n`);
          else {
            const verb = report.applied ? "deleted" : "would delete (dry run; --apply to delete)";
            const bytes = report.orphans.reduce((sum, o) => sum + o.size, 0);
            ctx.out(
              [
                `${report.manifestsRead} manifests read, ${report.referenced} parts referenced`,
                `${verb}: ${report.orphans.length} orphan part(s), ${bytes} B${report.staleTemps > 0 ? `, ${report.staleTemps} stale temp file(s)` : ""}`,
                ...report.orphans.slice(0, 20).map((o) => `  ${o.key}`),
                `kept: ${report.young} unreferenced part(s) younger than ${graceHours} h`,
                ...(report.foreign.length > 0 ? [`foreign files (never deleted): ${report.foreign.length}`, ...report.foreign.slice(0, 20).map((k) => `  ${k}`)] : []),
              ].join("\n") + "\n",
            );
          }
          return 0;
        });
      },
    },
  },
};
