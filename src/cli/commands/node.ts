import type { GroupSpec } from "../group.ts";

export const nodeCommand: GroupSpec = {
  name: "node",
  summary: "Pi node: continuous edge collection and the nightly DAG",
  options: [
    { flags: "--once", description: "Run one collection pass and exit" },
    { flags: "--symbols <list>", description: "Comma-separated universe (default: a small liquid set)" },
    { flags: "--interval-minutes <n>", description: "Minutes between collection passes when looping (default 15)" },
  ],
  actions: {
    up: {
      summary: "Start the node loop (edge collection passes; --once for a single pass)",
      run: async (_args, options, ctx) => {
        const { UsageError } = await import("../../domain/errors.ts");
        const { openConfiguredLake } = await import("../open-lake.ts");
        const { runNodePass } = await import("../../ingest/node-pass.ts");
        const { formatCollection } = await import("../../ingest/report.ts");
        const { sleep } = await import("../../domain/sleep.ts");
        const { closeHttpPool } = await import("../../vendors/http.ts");
        const rawSymbols = options["symbols"];
        const universe = rawSymbols === undefined ? undefined : String(rawSymbols).split(",").map((s) => s.trim().toUpperCase()).filter(Boolean);
        const interval = Number(options["intervalMinutes"] ?? 15);
        if (!Number.isFinite(interval) || interval <= 0) throw new UsageError("bad_option", `--interval-minutes must be a positive number, not "${String(options["intervalMinutes"])}"`);
        const { config, store, close } = await openConfiguredLake({ configDir: ctx.globals.configDir, env: ctx.env, envFile: ctx.globals.envFile, cwd: ctx.cwd });
        try {
          for (;;) {
            const pass = await runNodePass({ config, store, logger: ctx.logger, signal: ctx.signal, ...(universe ? { universe } : {}) });
            for (const s of pass.skippedVendors) ctx.out(`skipped ${s.vendor}: ${s.reason}\n`);
            if (!pass.report) ctx.out("nothing collected: no vendor has keys configured; see .env.example\n");
            else ctx.out(`${formatCollection(pass.report)}\n`);
            if (options["once"] || ctx.signal.aborted || !pass.report) return pass.report?.interrupted ? 130 : 0;
            await sleep(interval * 60_000, ctx.signal).catch(() => undefined);
            if (ctx.signal.aborted) return 130;
          }
        } finally {
          await closeHttpPool();
          await close();
        }
      },
    },
  },
};
