/**
 * vitest global setup: starts the real test services (MinIO, MLflow, and the pypeers virtualenv of Python reference
 * implementations: skfolio, scikit-learn, numpy) once per run through
 * scripts/test-services.sh, `provide`s their connection info to test files (read it with tests/helpers/services.ts),
 * and stops them at teardown. https://vitest.dev/config/#globalsetup
 *
 * TRADEML_SERVICES:
 *   off   start nothing (suites that need a service skip; under CI=true they fail)
 *   all   start every service, whatever the selected test files are
 *   auto  (default) start only the services the selected test files use: a file (or a test helper it imports)
 *         that names describeWithMinio/minioService needs MinIO, describeWithMlflow/mlflowService needs MLflow,
 *         describeWithPypeers/pypeersService the Python peers (installed once, no server).
 *         So `npx vitest run tests/unit` starts nothing and stays fast.
 * TRADEML_SERVICES_RUN_DIR: a run dir where `scripts/test-services.sh start` already started the services (as
 *   .ci/run does, so the Node and the Deno run share one set). Live services found there are used and left
 *   running; missing ones are started in a private temp dir.
 *
 * A service that cannot install or start is never an exception here: the reason is provided instead, and
 * tests/helpers/services.ts turns it into a skip (printed) or, under CI=true, a failing test in each suite.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import type { MinioService, MlflowService, ProvidedServices, PypeersService } from "../helpers/services.ts";

type ServiceName = "minio" | "mlflow" | "pypeers";
const SERVICES: readonly ServiceName[] = ["minio", "mlflow", "pypeers"];

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const script = join(repoRoot, "scripts/test-services.sh");
const label: Record<ServiceName, string> = { minio: "MinIO", mlflow: "MLflow", pypeers: "Python peers" };

interface StateFile {
  /** Absent for pypeers, which is no server. */
  pid?: number;
  /** pypeers: the venv's python. */
  python?: string;
  version: string;
  endpoint?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  trackingUri?: string;
}

function say(message: string): void {
  // Plain stderr lines so CI logs show them between vitest's own output.
  process.stderr.write(`[trademl services] ${message}\n`);
}

function isCi(env: NodeJS.ProcessEnv): boolean {
  return env["CI"] === "true" || env["CI"] === "1";
}

/**
 * The file filters given on the command line (`vitest run tests/unit`). vitest 4.1 exposes them to a global setup
 * only as the internal `Vitest.filenamePattern` (set in `Vitest.start` before the global setup runs); if a later
 * vitest drops it we get undefined, glob every test file, and merely start services a filtered run did not need.
 */
function cliFilters(project: TestProject): string[] | undefined {
  const pattern: unknown = Reflect.get(project.vitest, "filenamePattern");
  return Array.isArray(pattern) && pattern.every((p) => typeof p === "string") ? pattern : undefined;
}

/** Which services the selected test files use (see TRADEML_SERVICES=auto above). */
async function neededServices(project: TestProject): Promise<Set<ServiceName>> {
  const { testFiles } = await project.globTestFiles(cliFilters(project));
  const needed = new Set<ServiceName>();
  const seen = new Set<string>();
  const testsRoot = join(repoRoot, "tests");
  const contract = join(testsRoot, "helpers/services.ts");
  const visit = (file: string): void => {
    if (seen.has(file) || file === contract || !existsSync(file)) return;
    seen.add(file);
    const source = readFileSync(file, "utf8");
    if (/\b(describeWithMinio|minioService)\b/.test(source)) needed.add("minio");
    if (/\b(describeWithMlflow|mlflowService)\b/.test(source)) needed.add("mlflow");
    if (/\b(describeWithPypeers|pypeersService)\b/.test(source)) needed.add("pypeers");
    // Follow relative imports that stay inside tests/ (helpers that wrap the services).
    for (const match of source.matchAll(/from\s+["'](\.{1,2}\/[^"']+\.ts)["']/g)) {
      const target = resolve(dirname(file), match[1] ?? "");
      if (target.startsWith(testsRoot)) visit(target);
    }
  };
  for (const file of testFiles) visit(file);
  return needed;
}

interface ScriptResult {
  code: number;
  lastError: string;
}

/** Runs scripts/test-services.sh, streaming its progress lines to stderr (a first install takes minutes). */
function runScript(args: readonly string[], runDir: string): Promise<ScriptResult> {
  return new Promise((done) => {
    let lastError = "";
    const child = spawn("bash", [script, ...args], {
      cwd: repoRoot,
      env: { ...process.env, TRADEML_SERVICES_RUN_DIR: runDir },
      stdio: ["ignore", "inherit", "pipe"],
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      process.stderr.write(chunk);
      for (const line of chunk.split("\n")) {
        const found = /error: (.*)$/.exec(line);
        if (found?.[1] !== undefined) lastError = found[1];
      }
    });
    child.on("error", (error) => done({ code: 127, lastError: `cannot run bash: ${error.message}` }));
    child.on("close", (code) => done({ code: code ?? 1, lastError }));
  });
}

function readState(runDir: string, name: ServiceName): StateFile | undefined {
  const file = join(runDir, `${name}.json`);
  if (!existsSync(file)) return undefined;
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    return typeof parsed === "object" && parsed !== null ? (parsed as StateFile) : undefined;
  } catch {
    // Caught mid-write by a concurrent `start`: treat as not (yet) running.
    return undefined;
  }
}

/** A server's pid is alive; pypeers, which has none, is "alive" while its python exists. */
function isLive(state: StateFile): boolean {
  if (state.pid === undefined) return state.python !== undefined && existsSync(state.python);
  return alive(state.pid);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function toMinio(state: StateFile): MinioService | undefined {
  const { endpoint, region, accessKeyId, secretAccessKey } = state;
  if (endpoint === undefined || region === undefined || accessKeyId === undefined || secretAccessKey === undefined) {
    return undefined;
  }
  return { endpoint, region, accessKeyId, secretAccessKey, version: state.version };
}

function toMlflow(state: StateFile): MlflowService | undefined {
  return state.trackingUri === undefined ? undefined : { trackingUri: state.trackingUri, version: state.version };
}

function toPypeers(state: StateFile): PypeersService | undefined {
  return state.python === undefined ? undefined : { python: state.python, version: state.version };
}

/** Records a ready service's connection info; false when the state file does not (yet) hold it. */
function offer(provided: ProvidedServices, name: ServiceName, state: StateFile): boolean {
  if (name === "minio") {
    const minio = toMinio(state);
    if (minio !== undefined) provided.minio = minio;
    return minio !== undefined;
  }
  if (name === "pypeers") {
    const pypeers = toPypeers(state);
    if (pypeers !== undefined) provided.pypeers = pypeers;
    return pypeers !== undefined;
  }
  const mlflow = toMlflow(state);
  if (mlflow !== undefined) provided.mlflow = mlflow;
  return mlflow !== undefined;
}

function markUnavailable(provided: ProvidedServices, name: ServiceName, why: string): void {
  if (name === "minio") provided.minioUnavailable = why;
  else if (name === "pypeers") provided.pypeersUnavailable = why;
  else provided.mlflowUnavailable = why;
}

type Mode = "auto" | "all" | "off";

function servicesMode(value: string | undefined): Mode {
  if (value === undefined || value === "" || value === "auto") return "auto";
  if (value === "all" || value === "off") return value;
  // A typo such as "of" must not silently start (or skip) services.
  throw new Error(`TRADEML_SERVICES must be auto, all or off; got "${value}"`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const env = process.env;
  const ci = isCi(env);
  const mode = servicesMode(env["TRADEML_SERVICES"]);
  const provided: ProvidedServices = { ci };

  const wanted: Set<ServiceName> =
    mode === "off" ? new Set() : mode === "all" ? new Set(SERVICES) : await neededServices(project);
  for (const name of SERVICES) {
    if (!wanted.has(name)) {
      markUnavailable(provided, name, mode === "off" ? "TRADEML_SERVICES=off" : "no selected test file uses it");
    }
  }

  // Services already started by the caller (.ci/run) are reused and left running.
  const sharedDir = env["TRADEML_SERVICES_RUN_DIR"];
  const toStart: ServiceName[] = [];
  for (const name of wanted) {
    const state = sharedDir === undefined ? undefined : readState(sharedDir, name);
    if (state !== undefined && isLive(state) && offer(provided, name, state)) {
      say(`${label[name]} ${state.version} (shared, from ${sharedDir})`);
    } else {
      toStart.push(name);
    }
  }
  if (toStart.length === 0) {
    project.provide("trademlServices", provided);
    return async () => {};
  }

  const runDir = mkdtempSync(join(tmpdir(), "trademl-services-"));
  const started: ServiceName[] = [];
  say(`starting ${toStart.map((n) => label[n]).join(" and ")} (TRADEML_SERVICES=off to skip)`);
  // All start at once: MLflow's Python start-up dominates, MinIO is ready in about a second.
  const results = await Promise.all(toStart.map(async (name) => ({ name, ...(await runScript(["start", name], runDir)) })));
  for (const { name, code, lastError } of results) {
    const state = readState(runDir, name);
    if (code === 0 && state !== undefined && offer(provided, name, state)) {
      started.push(name);
      say(`${label[name]} ${state.version} started`);
      continue;
    }
    const why =
      code === 3
        ? `not installable on this machine: ${lastError}`
        : `failed to install or start (exit ${code}): ${lastError || "no error line; see the output above"}`;
    markUnavailable(provided, name, why);
    say(`${label[name]} ${why}${ci ? " — CI=true: suites that need it will FAIL" : " — suites that need it are skipped"}`);
  }
  project.provide("trademlServices", provided);

  // If the process dies without teardown (Ctrl-C twice, a crash), still do not leave servers behind. The pid
  // leads its own process group (setsid in the script), so the negative pid reaches MLflow's uvicorn child too.
  const killOnExit = (): void => {
    for (const name of SERVICES) {
      const state = readState(runDir, name);
      if (state?.pid === undefined) continue;
      try {
        process.kill(-state.pid, "SIGTERM");
      } catch {
        try {
          process.kill(state.pid, "SIGTERM");
        } catch {
          // Already gone.
        }
      }
    }
  };
  process.once("exit", killOnExit);
  return async () => {
    process.off("exit", killOnExit);
    for (const name of started) await runScript(["stop", name], runDir);
    rmSync(runDir, { recursive: true, force: true });
  };
}
