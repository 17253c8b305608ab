// The nightly DAG as a Prefect 3 flow (orchestration/prefect/trademl_flow.py) against the Prefect server the test
// services start, the way a node runs it: the flow is deployed on a `process` work pool with the `node` role, a flow
// run is created from the deployment, and one local worker (`prefect worker start --run-once`) runs it. The flow
// reads `trademl dag graph --json`, runs each step as `trademl dag step NAME --run RUN`, and must leave the same
// derived tables as the in-process runner over a copy of the same raw demo lake; the server's own API then holds the
// flow run and one completed task run per step. Node only (*.node.test.ts).
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { NIGHTLY_STEPS, runDag, selectSteps } from "../../src/dag/index.ts";
import { readRun } from "../../src/dag/run-state.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { describeWithPrefect, prefectEnv, prefectService, type PrefectService } from "../helpers/services.ts";
import { copyLake, derivedTables, rawDemoLake, removeAll, shortLeaseConfigDir } from "./lake-tables.ts";

const FLOW = fileURLToPath(new URL("../../orchestration/prefect/trademl_flow.py", import.meta.url));
const CHILD = fileURLToPath(new URL("./fixtures/trademl-child.ts", import.meta.url));
const REPO = fileURLToPath(new URL("../..", import.meta.url));

function python(prefect: PrefectService, args: readonly string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(args[0] === "prefect" ? join(dirname(prefect.python), "prefect") : prefect.python, args[0] === "prefect" ? args.slice(1) : args, {
      cwd: REPO,
      stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: process.env["PATH"], HOME: process.env["HOME"], TMPDIR: process.env["TMPDIR"], ...prefectEnv(prefect), ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("error", fail);
    child.on("close", (code) => done({ code: code ?? 1, stdout, stderr }));
  });
}

async function api(prefect: PrefectService, path: string, body?: unknown): Promise<unknown> {
  const init: RequestInit = body === undefined ? { method: "GET" } : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch(`${prefect.apiUrl}${path}`, init);
  if (!response.ok) throw new Error(`Prefect POST ${path} → ${response.status}: ${await response.text()}`);
  return response.json() as Promise<unknown>;
}

describeWithPrefect("the nightly DAG as a Prefect flow", () => {
  const dirs: string[] = [];
  let prefect: PrefectService;
  let raw: string;
  let configDir: string;

  beforeAll(async () => {
    const found = prefectService();
    if (found === undefined) throw new Error("describeWithPrefect ran without a Prefect server");
    prefect = found;
    raw = await rawDemoLake();
    configDir = await shortLeaseConfigDir();
    dirs.push(raw, configDir);
  }, 240_000);
  afterAll(() => removeAll(dirs));

  it("a local worker runs the deployed flow; every step runs through trademl dag step and the lake equals the in-process runner's", async () => {
    const inProcess = await copyLake(raw);
    const viaPrefect = await copyLake(raw);
    dirs.push(inProcess, viaPrefect);
    const config = await loadConfig({ configDir, env: {}, envFile: false });
    // The node's deployment (--role node): the trainer's steps belong to the trainer's deployment.
    const nodeSteps = selectSteps(NIGHTLY_STEPS, { role: "node" });
    const local = await runDag({ store: new LocalStore({ root: inProcess }), config, steps: nodeSteps, runId: "local" });
    expect(local.ok).toBe(true);

    const pool = await python(prefect, ["prefect", "work-pool", "create", "trademl-node-e2e", "--type", "process", "--overwrite"], {});
    expect(pool.code, pool.stderr).toBe(0);
    const deployed = await python(prefect, [FLOW, "deploy", "nightly-node-e2e", "--pool", "trademl-node-e2e", "--role", "node"], {});
    expect(deployed.code, deployed.stderr).toBe(0);
    const deployment = JSON.parse(deployed.stdout.trim().split("\n").at(-1) ?? "{}") as { deployment_id: string };
    const flowRun = (await api(prefect, `/deployments/${deployment.deployment_id}/create_flow_run`, { parameters: { run_id: "prefect-1" } })) as { id: string };
    // The worker's environment reaches the flow run's process: trademl from the TypeScript sources, the lake, the
    // short-lease configuration, and no vendor keys (so `collect` and `backfill` are skipped).
    const worker = await python(prefect, ["prefect", "worker", "start", "--pool", "trademl-node-e2e", "--run-once"], {
      TRADEML_CMD: `node --import tsx ${CHILD}`, LAKE_ROOT: viaPrefect, TRADEML_CONFIG_DIR: configDir,
    });
    expect(worker.code, worker.stderr).toBe(0);
    expect(`${worker.stdout}${worker.stderr}`).not.toMatch(/Starting temporary server/i);
    const finished = (await api(prefect, `/flow_runs/${flowRun.id}`)) as { state_type: string };
    expect(finished.state_type, `${worker.stdout}\n${worker.stderr}`).toBe("COMPLETED");

    // The run's records in the lake are those of the in-process run: same steps, same outcomes.
    const record = (await readRun(new LocalStore({ root: viaPrefect }), "prefect-1"))?.value;
    const statuses = (r: typeof record): Record<string, string> => Object.fromEntries(Object.entries(r?.records ?? {}).map(([k, v]) => [k, v.status]));
    expect(statuses(record)).toEqual(statuses(local.run));

    const want = await derivedTables(inProcess);
    const got = await derivedTables(viaPrefect);
    expect((want["curated/equities_ohlcv_adj"] ?? []).length).toBeGreaterThan(0);
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    for (const table of Object.keys(want)) expect(got[table], table).toEqual(want[table]);

    // The server recorded one completed task run per step, named after it.
    const tasks = (await api(prefect, "/task_runs/filter", { flow_runs: { id: { any_: [flowRun.id] } } })) as { name: string; state_type: string }[];
    expect(tasks.map((t) => t.state_type)).toEqual(nodeSteps.map(() => "COMPLETED"));
    expect(tasks.map((t) => t.name.replace(/-[0-9a-f]+$/, "")).sort()).toEqual(nodeSteps.map((s) => s.name).sort());
  }, 900_000);
});
