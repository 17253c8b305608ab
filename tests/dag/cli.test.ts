// `trademl dag` as a user types it: the graph as text, JSON and DOT, a run and its status table, one step as an
// orchestrator runs it, and usage errors with exit 2. No vendor keys, so `collect` is recorded as skipped.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NIGHTLY_STEPS } from "../../src/dag/index.ts";
import { runTrademl } from "../helpers/cli.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function lakeEnv(): Promise<Record<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), "trademl-dag-cli-"));
  dirs.push(dir);
  return { LAKE_ROOT: dir };
}

describe("trademl dag", () => {
  it("prints the graph as JSON (every declared step, in order, with role and retries) and as DOT", async () => {
    const json = await runTrademl(["dag", "graph", "--json"]);
    expect(json.code, json.stderr).toBe(0);
    const graph = JSON.parse(json.stdout) as { format: number; steps: { name: string; depends_on: string[]; role: string; retries: number }[] };
    expect(graph.format).toBe(1);
    expect(graph.steps.map((s) => s.name)).toEqual(NIGHTLY_STEPS.map((s) => s.name));
    expect(graph.steps.find((s) => s.name === "reference")?.depends_on).toEqual(["curate"]);
    expect(graph.steps.every((s) => s.retries >= 1)).toBe(true);
    expect(graph.steps.filter((s) => s.role === "trainer").map((s) => s.name)).toEqual(["train", "shadow_score"]);
    expect(graph.steps.filter((s) => s.role !== "trainer").every((s) => s.role === "node")).toBe(true);
    const dot = await runTrademl(["dag", "graph", "--dot"]);
    expect(dot.stdout).toMatch(/^digraph trademl_dag \{/);
    expect(dot.stdout).toContain("curate -> reference;");
    const from = JSON.parse((await runTrademl(["dag", "graph", "--json", "--from", "curate"])).stdout) as { steps: { name: string }[] };
    expect(from.steps.map((s) => s.name)).toEqual(["curate", "reference", "report", "train", "shadow_score"]);
    const trainer = JSON.parse((await runTrademl(["dag", "graph", "--json", "--role", "trainer"])).stdout) as { steps: { name: string }[] };
    expect(trainer.steps.map((s) => s.name)).toEqual(["train", "shadow_score"]);
  });

  it("runs, shows the run as a table, and runs one step of a named run", async () => {
    const env = await lakeEnv();
    const run = await runTrademl(["dag", "run", "--steps", "collect", "--run", "cli-1", "--log-level", "silent"], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^run cli-1 /);
    const status = await runTrademl(["dag", "status", "--log-level", "silent"], env);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/step\s+state\s+duration\s+attempts/);
    expect(status.stdout).toMatch(/collect\s+skipped\s+\S+ m?s\s+1\n/);
    expect(status.stdout).toMatch(/  collect  no vendor has keys configured/);
    const step = await runTrademl(["dag", "step", "collect", "--run", "cli-2", "--log-level", "silent"], env);
    expect(step.code, step.stderr).toBe(0);
    expect(step.stdout).toContain("collect: skipped");
    const json = JSON.parse((await runTrademl(["dag", "status", "cli-2", "--json", "--log-level", "silent"], env)).stdout) as { run: string; steps: string[] };
    expect(json).toMatchObject({ run: "cli-2", steps: ["collect"] });
  });

  it("declares the leases the steps' functions really take (the runner waits for them)", async () => {
    const { AUDIT_LEASE } = await import("../../src/quality/audit/index.ts");
    const { BACKFILL_LEASE } = await import("../../src/quality/backfill/index.ts");
    const { CURATE_LEASE } = await import("../../src/curate/run-curation.ts");
    const lease = (name: string): string | undefined => NIGHTLY_STEPS.find((s) => s.name === name)?.lease;
    expect([lease("audit"), lease("backfill"), lease("curate")]).toEqual([AUDIT_LEASE, BACKFILL_LEASE, CURATE_LEASE]);
  });

  it("refuses bad usage with exit 2 and a sentence", async () => {
    const env = await lakeEnv();
    expect((await runTrademl(["dag", "graph", "--json", "--dot"])).code).toBe(2);
    const unknown = await runTrademl(["dag", "step", "nope", "--run", "x"], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no step "nope"');
    expect((await runTrademl(["dag", "step", "collect"], env)).code).toBe(2);
    expect((await runTrademl(["dag", "run", "--from", "zz"], env)).code).toBe(2);
    expect((await runTrademl(["dag", "run", "--run", "../escape"], env)).code).toBe(2);
    expect((await runTrademl(["dag", "status", "never"], env)).code).toBe(3);
  });
});
