/**
 * Which step errors a retry within the run cannot fix, so the runner (and an orchestrator reading `dag step`'s exit
 * code) does not spend backoff on them: usage and configuration errors (a vendor or MLflow refusing the
 * credentials is a ConfigError), work that is not built, and the AppError codes below. Everything else — I/O, a
 * vendor that is down or slow (`vendor_unavailable`, `vendor_rate_limited`), a busy lease, a lost lease — may go
 * away, and is retried.
 */
import { AppError, ConfigError, NotImplementedError, UsageError } from "../domain/errors.ts";

/** Codes of DataError/IoError subclasses that say the same request will be refused again. */
export const PERMANENT_CODES: ReadonlySet<string> = new Set([
  // vendors/errors.ts: the plan has no access (403), the request itself is wrong (other 4xx), the key is refused (401).
  "vendor_not_entitled",
  "vendor_bad_request",
  "vendor_auth_failed",
  // ingest/fetch-unit.ts: a dataset of a vendor that has no connector (no keys).
  "vendor_not_configured",
  // The collect step's own verdict when every vendor with keys refused it (nightly-steps.ts).
  "collect_refused",
  // train/data-gate.ts: the lake lacks a table training reads; it will not appear before the next night's run.
  "training_dependency_missing",
  "mlflow_auth_failed",
  "mlflow_not_configured",
]);

export function isPermanentError(error: unknown): boolean {
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof NotImplementedError) return true;
  return error instanceof AppError && PERMANENT_CODES.has(error.code);
}
