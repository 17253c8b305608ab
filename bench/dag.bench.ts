/**
 * What the DAG costs around its steps (issue 15), and a nightly run at node scale.
 *
 * 1. Overhead per step, in process, on the default demo lake (5 symbols, collected from the simulator): the nightly
 *    steps from `audit` on (audit, backfill, curate, reference, report) run by `runDag`, each step's own `run`
 *    timed inside a wrapper; a step's DAG overhead is the wall time between the end of the previous step and its
 *    own end, minus its own work: the step lease, the run-state object's writes (running, attempt, finished), the
 *    input/output table seqs and its last-success record. Three runs: the first night (every step works), the
 *    next night with nothing new (table-input steps are skipped on unchanged inputs), and, as the baseline of pure
 *    overhead, a DAG of five no-op steps (TRADEML_BENCH_DAG_NOOP_RUNS runs, median).
 * 2. A nightly run on a TRADEML_BENCH_DAG_SYMBOLS-symbol (default 500) synthetic lake: the simulator's market
 *    collected by the demo's collector (collection only, a child process, not the figure), then
 *    `trademl dag run --from audit` in its own child process under the Pi DuckDB preset (configs/node.yml
 *    `duckdb`: memory_limit 768MB, 2 threads): wall time and peak RSS.
 *
 * A collection that does not commit every unit fails the bench (the child's summary and warnings are printed).
 *
 * Run: npm run build:ts && npm run bench -- dag   (TRADEML_BENCH_DAG_PARTS=scale: part 2 only)
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { loadConfig } from "../src/config/index.ts";
import { NIGHTLY_STEPS } from "../src/dag/nightly-steps.ts";
import { runDag } from "../src/dag/runner.ts";
import type { DagStep } from "../src/dag/types.ts";
import { runDemo } from "../src/demo/run-demo.ts";
import { createLogger } from "../src/domain/logger.ts";
import { formatCollection, formatTableSummaries } from "../src/ingest/report.ts";
import { LocalStore } from "../src/lake/local-store.ts";
import { readManifest } from "../src/lake/manifest.ts";
import { REPO_ROOT, runCli, runNodeChild, type ChildRun } from "./child-run.ts";

const CONFIG_DIR = path.join(REPO_ROOT, "configs");
const symbolsAtScale = Number(process.env["TRADEML_BENCH_DAG_SYMBOLS"] ?? 500);
const noopRuns = Number(process.env["TRADEML_BENCH_DAG_NOOP_RUNS"] ?? 5);
/** Which parts run: "overhead" (1), "scale" (2); default both. */
const parts = new Set((process.env["TRADEML_BENCH_DAG_PARTS"] ?? "overhead,scale").split(",").map((p) => p.trim()));

// Child mode: collect a synthetic lake of N symbols (the demo's collection, no DAG) into LAKE.
if (process.argv[2] === "--child-collect") {
  const lakeDir = process.argv[3] ?? "";
  const count = Number(process.argv[4] ?? 0);
  const symbols = Array.from({ length: count }, (_, i) => `S${String(i + 1).padStart(4, "0")}`);
  // Warnings (a unit that failed, a commit that did not land) go to stderr: the parent shows them when units are missing.
  const result = await runDemo({ lakeDir, symbols, steps: [], logger: createLogger({ level: "warn", format: "text" }) });
  const { units, committed, failed } = result.report;
  process.stdout.write(`${formatCollection(result.report)}\n${formatTableSummaries(result.tables)}\n`);
  process.stdout.write(`${JSON.stringify({ through: result.report.through, units, committed, failed })}\n`);
  // A lake missing units is not the lake the figure claims to measure (RESULTS.md once reported a nightly run over
  // 527 of 2,558 units): refuse it here rather than time the DAG over it.
  process.exit(committed === units && failed === 0 ? 0 : 3);
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
};

interface StepTiming { readonly step: string; readonly status: string; readonly wallMs: number; readonly ownMs: number }

/** Runs `steps` through runDag and splits each step's wall time into its own work and the DAG's overhead. */
async function timedRun(store: LocalStore, config: Awaited<ReturnType<typeof loadConfig>>, steps: readonly DagStep[], through: string): Promise<StepTiming[]> {
  const own = new Map<string, number>();
  const wrapped = steps.map((step): DagStep => ({
    ...step,
    async run(ctx) {
      const started = performance.now();
      try {
        return await step.run(ctx);
      } finally {
        own.set(step.name, (own.get(step.name) ?? 0) + performance.now() - started);
      }
    },
  }));
  const timings: StepTiming[] = [];
  let last = performance.now();
  await runDag({
    store, config, steps: wrapped, through,
    onProgress(event) {
      if (event.kind !== "done") return;
      const now = performance.now();
      timings.push({ step: event.step, status: event.record.status, wallMs: now - last, ownMs: own.get(event.step) ?? 0 });
      last = now;
    },
  });
  return timings;
}

function printRun(title: string, timings: readonly StepTiming[]): void {
  console.log(title);
  for (const t of timings) {
    console.log(`  ${t.step.padEnd(10)} ${t.status.padEnd(9)} wall ${t.wallMs.toFixed(0).padStart(7)} ms   own work ${t.ownMs.toFixed(0).padStart(7)} ms   DAG overhead ${(t.wallMs - t.ownMs).toFixed(0).padStart(5)} ms`);
  }
  const wall = timings.reduce((s, t) => s + t.wallMs, 0);
  const ownTotal = timings.reduce((s, t) => s + t.ownMs, 0);
  console.log(`  total      wall ${wall.toFixed(0)} ms, own work ${ownTotal.toFixed(0)} ms, overhead ${(wall - ownTotal).toFixed(0)} ms (${(((wall - ownTotal) / Math.max(1, wall)) * 100).toFixed(1)} % of the run)`);
}

const fmt = (run: ChildRun): string => `${(run.ms / 1000).toFixed(1).padStart(7)} s   peak RSS ${run.maxRssMiB.toFixed(0).padStart(5)} MiB`;

const work = await mkdtemp(path.join(tmpdir(), "trademl-bench-dag-"));
try {
  // 1. Overhead per step on the demo lake (TRADEML_BENCH_DAG_PARTS=scale skips it).
  if (parts.has("overhead")) {
    const lakeDir = path.join(work, "demo");
    const demo = await runDemo({ lakeDir, steps: [] });
    const config = await loadConfig({ configDir: CONFIG_DIR, env: { LAKE_ROOT: lakeDir }, envFile: false });
    const store = new LocalStore({ root: lakeDir });
    const fromAudit = NIGHTLY_STEPS.filter((s) => s.name !== "collect");
    console.log(`demo lake: ${demo.report.committed} unit(s) committed through ${demo.report.through}`);
    printRun("first night (every step works):", await timedRun(store, config, fromAudit, demo.report.through));
    printRun("next night, nothing new (table-input steps skipped):", await timedRun(store, config, fromAudit, demo.report.through));
    const noop = Array.from({ length: 5 }, (_, i): DagStep => ({
      name: `noop_${i}`, summary: "no work", dependsOn: i === 0 ? [] : [`noop_${i - 1}`], role: "node",
      retry: { attempts: 1, baseMs: 0, capMs: 0 }, timeoutMs: 60_000, lease: undefined, inputs: { kind: "external" }, outputs: [],
      run: () => Promise.resolve({ status: "succeeded", summary: "nothing" }),
    }));
    const perStep: number[] = [];
    for (let i = 0; i < noopRuns; i++) for (const t of await timedRun(store, config, noop, demo.report.through)) perStep.push(t.wallMs - t.ownMs);
    console.log(`baseline: a no-op step costs the DAG ${median(perStep).toFixed(1)} ms (median of ${perStep.length}; lease, run-state writes, seqs)`);
    await store.close();
  }

  // 2. A nightly run on a synthetic lake of N symbols, Pi preset (TRADEML_BENCH_DAG_PARTS=overhead skips it).
  if (parts.has("scale")) {
    const bigLake = path.join(work, `lake-${symbolsAtScale}`);
    const collected = await runNodeChild(path.join(REPO_ROOT, "bench", "dag.bench.ts"), ["--child-collect", bigLake, String(symbolsAtScale)], { tsx: true });
    if (collected.code !== 0) throw new Error(`collection of ${symbolsAtScale} symbols did not commit every unit (exit ${String(collected.code)})\n${collected.stdout}\n${collected.stderr.slice(-4000)}`);
    console.log(`${symbolsAtScale}-symbol lake: collection (demo collector, not the figure) ${fmt(collected)}`);
    for (const line of collected.stdout.trim().split("\n")) console.log(`    ${line}`);
    const nightly = await runCli(["dag", "run", "--from", "audit"], { env: { LAKE_ROOT: bigLake, TRADEML_CONFIG_DIR: CONFIG_DIR, MLFLOW_TRACKING_URI: undefined } });
    if (nightly.code !== 0) throw new Error(`trademl dag run exited with ${String(nightly.code)}\n${nightly.stdout.slice(-3000)}\n${nightly.stderr.slice(-2000)}`);
    console.log(`${symbolsAtScale}-symbol lake: nightly \`trademl dag run --from audit\` (Pi preset: 768MB, 2 threads) ${fmt(nightly)}`);
    for (const line of nightly.stdout.split("\n").filter((l) => /^\s*(audit|backfill|curate|reference|report)\b/.test(l))) console.log(`    ${line.trim()}`);
    // What the night curated, from the curated tables' manifests (the step's line counts parts and symbols).
    const bigStore = new LocalStore({ root: bigLake });
    for (const table of ["curated/equities_ohlcv_adj", "curated/equities_minute_adj"]) {
      const files = (await readManifest(bigStore, table))?.files ?? [];
      const symbols = new Set(files.flatMap((f) => f.symbols ?? []));
      console.log(`    ${table}: ${files.reduce((n, f) => n + f.rows, 0)} row(s) in ${files.length} part(s), ${symbols.size} symbol(s)`);
    }
    await bigStore.close();
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
