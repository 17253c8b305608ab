import type { GroupSpec } from "../group.ts";

const UNIVERSE_SOURCES = {
  given: "from --symbols",
  reference: "from reference index membership (edge.yml universe_indexes)",
  fallback: "from edge.yml universe (no reference index membership yet: run `trademl reference`)",
} as const;

export const nodeCommand: GroupSpec = {
  name: "node",
  summary: "Pi node: continuous edge collection and the nightly DAG",
  options: [
    { flags: "--once", description: "Run one collection pass and exit" },
    { flags: "--symbols <list>", description: "Comma-separated universe (default: the reference index members of edge.yml universe_indexes; edge.yml universe until reference data exists)" },
    { flags: "--interval-minutes <n>", description: "Minutes between collection passes when looping (default: node.yml schedule.collect_interval_minutes)" },
  ],
  actions: {
    up: {
      summary: "Start the node loop: collection passes all day, the nightly DAG after each session's close (--once: one pass)",
      run: async (_args, options, ctx) => {
        const { UsageError } = await import("../../domain/errors.ts");
        const { openConfiguredLake } = await import("../open-lake.ts");
        const { runNodePass } = await import("../../ingest/node-pass.ts");
        const { formatCollection } = await import("../../ingest/report.ts");
        const { sleep } = await import("../../domain/sleep.ts");
        const { closeHttpPool } = await import("../../vendors/http.ts");
        const { keySegmentProblem } = await import("../../lake/keys.ts");
        const rawSymbols = options["symbols"];
        const universe = rawSymbols === undefined ? undefined : String(rawSymbols).split(",").map((s) => s.trim().toUpperCase()).filter(Boolean);
        if (universe !== undefined) {
          // Symbols become lake key segments: check them with the lake's rule before any vendor is asked.
          if (universe.length === 0) throw new UsageError("bad_option", "--symbols needs at least one symbol, e.g. --symbols AAPL,MSFT");
          const problems = universe.map(keySegmentProblem).filter((p): p is string => p !== undefined);
          if (problems.length > 0) throw new UsageError("bad_option", `--symbols: ${problems.join("; ")}`);
        }
        const { optionalNumber } = await import("../option-parsers.ts");
        const intervalOption = optionalNumber(options, "intervalMinutes", { greaterThan: 0 });
        const { config, store, close } = await openConfiguredLake({ configDir: ctx.globals.configDir, env: ctx.env, envFile: ctx.globals.envFile, cwd: ctx.cwd });
        try {
          let interrupted = false;
          const pass = async (): Promise<boolean> => {
            const result = await runNodePass({ config, store, logger: ctx.logger, signal: ctx.signal, ...(universe ? { universe } : {}) });
            for (const s of result.skippedVendors) ctx.out(`skipped ${s.vendor}: ${s.reason}\n`);
            if (result.universe !== undefined) ctx.out(`universe: ${result.universe.symbols.length} symbol(s) ${UNIVERSE_SOURCES[result.universe.source]}\n`);
            if (!result.report) ctx.out("nothing collected: no vendor has keys configured; see .env.example\n");
            else ctx.out(`${formatCollection(result.report)}\n`);
            interrupted = result.report?.interrupted ?? false;
            return result.report !== undefined;
          };
          if (options["once"]) {
            await pass();
            return interrupted ? 130 : 0;
          }
          const { runNodeLoop } = await import("../../dag/node-loop.ts");
          const { NIGHTLY_STEPS, checkGraph, selectSteps, runDag, readRun } = await import("../../dag/index.ts");
          const { formatRun } = await import("../../dag/format-run.ts");
          const { dagProgress } = await import("../dag-progress.ts");
          const schedule = config.node.schedule;
          await runNodeLoop({
            intervalMs: (intervalOption ?? schedule.collect_interval_minutes) * 60_000,
            nightly: schedule.nightly.enabled ? { afterCloseMinutes: schedule.nightly.after_close_minutes } : undefined,
            now: () => Date.now(),
            sleep: (ms, signal) => sleep(ms, signal),
            signal: ctx.signal,
            collectPass: pass,
            nightlyEnded: async (runId) => {
              const run = (await readRun(store, runId, ctx.signal))?.value;
              return run !== undefined && Object.values(run.records).every((r) => r.status !== "pending" && r.status !== "running");
            },
            runNightly: async (session, runId) => {
              ctx.logger.info("nightly DAG starting", { session, run: runId });
              const progress = await dagProgress(ctx);
              const result = await runDag({
                store, config, steps: selectSteps(checkGraph(NIGHTLY_STEPS), { role: "node" }), runId, through: session, logger: ctx.logger, signal: ctx.signal,
                onProgress: progress.onProgress, ...(universe ? { universe } : {}),
              }).finally(() => progress.stop());
              ctx.out(`nightly DAG for ${session}:\n${formatRun(result.run)}`);
            },
          });
          return ctx.signal.aborted ? 130 : 0;
        } finally {
          await closeHttpPool();
          await close();
        }
      },
    },
  },
};
