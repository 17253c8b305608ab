// A nightly run SIGKILLed at random points, then resumed under the same run id, leaves the same derived tables
// (ledger, curated, quarantine, reference) as one clean in-process run over the same raw lake — rows compared with
// the write stamps (ingested_at, audited_at) aside. Real processes, real DuckDB, real steps.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { NIGHTLY_STEPS, runDag, selectSteps } from "../../src/dag/index.ts";
import { readRun } from "../../src/dag/run-state.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { mulberry32 } from "../../src/sim/random.ts";
import { copyLake, derivedTables, rawDemoLake, removeAll, shortLeaseConfigDir } from "./lake-tables.ts";

const CHILD = fileURLToPath(new URL("./fixtures/trademl-child.ts", import.meta.url));
const REPO = fileURLToPath(new URL("../..", import.meta.url));
const dirs: string[] = [];
let raw: string;
let configDir: string;
let clean: Record<string, unknown[]>;

beforeAll(async () => {
  raw = await rawDemoLake();
  configDir = await shortLeaseConfigDir();
  dirs.push(raw, configDir);
  const lake = await copyLake(raw);
  dirs.push(lake);
  const config = await loadConfig({ configDir, env: {}, envFile: false });
  const result = await runDag({ store: new LocalStore({ root: lake }), config, steps: selectSteps(NIGHTLY_STEPS, { from: "audit" }), runId: "clean" });
  expect(result.ok).toBe(true);
  clean = await derivedTables(lake);
}, 240_000);
afterAll(() => removeAll(dirs));

interface Child {
  readonly started: Promise<boolean>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }>;
  kill(): void;
}

function dagRun(lake: string, runId: string): Child {
  const child = spawn("node", ["--import", "tsx", CHILD, "dag", "run", "--from", "audit", "--run", runId], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
    // No vendor keys: collection is not part of this run, and backfill is skipped.
    env: { PATH: process.env["PATH"], HOME: process.env["HOME"], TMPDIR: process.env["TMPDIR"], LAKE_ROOT: lake, TRADEML_CONFIG_DIR: configDir },
  });
  let stderr = "";
  let stdout = "";
  let onStart: (value: boolean) => void = () => undefined;
  const started = new Promise<boolean>((resolve) => (onStart = resolve));
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
    if (stderr.includes("DAG step started")) onStart(true);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }>((resolve) => {
    child.on("close", (code, signal) => {
      onStart(false);
      resolve({ code, signal, stderr, stdout });
    });
  });
  return { started, exited, kill: () => child.kill("SIGKILL") };
}

describe("a DAG run killed and resumed", () => {
  it("SIGKILLed at random points four times, then resumed, leaves the same tables as a clean run", async () => {
    const lake = await copyLake(raw);
    dirs.push(lake);
    const random = mulberry32(20261207);
    let kills = 0;
    for (let i = 0; i < 4; i++) {
      const child = dagRun(lake, "nightly");
      if (!(await child.started)) break; // it finished (or failed) before its first step: nothing to kill
      await new Promise((r) => setTimeout(r, Math.floor(random() * 5_000)));
      child.kill();
      const end = await child.exited;
      if (end.signal === "SIGKILL") kills++;
      else expect(end.code, end.stderr).toBe(0);
    }
    expect(kills).toBeGreaterThan(0);
    const last = dagRun(lake, "nightly");
    const end = await last.exited;
    expect(end.code, end.stderr).toBe(0);
    const run = (await readRun(new LocalStore({ root: lake }), "nightly"))?.value;
    expect(Object.values(run?.records ?? {}).map((r) => r.status)).toEqual(["succeeded", "skipped", "succeeded", "succeeded", "succeeded", "skipped", "skipped"]);
    const got = await derivedTables(lake);
    expect(Object.keys(got).sort()).toEqual(Object.keys(clean).sort());
    expect((clean["curated/equities_ohlcv_adj"] ?? []).length).toBeGreaterThan(0);
    expect((clean["qc/partition_status"] ?? []).length).toBeGreaterThan(0);
    for (const table of Object.keys(clean)) expect(got[table], table).toEqual(clean[table]);
  }, 600_000);
});
