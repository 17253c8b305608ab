/**
 * The contract test files use to reach the real test services (MinIO for the S3 lake, MLflow for the training
 * gate). The services are started once per vitest run by tests/setup/global-services.ts, which `provide`s their
 * connection info; test files read it here through vitest's `inject()` (https://vitest.dev/config/#globalsetup).
 *
 * Rules for callers:
 * - Wrap a suite that needs a service in `describeWithMinio` / `describeWithMlflow`. Without the service the suite
 *   is skipped with the reason printed; with `CI=true` it fails instead, so CI can never go green by skipping.
 * - Each test file that uses MinIO creates its own bucket, named with `uniqueBucketName("<file-topic>")`, so files
 *   running in parallel never see each other's objects. Buckets are left behind; the MinIO data dir is a temp
 *   folder removed when the run ends.
 * - Prefect (`describeWithPrefect`, `prefectEnv`), Chromium (`describeWithChromium`, and tests/helpers/chromium.ts
 *   to launch it) and shellcheck (`describeWithShellcheck`) follow the same rules. Prefect and Chromium suites run
 *   on Node only: their files are named `*.node.test.ts`.
 */
import { describe, inject, it } from "vitest";

export interface MinioService {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  version: string;
}

export interface MlflowService {
  trackingUri: string;
  version: string;
}

/** The virtualenv of Python reference implementations (skfolio, scikit-learn, numpy; tests/peers/requirements.txt). */
export interface PypeersService {
  /** The venv's python executable. */
  python: string;
  /** e.g. "skfolio 1.12.2, scikit-learn 1.9.1, numpy 2.4.6". */
  version: string;
}

/** A Prefect 3 API server (`prefect server start` on SQLite) and the virtualenv it runs from. */
export interface PrefectService {
  /** PREFECT_API_URL for clients, e.g. http://127.0.0.1:41234/api. */
  apiUrl: string;
  /** The venv's python, which has `prefect` importable (and the `prefect` CLI beside it). */
  python: string;
  /** The server's PREFECT_HOME (its SQLite database); clients of this run may share it. */
  home: string;
  version: string;
}

/** A headless Chromium for playwright-core (`executablePath`; no browser download). */
export interface ChromiumService {
  executablePath: string;
  version: string;
}

/** The shellcheck linter. */
export interface ShellcheckService {
  executablePath: string;
  version: string;
}

/** What the global setup provides: each service, or the reason it is absent. */
export interface ProvidedServices {
  ci: boolean;
  minio?: MinioService;
  minioUnavailable?: string;
  mlflow?: MlflowService;
  mlflowUnavailable?: string;
  pypeers?: PypeersService;
  pypeersUnavailable?: string;
  prefect?: PrefectService;
  prefectUnavailable?: string;
  chromium?: ChromiumService;
  chromiumUnavailable?: string;
  shellcheck?: ShellcheckService;
  shellcheckUnavailable?: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    trademlServices: ProvidedServices;
  }
}

const notProvided = "the vitest global setup (tests/setup/global-services.ts) did not run";

function provided(): ProvidedServices {
  // inject() returns undefined when no global setup provided the key (e.g. a custom config).
  const value = inject("trademlServices") as ProvidedServices | undefined;
  return value ?? {
    ci: process.env["CI"] === "true",
    minioUnavailable: notProvided,
    mlflowUnavailable: notProvided,
    pypeersUnavailable: notProvided,
    prefectUnavailable: notProvided,
    chromiumUnavailable: notProvided,
    shellcheckUnavailable: notProvided,
  };
}

type ServiceLabel = "MinIO" | "MLflow" | "Python peers" | "Prefect" | "Chromium" | "shellcheck";

function unavailable(service: ServiceLabel, reason: string | undefined): Error {
  return new Error(`${service} is required (CI=true) but unavailable: ${reason ?? "unknown reason"}`);
}

/** MinIO connection info, or undefined when it is not running (callers skip). Throws under CI=true. */
export function minioService(): MinioService | undefined {
  const services = provided();
  if (services.minio !== undefined) return services.minio;
  if (services.ci) throw unavailable("MinIO", services.minioUnavailable);
  return undefined;
}

/** MLflow connection info, or undefined when it is not running (callers skip). Throws under CI=true. */
export function mlflowService(): MlflowService | undefined {
  const services = provided();
  if (services.mlflow !== undefined) return services.mlflow;
  if (services.ci) throw unavailable("MLflow", services.mlflowUnavailable);
  return undefined;
}

/** The Python peers, or undefined when they are not installed (callers skip). Throws under CI=true. */
export function pypeersService(): PypeersService | undefined {
  const services = provided();
  if (services.pypeers !== undefined) return services.pypeers;
  if (services.ci) throw unavailable("Python peers", services.pypeersUnavailable);
  return undefined;
}

/** The Prefect server, or undefined when it is not running (callers skip). Throws under CI=true. */
export function prefectService(): PrefectService | undefined {
  const services = provided();
  if (services.prefect !== undefined) return services.prefect;
  if (services.ci) throw unavailable("Prefect", services.prefectUnavailable);
  return undefined;
}

/** The Chromium executable, or undefined when it is not installed (callers skip). Throws under CI=true. */
export function chromiumService(): ChromiumService | undefined {
  const services = provided();
  if (services.chromium !== undefined) return services.chromium;
  if (services.ci) throw unavailable("Chromium", services.chromiumUnavailable);
  return undefined;
}

/** The shellcheck executable, or undefined when it is not installed (callers skip). Throws under CI=true. */
export function shellcheckService(): ShellcheckService | undefined {
  const services = provided();
  if (services.shellcheck !== undefined) return services.shellcheck;
  if (services.ci) throw unavailable("shellcheck", services.shellcheckUnavailable);
  return undefined;
}

/**
 * The environment for a Prefect client process (a flow, a worker, the `prefect` CLI) of this test run: the
 * server's API, offline and quiet. PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS is long in case a process
 * falls back to a temporary server: the default 20 s times out on a busy 2-core machine.
 */
export function prefectEnv(prefect: PrefectService): Record<string, string> {
  return {
    PREFECT_API_URL: prefect.apiUrl,
    PREFECT_HOME: prefect.home,
    DO_NOT_TRACK: "1",
    PREFECT_SERVER_ANALYTICS_ENABLED: "false",
    PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS: "600",
    PYTHONUNBUFFERED: "1",
  };
}

type SuiteBody = () => void;

function describeWith(
  service: ServiceLabel,
  present: boolean,
  reason: string | undefined,
  ci: boolean,
  name: string,
  fn: SuiteBody,
): void {
  if (present) {
    describe(name, fn);
    return;
  }
  if (ci) {
    // Under CI a missing service is a failed test in every suite that needs it, reported under the suite's name
    // (a failing test, not a collection error, so the other suites of the same file still run and are counted).
    describe(name, () => {
      it(`has ${service} available`, () => {
        throw unavailable(service, reason);
      });
    });
    return;
  }
  console.warn(`[trademl services] skipping suite "${name}": ${service} unavailable (${reason ?? "unknown reason"})`);
  describe.skip(`${name} (skipped: ${service} unavailable)`, fn);
}

/** `describe` when MinIO runs; otherwise skipped with the reason printed (or failing under CI=true). */
export function describeWithMinio(name: string, fn: SuiteBody): void {
  const services = provided();
  describeWith("MinIO", services.minio !== undefined, services.minioUnavailable, services.ci, name, fn);
}

/** `describe` when MLflow runs; otherwise skipped with the reason printed (or failing under CI=true). */
export function describeWithMlflow(name: string, fn: SuiteBody): void {
  const services = provided();
  describeWith("MLflow", services.mlflow !== undefined, services.mlflowUnavailable, services.ci, name, fn);
}

/** `describe` when the Python peers are installed; otherwise skipped with the reason (or failing under CI=true). */
export function describeWithPypeers(name: string, fn: SuiteBody): void {
  const services = provided();
  describeWith("Python peers", services.pypeers !== undefined, services.pypeersUnavailable, services.ci, name, fn);
}

const onDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";

/**
 * Browser and Prefect suites run on Node only (docs/testing.md, "Node-only suites"): their files are named
 * `*.node.test.ts`, which vitest.config.ts leaves out under Deno. A suite that reaches Deno all the same was
 * misnamed; it fails saying so instead of driving a browser or a Python server a second time.
 */
function describeNodeOnly(service: ServiceLabel, present: boolean, reason: string | undefined, ci: boolean, name: string, fn: SuiteBody): void {
  if (onDeno) {
    describe(name, () => {
      it("runs on Node only", () => {
        throw new Error(`a ${service} suite runs on Node only: name its file *.node.test.ts (docs/testing.md)`);
      });
    });
    return;
  }
  describeWith(service, present, reason, ci, name, fn);
}

/** `describe` when the Prefect server runs (Node only); otherwise skipped with the reason (or failing under CI=true). */
export function describeWithPrefect(name: string, fn: SuiteBody): void {
  const services = provided();
  describeNodeOnly("Prefect", services.prefect !== undefined, services.prefectUnavailable, services.ci, name, fn);
}

/** `describe` when Chromium is installed (Node only); otherwise skipped with the reason (or failing under CI=true). */
export function describeWithChromium(name: string, fn: SuiteBody): void {
  const services = provided();
  describeNodeOnly("Chromium", services.chromium !== undefined, services.chromiumUnavailable, services.ci, name, fn);
}

/** `describe` when shellcheck is installed; otherwise skipped with the reason (or failing under CI=true). */
export function describeWithShellcheck(name: string, fn: SuiteBody): void {
  const services = provided();
  describeWith("shellcheck", services.shellcheck !== undefined, services.shellcheckUnavailable, services.ci, name, fn);
}

/**
 * A bucket name no other test file or run will pick: S3 rules allow 3–63 chars of [a-z0-9-]
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
 */
export function uniqueBucketName(topic: string): string {
  const slug = topic.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 30) || "t";
  const suffix = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  return `tml-${slug}-${suffix}`.slice(0, 63);
}
