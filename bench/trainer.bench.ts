/**
 * A full `trademl trainer run --model equities_xs` (issue 14): data gate → point-in-time dataset → CPCV training of
 * the configured candidates (configs/training/equities_xs.yml) → gates → backtest written to the lake, on
 *   - the research demo lake of docs/training.md (30 names × 400 calendar days), and
 *   - a synthetic lake of TRADEML_BENCH_TRAINER_SYMBOLS names × TRADEML_BENCH_TRAINER_DAYS calendar days
 *     (default 500 × 3650, the issue's 500 names × 10 years).
 * Each lake is built by `trademl demo` (the simulator's market with its planted factor, collected, audited, curated
 * and given reference data by the node's DAG); the build is timed too but is not the figure. Each trainer run is its
 * own child process (bench/child-run.ts): wall time and the child's peak RSS (DuckDB's native memory included).
 *
 * MLflow is left out on purpose (no MLFLOW_TRACKING_URI): the run stops after the backtest with
 * `mlflow_not_configured`, which the bench checks for; logging and registering a model is network I/O to a server,
 * not the trainer's work, and the test services' server is not left running for a benchmark.
 *
 * Run: npm run build:ts && npm run bench -- trainer
 * Sizes: TRADEML_BENCH_TRAINER_SYMBOLS, TRADEML_BENCH_TRAINER_DAYS (the large lake), TRADEML_BENCH_TRAINER_SKIP_LARGE=1,
 * TRADEML_BENCH_TRAINER_SKIP_DEMO=1 (only the large lake),
 * TRADEML_BENCH_TRAINER_TIMEOUT_MIN (per child, default 60).
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { REPO_ROOT, runCli, type ChildRun } from "./child-run.ts";

const RESEARCH_SYMBOLS = "AAPL,MSFT,NVDA,AMZN,GOOG,META,TSLA,JPM,V,WMT,XOM,JNJ,PG,MA,HD,CVX,ABBV,KO,PEP,COST,MRK,BAC,ORCL,CRM,AMD,NFLX,ADBE,INTC,CSCO,DIS".split(",");
const largeSymbols = Number(process.env["TRADEML_BENCH_TRAINER_SYMBOLS"] ?? 500);
const largeDays = Number(process.env["TRADEML_BENCH_TRAINER_DAYS"] ?? 3650);
const skipLarge = process.env["TRADEML_BENCH_TRAINER_SKIP_LARGE"] === "1";
const skipDemo = process.env["TRADEML_BENCH_TRAINER_SKIP_DEMO"] === "1";
const timeoutMs = Number(process.env["TRADEML_BENCH_TRAINER_TIMEOUT_MIN"] ?? 60) * 60_000;

/** Synthetic tickers after the research names: S0031, S0032, … (the simulator prices any valid ticker). */
function universe(count: number): string[] {
  const names = RESEARCH_SYMBOLS.slice(0, count);
  for (let i = names.length + 1; names.length < count; i++) names.push(`S${String(i).padStart(4, "0")}`);
  return names;
}

function fail(what: string, run: ChildRun): never {
  throw new Error(`${what} exited with ${String(run.code)}\n${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`);
}

const fmt = (run: ChildRun): string => `${(run.ms / 1000).toFixed(1).padStart(7)} s   peak RSS ${run.maxRssMiB.toFixed(0).padStart(5)} MiB`;

async function measure(label: string, symbols: readonly string[], days: number): Promise<void> {
  const lake = await mkdtemp(path.join(tmpdir(), "trademl-bench-trainer-"));
  try {
    const env = { LAKE_ROOT: lake, MLFLOW_TRACKING_URI: undefined, TRADEML_CONFIG_DIR: path.join(REPO_ROOT, "configs") };
    const build = await runCli(["demo", "--symbols", symbols.join(","), "--days", String(days), "--lake", lake], { env, timeoutMs });
    if (build.code !== 0) fail(`trademl demo (${label})`, build);
    console.log(`${label}: lake build (trademl demo, not the figure)        ${fmt(build)}`);
    // The GREEN window the lake can meet: whole years of its history, at least one.
    const windowYears = Math.max(1, Math.floor(days / 365) - 1);
    const run = await runCli(["trainer", "run", "--model", "equities_xs", "--window-years", String(windowYears)], { env, timeoutMs });
    if (!run.stdout.includes("[5/6] backtest") || !`${run.stdout}${run.stderr}`.includes("mlflow_not_configured")) fail(`trademl trainer run (${label})`, run);
    const dataset = /\n\s+(\d+) rows, (\d+) dates .*?, (\d+) names, (\d+) features/.exec(run.stdout);
    console.log(`${label}: trainer run (gate → dataset → CPCV → gates → backtest)  ${fmt(run)}   panel ${dataset?.[1] ?? "?"} rows × ${dataset?.[4] ?? "?"} features, ${dataset?.[2] ?? "?"} dates, ${dataset?.[3] ?? "?"} names`);
    for (const line of run.stdout.split("\n").filter((l) => /^\s+(ridge|gbdt|selected)/.test(l) || l.startsWith("[3/6]"))) console.log(`    ${line.trim()}`);
  } finally {
    await rm(lake, { recursive: true, force: true });
  }
}

if (!existsSync(path.join(REPO_ROOT, "dist", "cli", "main.js"))) throw new Error("dist/ is missing: run `npm run build:ts` first");
console.log("trainer run of equities_xs, each in its own process (MLflow not configured: stops after the backtest)");
if (!skipDemo) await measure(`research demo (${RESEARCH_SYMBOLS.length} names x 400 days)`, RESEARCH_SYMBOLS, 400);
if (!skipLarge) await measure(`synthetic (${largeSymbols} names x ${largeDays} days)`, universe(largeSymbols), largeDays);
