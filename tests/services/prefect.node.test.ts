// Smoke test of the Prefect test service: a trivial flow (tests/services/fixtures/prefect_smoke_flow.py) runs in
// the service's Python against the Prefect server the global setup started, offline, and the server's own API then
// holds the flow run and its task runs as COMPLETED. Node only.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { beforeAll, expect, it } from "vitest";
import { describeWithPrefect, prefectEnv, prefectService, type PrefectService } from "../helpers/services.ts";

const flowFile = fileURLToPath(new URL("./fixtures/prefect_smoke_flow.py", import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runPython(prefect: PrefectService, args: readonly string[]): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(prefect.python, args, { env: { ...process.env, ...prefectEnv(prefect) }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", fail);
    child.on("close", (code) => done({ code: code ?? 1, stdout, stderr }));
  });
}

async function api(prefect: PrefectService, method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> {
  const init: RequestInit = { method, headers: { "content-type": "application/json" } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(`${prefect.apiUrl}${path}`, init);
  const text = await response.text();
  if (!response.ok) throw new Error(`Prefect ${method} ${path} → ${response.status}: ${text}`);
  return JSON.parse(text) as unknown;
}

function stateType(record: unknown): unknown {
  return typeof record === "object" && record !== null ? (record as { state_type?: unknown }).state_type : undefined;
}

describeWithPrefect("Prefect test service", () => {
  let prefect: PrefectService;

  beforeAll(async () => {
    const found = prefectService();
    if (found === undefined) throw new Error("describeWithPrefect ran without a Prefect server");
    prefect = found;
    // The server's own version must be the one the setup reported.
    expect(await api(prefect, "GET", "/admin/version")).toBe(prefect.version);
  });

  async function runFlow(input: number): Promise<{ code: number; stderr: string; printed: { flow_run_id: string; state: string; result: number | null } }> {
    const run = await runPython(prefect, [flowFile, String(input)]);
    const lastLine = run.stdout.trim().split("\n").at(-1) ?? "";
    try {
      return { code: run.code, stderr: run.stderr, printed: JSON.parse(lastLine) as { flow_run_id: string; state: string; result: number | null } };
    } catch {
      throw new Error(`the flow printed no result (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
    }
  }

  it("runs a trivial flow against the server, which records it and its tasks as completed", async () => {
    const { code, stderr, printed } = await runFlow(20);
    expect(code, stderr).toBe(0);
    expect(printed.result).toBe(41);
    expect(printed.state).toBe("COMPLETED");
    // A client that fell back to a temporary server would have recorded the run there, not here.
    expect(stderr).not.toMatch(/Starting temporary server/i);

    const flowRun = await api(prefect, "GET", `/flow_runs/${printed.flow_run_id}`);
    expect(stateType(flowRun)).toBe("COMPLETED");
    const taskRuns = await api(prefect, "POST", "/task_runs/filter", { flow_runs: { id: { any_: [printed.flow_run_id] } } });
    expect(Array.isArray(taskRuns)).toBe(true);
    expect((taskRuns as unknown[]).map(stateType)).toEqual(["COMPLETED", "COMPLETED"]);
  }, 240_000);

  it("records a flow whose task raises as failed (the checks above can fail)", async () => {
    const { code, printed } = await runFlow(-1);
    expect(code).toBe(1);
    expect(printed.state).toBe("FAILED");
    expect(stateType(await api(prefect, "GET", `/flow_runs/${printed.flow_run_id}`))).toBe("FAILED");
  }, 240_000);
});
