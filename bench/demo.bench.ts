/**
 * `trademl demo` as a new user runs it (README: "under a minute, a second run a few seconds"): a first run into an
 * empty folder (collect from the simulator, the option sessions, the node's DAG and the report), then a second run
 * over the same lake (nothing new to collect, every DAG step skipped). Each run is its own child process
 * (bench/child-run.ts): wall time and the child's peak RSS. This replaces the wall-clock assertions the demo tests
 * used to carry; a timed unit test fails on a busy CI machine and says nothing on a quiet one.
 *
 * Run: npm run build:ts && npm run bench -- demo   (TRADEML_BENCH_DEMO_RUNS: first runs to take, default 2)
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { runCli, type ChildRun } from "./child-run.ts";

const runs = Number(process.env["TRADEML_BENCH_DEMO_RUNS"] ?? 2);

function checked(what: string, run: ChildRun): ChildRun {
  if (run.code !== 0) throw new Error(`${what} exited ${String(run.code)}:\n${run.stderr.slice(-2000)}`);
  return run;
}

function row(label: string, run: ChildRun): string {
  return `| ${label} | ${(run.ms / 1000).toFixed(1)} s | ${run.maxRssMiB.toFixed(0)} MiB |`;
}

const lines = ["| run | wall time | peak RSS |", "|---|---|---|"];
for (let i = 0; i < runs; i++) {
  const dir = await mkdtemp(path.join(tmpdir(), "trademl-bench-demo-"));
  try {
    const lake = path.join(dir, "lake-demo");
    const first = checked("first demo", await runCli(["demo", "--lake", lake, "--log-level", "warn"]));
    lines.push(row(`first run into an empty folder (#${i + 1})`, first));
    const second = checked("second demo", await runCli(["demo", "--lake", lake, "--log-level", "warn"]));
    lines.push(row(`second run, same lake (#${i + 1})`, second));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
console.log(lines.join("\n"));
