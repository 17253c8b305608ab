/**
 * Spawns a TypeScript worker script as a real separate OS process, under the runtime running the tests:
 * Node (through tsx's loader) or Deno (`deno run -A`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";

export function workerPath(name: string): string {
  return fileURLToPath(new URL(`./${name}`, import.meta.url));
}

export function spawnWorker(script: string, args: readonly string[]): ChildProcess {
  const argv = isDeno ? ["run", "-A", "--quiet", script, ...args] : ["--import", "tsx", script, ...args];
  return spawn(process.execPath, argv, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_NO_WARNINGS: "1" } });
}

export interface WorkerOutput {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function collect(child: ChildProcess): Promise<WorkerOutput> {
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
