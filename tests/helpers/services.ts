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

/** What the global setup provides: each service, or the reason it is absent. */
export interface ProvidedServices {
  ci: boolean;
  minio?: MinioService;
  minioUnavailable?: string;
  mlflow?: MlflowService;
  mlflowUnavailable?: string;
  pypeers?: PypeersService;
  pypeersUnavailable?: string;
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
    ci: process.env["CI"] === "true", minioUnavailable: notProvided, mlflowUnavailable: notProvided, pypeersUnavailable: notProvided,
  };
}

type ServiceLabel = "MinIO" | "MLflow" | "Python peers";

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

/**
 * A bucket name no other test file or run will pick: S3 rules allow 3–63 chars of [a-z0-9-]
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
 */
export function uniqueBucketName(topic: string): string {
  const slug = topic.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 30) || "t";
  const suffix = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  return `tml-${slug}-${suffix}`.slice(0, 63);
}
