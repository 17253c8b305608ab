import type { StepSelection } from "../../dag/graph.ts";
import type { CommandOptions } from "../context.ts";
import type { GroupSpec } from "../group.ts";

function list(text: string | undefined): string[] | undefined {
  return text === undefined ? undefined : [...new Set(text.split(",").map((s) => s.trim()).filter((s) => s !== ""))];
}

async function selection(options: CommandOptions): Promise<StepSelection> {
  const { stringOption } = await import("../option-parsers.ts");
  const { UsageError } = await import("../../domain/errors.ts");
  const { STEP_ROLES } = await import("../../dag/types.ts");
  const steps = list(stringOption(options, "steps"));
  const from = stringOption(options, "from");
  const role = stringOption(options, "role");
  if (role !== undefined && !(STEP_ROLES as readonly string[]).includes(role)) throw new UsageError("bad_option", `--role must be ${STEP_ROLES.join(" or ")}, not "${role}"`);
  return {
    ...(steps === undefined ? {} : { steps }),
    ...(from === undefined ? {} : { from }),
    ...(role === "node" || role === "trainer" ? { role } : {}),
  };
}

export const dagCommand: GroupSpec = {
  name: "dag",
  summary: "The nightly DAG: run it, show a run, print the graph, run one step",
  options: [
    { flags: "--steps <list>", description: "Comma-separated steps to run (default: all)" },
    { flags: "--from <step>", description: "Run this step and everything downstream of it" },
    { flags: "--role <role>", description: "Only steps of this machine role: node or trainer" },
    { flags: "--run <id>", description: "Run id to resume or create (dag run, dag step)" },
    { flags: "--force", description: "Run steps even when their inputs are unchanged since their last success" },
    { flags: "--single-attempt", description: "dag step: one attempt; the orchestrator retries (Prefect)" },
    { flags: "--json", description: "Print JSON (graph: the adapter's input; status: the run record)" },
    { flags: "--dot", description: "graph: Graphviz DOT" },
  ],
  examples: ["trademl dag run", "trademl dag run --from curate", "trademl dag status", "trademl dag graph --dot | dot -Tsvg > dag.svg", "trademl dag step curate --run 2026-12-07-nightly"],
  actions: {
    run: {
      summary: "Run the DAG in this process (resume a run with --run ID)",
      options: ["steps", "from", "role", "run", "force", "json"],
      run: async (args, options, ctx) => {
        const { UsageError } = await import("../../domain/errors.ts");
        if (args.length > 0) throw new UsageError("unexpected_argument", `dag run takes no positional arguments, got "${args.join(" ")}"`);
        const { stringOption, flagOption } = await import("../option-parsers.ts");
        const { NIGHTLY_STEPS, checkGraph, selectSteps, runDag } = await import("../../dag/index.ts");
        const { assertRunId } = await import("../../dag/run-state.ts");
        const { formatRun } = await import("../../dag/format-run.ts");
        const { openConfiguredLake } = await import("../open-lake.ts");
        const { closeHttpPool } = await import("../../vendors/http.ts");
        const steps = selectSteps(checkGraph(NIGHTLY_STEPS), await selection(options));
        if (steps.length === 0) throw new UsageError("dag_nothing_selected", "the selection holds no step");
        const runId = stringOption(options, "run");
        if (runId !== undefined) assertRunId(runId);
        const { dagProgress } = await import("../dag-progress.ts");
        const progress = await dagProgress(ctx);
        const opened = await openConfiguredLake({ configDir: ctx.globals.configDir, env: ctx.env, envFile: ctx.globals.envFile, cwd: ctx.cwd });
        try {
          const result = await runDag({
            store: opened.store, config: opened.config, steps, logger: ctx.logger, signal: ctx.signal, force: flagOption(options, "force"),
            ...(runId === undefined ? {} : { runId }),
            onProgress: progress.onProgress,
          });
          if (flagOption(options, "json")) ctx.out(`${JSON.stringify(result.run, null, 2)}\n`);
          else ctx.out(formatRun(result.run));
          if (result.interrupted) return 130;
          return result.ok ? 0 : 3;
        } finally {
          progress.stop();
          await closeHttpPool();
          await opened.close();
        }
      },
    },
    status: {
      summary: "Show a run (default: the latest) as a table of steps with state and duration",
      usage: "dag status [RUN]",
      options: ["json"],
      run: async (args, options, ctx) => {
        const { UsageError, DataError } = await import("../../domain/errors.ts");
        if (args.length > 1) throw new UsageError("unexpected_argument", "dag status takes at most one run id");
        const { flagOption } = await import("../option-parsers.ts");
        const { listRuns, readRun } = await import("../../dag/run-state.ts");
        const { formatRun } = await import("../../dag/format-run.ts");
        const { openConfiguredLake } = await import("../open-lake.ts");
        const opened = await openConfiguredLake({ configDir: ctx.globals.configDir, env: ctx.env, envFile: ctx.globals.envFile, cwd: ctx.cwd });
        try {
          const wanted = args[0];
          const run = wanted === undefined ? (await listRuns(opened.store, ctx.signal))[0] : (await readRun(opened.store, wanted, ctx.signal))?.value;
          if (run === undefined) throw new DataError("dag_run_missing", wanted === undefined ? "no DAG run is recorded in this lake yet (trademl dag run)" : `no DAG run "${wanted}" in this lake`);
          if (flagOption(options, "json")) ctx.out(`${JSON.stringify(run, null, 2)}\n`);
          else ctx.out(formatRun(run));
          return 0;
        } finally {
          await opened.close();
        }
      },
    },
    graph: {
      summary: "Print the DAG: text (default), --json (for orchestrators) or --dot (Graphviz)",
      options: ["json", "dot", "steps", "from", "role"],
      run: async (_args, options, ctx) => {
        const { UsageError } = await import("../../domain/errors.ts");
        const { flagOption } = await import("../option-parsers.ts");
        const { NIGHTLY_STEPS, checkGraph, selectSteps, graphDot, graphJson, graphText } = await import("../../dag/index.ts");
        const json = flagOption(options, "json");
        const dot = flagOption(options, "dot");
        if (json && dot) throw new UsageError("bad_option", "--json and --dot exclude each other");
        const steps = selectSteps(checkGraph(NIGHTLY_STEPS), await selection(options));
        ctx.out(json ? `${JSON.stringify(graphJson(steps), null, 2)}\n` : dot ? graphDot(steps) : graphText(steps));
        return 0;
      },
    },
    step: {
      summary: "Run one step of a run (what an orchestrator calls): exit 0 when it succeeded or was skipped, 2 when it failed for good, 3 when a retry may help",
      usage: "dag step NAME --run RUN",
      options: ["run", "force", "single-attempt", "json"],
      run: async (args, options, ctx) => {
        const { UsageError } = await import("../../domain/errors.ts");
        const name = args[0];
        if (name === undefined || args.length > 1) throw new UsageError("missing_argument", "dag step takes one step name, e.g. trademl dag step curate --run RUN");
        const { requiredString, flagOption } = await import("../option-parsers.ts");
        const { NIGHTLY_STEPS, checkGraph, runStep } = await import("../../dag/index.ts");
        const { assertRunId, openRun } = await import("../../dag/run-state.ts");
        const { openConfiguredLake } = await import("../open-lake.ts");
        const { closeHttpPool } = await import("../../vendors/http.ts");
        const runId = requiredString(options, "run", "the run id this step belongs to");
        assertRunId(runId);
        const declared = checkGraph(NIGHTLY_STEPS).find((s) => s.name === name);
        if (declared === undefined) throw new UsageError("dag_unknown_step", `no step "${name}" (steps: ${NIGHTLY_STEPS.map((s) => s.name).join(", ")})`);
        const step = flagOption(options, "singleAttempt") ? { ...declared, retry: { ...declared.retry, attempts: 1 } } : declared;
        const opened = await openConfiguredLake({ configDir: ctx.globals.configDir, env: ctx.env, envFile: ctx.globals.envFile, cwd: ctx.cwd });
        try {
          await openRun(opened.store, runId, [step.name], ctx.signal);
          const record = await runStep(step, { store: opened.store, config: opened.config, runId, logger: ctx.logger, signal: ctx.signal, force: flagOption(options, "force") });
          ctx.out(flagOption(options, "json") ? `${JSON.stringify(record)}\n` : `${step.name}: ${record.status}${record.summary === undefined ? "" : ` — ${record.summary}`}\n`);
          // 2 tells an orchestrator the failure is permanent (orchestration/prefect/ does not retry it); 3 may pass.
          if (record.status === "succeeded" || record.status === "skipped") return 0;
          return record.permanent === true ? 2 : 3;
        } finally {
          await closeHttpPool();
          await opened.close();
        }
      },
    },
  },
};
