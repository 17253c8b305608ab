// The in-process DAG runner over a real LocalStore: dependency order, retries with backoff, failures that stop only
// their dependants, steps skipped when their inputs did not change, and two runners on one lake that never run
// (and so never commit) one step twice.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, type TrademlConfig } from "../../src/config/index.ts";
import { packageConfigDir } from "../../src/config/package-config-dir.ts";
import { checkGraph, runDag, selectSteps, type DagStep } from "../../src/dag/index.ts";
import { readRun } from "../../src/dag/run-state.ts";
import { DataError, UsageError } from "../../src/domain/errors.ts";
import { commitParts, listSeqs, newPartKey } from "../../src/lake/index.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import type { ObjectStore } from "../../src/lake/types.ts";

let config: TrademlConfig;
const dirs: string[] = [];

beforeAll(async () => {
  const loaded = await loadConfig({ configDir: packageConfigDir(), env: {}, envFile: false });
  // Short leases: a test must not wait out the 120 s default.
  config = { ...loaded, node: { ...loaded.node, lake: { ...loaded.node.lake, lease_seconds: 4, renew_seconds: 1 } } };
});
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function lake(): Promise<ObjectStore> {
  const dir = await mkdtemp(join(tmpdir(), "trademl-dag-"));
  dirs.push(dir);
  return new LocalStore({ root: dir });
}

async function commitOne(store: ObjectStore, table: string): Promise<number> {
  const key = newPartKey(`data/${table}/`);
  await store.put(key, "x", { condition: { ifNoneMatch: "*" } });
  return (await commitParts(store, table, [{ key, rows: 1, bytes: 1 }])).seq;
}

interface Spec {
  readonly name: string;
  readonly dependsOn?: readonly string[];
  readonly attempts?: number;
  readonly baseMs?: number;
  readonly reads?: readonly string[];
  readonly writes?: string;
  readonly run?: (call: number) => Promise<void>;
}

/** A step that logs its calls and, when `writes` is set, commits one part to that table per successful call. */
function fakeStep(spec: Spec, log: string[]): DagStep {
  let calls = 0;
  return {
    name: spec.name, summary: spec.name, dependsOn: spec.dependsOn ?? [], role: "node",
    retry: { attempts: spec.attempts ?? 1, baseMs: spec.baseMs ?? 10, capMs: 10_000 }, timeoutMs: 10_000, lease: undefined,
    inputs: spec.reads === undefined ? { kind: "external" } : { kind: "tables", prefixes: spec.reads },
    outputs: spec.writes === undefined ? [] : [spec.writes],
    async run(ctx) {
      calls++;
      log.push(spec.name);
      await spec.run?.(calls);
      if (spec.writes !== undefined) await commitOne(ctx.store, `${spec.writes}t`);
      return { status: "succeeded", summary: `call ${calls}` };
    },
  };
}

describe("the DAG runner", () => {
  it("runs steps in declaration order, which must follow their dependencies", async () => {
    const log: string[] = [];
    const steps = checkGraph([fakeStep({ name: "a" }, log), fakeStep({ name: "b", dependsOn: ["a"] }, log), fakeStep({ name: "c", dependsOn: ["a"] }, log), fakeStep({ name: "d", dependsOn: ["b", "c"] }, log)]);
    const result = await runDag({ store: await lake(), config, steps, runId: "order" });
    expect(log).toEqual(["a", "b", "c", "d"]);
    expect(result.ok).toBe(true);
    expect(result.run.steps).toEqual(["a", "b", "c", "d"]);
    expect(() => checkGraph([fakeStep({ name: "b", dependsOn: ["a"] }, log), fakeStep({ name: "a" }, log)])).toThrow(/declared after it/);
    expect(() => checkGraph([fakeStep({ name: "a", dependsOn: ["zz"] }, log)])).toThrow(/unknown step "zz"/);
  });

  it("retries a step that fails twice, with growing backoff, and records every attempt", async () => {
    const log: string[] = [];
    const started: number[] = [];
    const flaky = fakeStep({
      name: "flaky", attempts: 3, baseMs: 200,
      run: async (call) => {
        started.push(performance.now());
        if (call <= 2) throw new DataError("vendor_down", `try ${call} failed`);
      },
    }, log);
    const store = await lake();
    // random() = 1: the full-jitter delay is its ceiling, base · 2^n → 200 ms, then 400 ms.
    const result = await runDag({ store, config, steps: [flaky], runId: "retry", random: () => 1 });
    const record = result.run.records["flaky"];
    expect(record?.status).toBe("succeeded");
    expect(record?.attempts.map((a) => a.error ?? "ok")).toEqual(["vendor_down: try 1 failed", "vendor_down: try 2 failed", "ok"]);
    const [t1, t2, t3] = started;
    expect((t2 ?? 0) - (t1 ?? 0)).toBeGreaterThanOrEqual(195);
    expect((t3 ?? 0) - (t2 ?? 0)).toBeGreaterThanOrEqual(395);
  });

  it("a permanent failure is not retried and stops only the steps that depend on it", async () => {
    const log: string[] = [];
    const steps = [
      fakeStep({ name: "a" }, log),
      fakeStep({ name: "bad", dependsOn: ["a"], attempts: 3, run: () => Promise.reject(new UsageError("bad_setting", "misconfigured")) }, log),
      fakeStep({ name: "after_bad", dependsOn: ["bad"] }, log),
      fakeStep({ name: "two_down", dependsOn: ["after_bad"] }, log),
      fakeStep({ name: "independent", dependsOn: ["a"] }, log),
    ];
    const result = await runDag({ store: await lake(), config, steps, runId: "fail" });
    expect(result.ok).toBe(false);
    const status = Object.fromEntries(Object.entries(result.run.records).map(([k, v]) => [k, v.status]));
    expect(status).toEqual({ a: "succeeded", bad: "failed", after_bad: "blocked", two_down: "blocked", independent: "succeeded" });
    expect(result.run.records["bad"]?.attempts).toHaveLength(1);
    expect(log).toEqual(["a", "bad", "independent"]);
  });

  it("skips a step whose input tables did not change since its last success, and runs it when they did", async () => {
    const log: string[] = [];
    const store = await lake();
    await commitOne(store, "raw/t");
    const steps = [fakeStep({ name: "curate", reads: ["raw/"], writes: "curated/" }, log)];
    expect((await runDag({ store, config, steps, runId: "r1" })).run.records["curate"]?.status).toBe("succeeded");
    const second = await runDag({ store, config, steps, runId: "r2" });
    expect(second.run.records["curate"]?.status).toBe("skipped");
    expect(second.run.records["curate"]?.summary).toMatch(/inputs unchanged since run r1/);
    await commitOne(store, "raw/t");
    const third = await runDag({ store, config, steps, runId: "r3" });
    expect(third.run.records["curate"]?.status).toBe("succeeded");
    expect(third.run.records["curate"]?.inputs).toEqual({ "raw/t": 2 });
    expect(third.run.records["curate"]?.outputs).toEqual({ "curated/t": 2 });
    expect(log).toEqual(["curate", "curate"]);
    // --force runs it regardless.
    expect((await runDag({ store, config, steps, runId: "r4", force: true })).run.records["curate"]?.status).toBe("succeeded");
  });

  it("resumes a run: steps it already finished are not run again", async () => {
    const log: string[] = [];
    const store = await lake();
    let failNext = true;
    const steps = [fakeStep({ name: "a" }, log), fakeStep({ name: "b", dependsOn: ["a"], run: () => (failNext ? Promise.reject(new DataError("x", "down")) : Promise.resolve()) }, log), fakeStep({ name: "c", dependsOn: ["b"] }, log)];
    expect((await runDag({ store, config, steps, runId: "resume" })).ok).toBe(false);
    failNext = false;
    const again = await runDag({ store, config, steps, runId: "resume" });
    expect(again.ok).toBe(true);
    expect(log).toEqual(["a", "b", "b", "c"]);
    expect(again.run.records["b"]?.attempts).toHaveLength(2);
  });

  it("selects --steps and --from", () => {
    const log: string[] = [];
    const steps = [fakeStep({ name: "a" }, log), fakeStep({ name: "b", dependsOn: ["a"] }, log), fakeStep({ name: "c", dependsOn: ["b"] }, log), fakeStep({ name: "d", dependsOn: ["a"] }, log)];
    expect(selectSteps(steps, { from: "b" }).map((s) => s.name)).toEqual(["b", "c"]);
    expect(selectSteps(steps, { steps: ["d", "a"] }).map((s) => s.name)).toEqual(["a", "d"]);
    expect(() => selectSteps(steps, { from: "zz" })).toThrow(/no step "zz"/);
  });

  it("two runners on one lake never run, so never commit, the same step twice", async () => {
    const store = await lake();
    await commitOne(store, "raw/t");
    const log: string[] = [];
    const slow = (): Promise<void> => new Promise((r) => setTimeout(r, 150));
    const make = (): DagStep[] => [
      fakeStep({ name: "audit", reads: ["raw/"], writes: "qc/", run: slow }, log),
      fakeStep({ name: "curate", dependsOn: ["audit"], reads: ["raw/"], writes: "curated/", run: slow }, log),
      fakeStep({ name: "reference", dependsOn: ["curate"], reads: ["curated/"], writes: "reference/", run: slow }, log),
    ];
    const [one, two] = await Promise.all([runDag({ store, config, steps: make(), runId: "left" }), runDag({ store, config, steps: make(), runId: "right" })]);
    expect(one.ok && two.ok).toBe(true);
    expect(log.sort()).toEqual(["audit", "curate", "reference"]);
    for (const table of ["qc/t", "curated/t", "reference/t"]) expect(await listSeqs(store, table)).toEqual([1]);
    // The same run id from two processes: also once.
    const [three, four] = await Promise.all([runDag({ store, config, steps: make(), runId: "same", force: true }), runDag({ store, config, steps: make(), runId: "same", force: true })]);
    expect(three.ok && four.ok).toBe(true);
    for (const table of ["qc/t", "curated/t", "reference/t"]) expect(await listSeqs(store, table)).toEqual([1, 2]);
    expect((await readRun(store, "same"))?.value.records["curate"]?.attempts).toHaveLength(1);
  });
});
