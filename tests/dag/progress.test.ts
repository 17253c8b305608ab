// What a person and a machine see while DAG steps run: JSON log lines when stderr is not a terminal, readable text
// lines by default on a terminal, plain lines (no spinner) on a terminal that reports no size, and --log-format
// overriding either default.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** A stand-in for a pseudo-terminal's stderr that reports no size (as `script` without a terminal does). */
function sizelessTerminal(written: string[]): NodeJS.WriteStream {
  const stream = { isTTY: true, columns: 0, write: (text: string) => written.push(text) > 0 };
  return stream as unknown as NodeJS.WriteStream;
}

async function dagRun(argv: readonly string[], terminal: NodeJS.WriteStream | undefined): Promise<{ code: number; stderr: string }> {
  const dir = await mkdtemp(join(tmpdir(), "trademl-dag-progress-"));
  dirs.push(dir);
  let stderr = "";
  const code = await runCli(["dag", "run", "--steps", "collect", ...argv], {
    stdout: () => undefined,
    stderr: { write: (line) => (stderr += line) },
    env: { LAKE_ROOT: dir },
    cwd: process.cwd(),
    ...(terminal === undefined ? {} : { terminal }),
  });
  return { code, stderr };
}

describe("DAG progress output", () => {
  it("is one JSON line per event when stderr is not a terminal", async () => {
    const run = await dagRun([], undefined);
    expect(run.code, run.stderr).toBe(0);
    const events = run.stderr.trim().split("\n").map((line) => JSON.parse(line) as { msg: string; step?: string; status?: string });
    expect(events).toContainEqual(expect.objectContaining({ msg: "DAG step finished", step: "collect", status: "skipped" }));
  });

  it("is readable text lines by default on a terminal, and plain lines where a spinner cannot draw", async () => {
    const drawn: string[] = [];
    const run = await dagRun([], sizelessTerminal(drawn));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  DAG step finished step=collect status=skipped/m);
    expect(run.stderr).not.toContain("{\"time\"");
    expect(drawn).toEqual([]);
  });

  it("follows --log-format over either default; pretty is still accepted for text", async () => {
    expect((await dagRun(["--log-format", "json"], sizelessTerminal([]))).stderr).toMatch(/^\{"time":/);
    expect((await dagRun(["--log-format", "text"], undefined)).stderr).toMatch(/INFO  DAG step finished/);
    expect((await dagRun(["--log-format", "pretty"], undefined)).stderr).toMatch(/INFO  DAG step finished/);
    expect((await dagRun(["--log-format", "yaml"], undefined)).code).toBe(2);
  });
});
