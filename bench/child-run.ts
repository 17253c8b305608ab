/**
 * Runs one command in a child process and measures its wall time and peak RSS (benchmarks that time a whole job:
 * trainer.bench.ts, dag.bench.ts). The peak comes from the child itself: a Node child gets bench/report-rss.mjs
 * preloaded, which writes `process.resourceUsage().maxRSS` at exit; the parent's own memory never counts.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

export interface ChildRun {
  readonly ms: number;
  /** Peak RSS of the child in MiB; NaN when it did not report (it was killed). */
  readonly maxRssMiB: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export const BENCH_DIR = import.meta.dirname ?? path.resolve("bench");
export const REPO_ROOT = path.resolve(BENCH_DIR, "..");

/** `node [--import tsx] --import bench/report-rss.mjs <script> ...args`, from the repository root. */
export async function runNodeChild(script: string, args: readonly string[], options: { readonly env?: Readonly<Record<string, string | undefined>>; readonly tsx?: boolean; readonly timeoutMs?: number } = {}): Promise<ChildRun> {
  const scratch = await mkdtemp(path.join(tmpdir(), "trademl-bench-rss-"));
  const rssFile = path.join(scratch, "maxrss");
  const nodeArgs = [...(options.tsx === true ? ["--import", "tsx"] : []), "--import", path.join(BENCH_DIR, "report-rss.mjs"), script, ...args];
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...process.env, ...options.env })) if (value !== undefined) env[name] = value;
  env["TRADEML_BENCH_RSS_FILE"] = rssFile;
  try {
    const started = performance.now();
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, nodeArgs, { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
      const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill("SIGTERM"), options.timeoutMs);
      child.on("error", reject);
      child.on("close", (exit) => {
        if (timer !== undefined) clearTimeout(timer);
        resolve({ code: exit, stdout: out, stderr: err });
      });
    });
    const ms = performance.now() - started;
    const kib = Number(await readFile(rssFile, "utf8").catch(() => "NaN"));
    return { ms, maxRssMiB: kib / 1024, code, stdout, stderr };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The CLI as users run it (bin/trademl.js over dist/: run `npm run build:ts` after changing src/). */
export function runCli(args: readonly string[], options: { readonly env?: Readonly<Record<string, string | undefined>>; readonly timeoutMs?: number } = {}): Promise<ChildRun> {
  return runNodeChild(path.join(REPO_ROOT, "bin", "trademl.js"), args, options);
}
