/** Runs one of the repository's shell scripts as a real process (Node and Deno alike) and captures its output. */
import { spawn } from "node:child_process";

export interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runScript(command: string, args: readonly string[], env: Record<string, string | undefined> = {}, cwd?: string): Promise<ScriptRun> {
  const childEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, ...env })) {
    if (value !== undefined) childEnv[key] = value;
  }
  return new Promise((done, fail) => {
    const child = spawn(command, args, { env: childEnv, stdio: ["ignore", "pipe", "pipe"], ...(cwd === undefined ? {} : { cwd }) });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", fail);
    child.on("close", (code) => done({ code: code ?? 1, stdout, stderr }));
  });
}
