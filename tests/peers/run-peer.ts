/**
 * Runs one of the Python peer scripts in tests/peers/ with the pypeers virtualenv: a JSON request on stdin, a JSON
 * answer on stdout. One process answers a whole batch of cases, so many random configurations cost one start-up.
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const peersDir = dirname(fileURLToPath(import.meta.url));

export function runPeer<T>(python: string, script: string, request: unknown): Promise<T> {
  return new Promise((done, fail) => {
    const child = spawn(python, [join(peersDir, script)], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, PYTHONWARNINGS: "ignore" } });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", fail);
    child.on("close", (code) => {
      if (code !== 0) {
        fail(new Error(`${script} exited ${code}: ${stderr.trim().split("\n").slice(-5).join("\n")}`));
        return;
      }
      try {
        done(JSON.parse(stdout) as T);
      } catch (error) {
        fail(new Error(`${script} printed no JSON: ${stdout.slice(0, 200)}`, { cause: error }));
      }
    });
    child.stdin.end(JSON.stringify(request));
  });
}
