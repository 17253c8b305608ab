/** Runs the CLI in-process and captures what it writes. */
import { runCli } from "../../src/cli/main.ts";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runTrademl(
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
  cwd = process.cwd(),
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
      stdout: (text) => {
        stdout += text;
      },
      stderr: {
        write: (line) => {
          stderr += line;
        },
      },
      env,
      cwd,
    });
  return { code, stdout, stderr };
}
