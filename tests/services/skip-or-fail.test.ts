// The promise tests/helpers/services.ts makes, checked end to end with a nested vitest run over a fixture
// (tests/services/fixtures): without a service, suites that need it are skipped with the reason printed and the
// run passes; with CI=true the same suites FAIL, so CI can never go green by skipping.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const repoRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const scratch = mkdtempSync(join(tmpdir(), "trademl-skip-or-fail-"));

interface NestedRun {
  code: number;
  reportFile: string;
  output: string;
  report: { numPassedTests: number; numFailedTests: number; numPendingTests: number; testResults: unknown[] };
}

/** Runs the fixture under the same runtime as this test (Node or Deno) with the given environment. */
function runFixture(name: string, env: Record<string, string | undefined>): Promise<NestedRun> {
  const reportFile = join(scratch, `${name}.json`);
  const vitest = join(repoRoot, "node_modules/vitest/vitest.mjs");
  const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";
  const args = [
    ...(isDeno ? ["run", "-A"] : []),
    vitest,
    "run",
    "--config",
    "tests/services/fixtures/vitest.fixture.config.ts",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${reportFile}`,
  ];
  const childEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, ...env })) {
    if (value !== undefined) childEnv[key] = value;
  }
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.on("error", fail);
    child.on("close", (code) => {
      try {
        const report = JSON.parse(readFileSync(reportFile, "utf8")) as NestedRun["report"];
        done({ code: code ?? 1, reportFile, output, report });
      } catch (error) {
        fail(new Error(`nested vitest wrote no report (exit ${code}):\n${output}`, { cause: error }));
      }
    });
  });
}

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe("suites that need a missing service", () => {
  // The services are absent in three ways a user meets: switched off, and a machine without Go or Python
  // (simulated with TRADEML_GO/TRADEML_PYTHON pointing nowhere and an empty install cache).
  const runs = Promise.all([
    runFixture("off-local", { CI: undefined, TRADEML_SERVICES: "off", TRADEML_SERVICES_RUN_DIR: undefined }),
    runFixture("off-ci", { CI: "true", TRADEML_SERVICES: "off", TRADEML_SERVICES_RUN_DIR: undefined }),
    runFixture("no-tools", {
      CI: undefined,
      TRADEML_SERVICES: "all",
      TRADEML_SERVICES_RUN_DIR: undefined,
      TRADEML_SERVICES_DIR: join(scratch, "empty-cache"),
      TRADEML_GO: join(scratch, "no-such-go"),
      TRADEML_PYTHON: join(scratch, "no-such-python3"),
      // TRADEML_SERVICES=all also asks for the apt-installed tools: name missing ones so nothing is apt-installed.
      TRADEML_CHROMIUM: join(scratch, "no-such-chromium"),
      TRADEML_SHELLCHECK: join(scratch, "no-such-shellcheck"),
    }),
  ]);

  it("are skipped with the reason printed when not in CI, and the run passes", async () => {
    const [offLocal] = await runs;
    expect(offLocal.code).toBe(0);
    expect(offLocal.report.numFailedTests).toBe(0);
    expect(offLocal.report.numPassedTests).toBe(1);
    expect(offLocal.report.numPendingTests).toBe(2);
    expect(offLocal.output).toContain('skipping suite "fixture needing minio": MinIO unavailable (TRADEML_SERVICES=off)');
    expect(offLocal.output).toContain('skipping suite "fixture needing mlflow": MLflow unavailable (TRADEML_SERVICES=off)');
  });

  it("fail under CI=true, one failure per suite, while suites needing nothing still pass", async () => {
    const [, offCi] = await runs;
    expect(offCi.code).not.toBe(0);
    expect(offCi.report.numFailedTests).toBe(2);
    expect(offCi.report.numPassedTests).toBe(1);
    expect(offCi.output).toContain("MinIO is required (CI=true) but unavailable: TRADEML_SERVICES=off");
    expect(offCi.output).toContain("MLflow is required (CI=true) but unavailable: TRADEML_SERVICES=off");
  });

  it("are skipped naming the missing tool on a machine without Go or Python", async () => {
    const [, , noTools] = await runs;
    expect(noTools.code).toBe(0);
    expect(noTools.report.numPendingTests).toBe(2);
    expect(noTools.output).toMatch(/skipping suite "fixture needing minio": MinIO unavailable \(not installable on this machine: go not found/);
    expect(noTools.output).toMatch(/skipping suite "fixture needing mlflow": MLflow unavailable \(not installable on this machine: python3 not found/);
  });

  it("are counted by scripts/count-results.mjs into CI's last line, a missing report counting as a failure", async () => {
    const [offLocal, offCi] = await runs;
    const missing = join(scratch, "never-written.json");
    const counted = await new Promise<{ code: number; stdout: string }>((done, fail) => {
      const child = spawn(process.execPath, [
        ...(typeof (globalThis as { Deno?: unknown }).Deno !== "undefined" ? ["run", "-A"] : []),
        join(repoRoot, "scripts/count-results.mjs"),
        offLocal.reportFile,
        offCi.reportFile,
        missing,
      ]);
      let stdout = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
      child.on("error", fail);
      child.on("close", (code) => done({ code: code ?? 1, stdout }));
    });
    const lines = counted.stdout.trim().split("\n");
    const passed = offLocal.report.numPassedTests + offCi.report.numPassedTests;
    const failed = offLocal.report.numFailedTests + offCi.report.numFailedTests + 1;
    expect(lines.at(-1)).toBe(`${passed} passed, ${failed} failed`);
    expect(counted.code).toBe(1);
    expect(counted.stdout).toContain("FAILED");
    expect(counted.stdout).toContain("has MinIO available");
  });
});
