/**
 * What an MLflow call can answer besides data, as the project's AppError kinds. Every message names the method,
 * the endpoint (path only) and MLflow's `error_code` (https://mlflow.org/docs/latest/api_reference/rest-api.html
 * — "Error codes"), so a log line alone says which call failed and why.
 */
import { ConfigError, DataError, IoError, type AppErrorOptions } from "../domain/errors.ts";

export interface MlflowErrorFacts {
  readonly method: string;
  /** Path without the query string, e.g. /api/2.0/mlflow/runs/get. */
  readonly endpoint: string;
  readonly status?: number;
  /** MLflow's error_code, e.g. RESOURCE_DOES_NOT_EXIST, when the server sent one. */
  readonly errorCode?: string;
}

function where(facts: MlflowErrorFacts): string {
  return `MLflow ${facts.method} ${facts.endpoint}`;
}

function answered(facts: MlflowErrorFacts): string {
  const code = facts.errorCode === undefined ? "" : ` ${facts.errorCode}`;
  return `${where(facts)} answered ${facts.status ?? "?"}${code}`;
}

/** A 4xx: the request names something missing, duplicates something, or is invalid. Retrying cannot help. */
export class MlflowRequestError extends DataError {
  readonly facts: MlflowErrorFacts;
  constructor(facts: MlflowErrorFacts, message: string, options?: AppErrorOptions) {
    const code =
      facts.errorCode === "RESOURCE_DOES_NOT_EXIST" || facts.status === 404
        ? "mlflow_not_found"
        : facts.errorCode === "RESOURCE_ALREADY_EXISTS"
          ? "mlflow_already_exists"
          : "mlflow_bad_request";
    super(code, `${answered(facts)}: ${message}`, options);
    this.facts = facts;
  }
}

/** 401/403: credentials missing or refused, or the server refuses our Host header. A configuration problem. */
export class MlflowAuthError extends ConfigError {
  readonly facts: MlflowErrorFacts;
  constructor(facts: MlflowErrorFacts, message: string, options?: AppErrorOptions) {
    super("mlflow_auth_failed", `${answered(facts)}: ${message}`, options);
    this.facts = facts;
  }
}

/** 429, 5xx, a refused or dropped connection, a timeout — after the bounded retries were spent. */
export class MlflowUnavailableError extends IoError {
  readonly facts: MlflowErrorFacts;
  constructor(facts: MlflowErrorFacts, detail: string, options?: AppErrorOptions) {
    super("mlflow_unavailable", `${where(facts)} failed: ${detail}`, options);
    this.facts = facts;
  }
}

/** A success status whose body is not what the API documents (not JSON, or a shape that fails validation). */
export class MlflowResponseError extends DataError {
  readonly facts: MlflowErrorFacts;
  constructor(facts: MlflowErrorFacts, reason: string, options?: AppErrorOptions) {
    super("mlflow_malformed_response", `${where(facts)} sent an unusable response: ${reason}`, options);
    this.facts = facts;
  }
}

export type MlflowError = MlflowRequestError | MlflowAuthError | MlflowUnavailableError | MlflowResponseError;

/** True when `error` is an MLflow answer carrying `errorCode` (e.g. "RESOURCE_ALREADY_EXISTS"). */
export function hasMlflowErrorCode(error: unknown, errorCode: string): boolean {
  return (
    (error instanceof MlflowRequestError || error instanceof MlflowAuthError) && error.facts.errorCode === errorCode
  );
}

/** MLflow's message is sometimes a page of SQL (RESOURCE_ALREADY_EXISTS carries the failed INSERT): keep its gist. */
function gist(text: string): string {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? "";
  const plain = firstLine.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim();
  return plain.length > 300 ? `${plain.slice(0, 297)}...` : plain;
}

interface ErrorBody {
  readonly errorCode: string | undefined;
  readonly message: string;
}

/** MLflow answers errors as {"error_code", "message"}; proxies and Flask's own 404/405 pages answer HTML. */
export function parseErrorBody(text: string): ErrorBody {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null) {
      const code: unknown = Reflect.get(parsed, "error_code");
      const message: unknown = Reflect.get(parsed, "message");
      return {
        errorCode: typeof code === "string" ? code : undefined,
        message: typeof message === "string" ? gist(message) : gist(text),
      };
    }
  } catch {
    // Not JSON: fall through to the text itself.
  }
  return { errorCode: undefined, message: gist(text) || "(empty body)" };
}

/** The AppError for a non-success HTTP status; `retryable` says whether the same request may succeed later. */
export function mlflowHttpError(
  request: { readonly method: string; readonly endpoint: string },
  status: number,
  bodyText: string,
): { readonly error: MlflowError; readonly retryable: boolean } {
  const body = parseErrorBody(bodyText);
  const facts: MlflowErrorFacts = {
    method: request.method,
    endpoint: request.endpoint,
    status,
    ...(body.errorCode === undefined ? {} : { errorCode: body.errorCode }),
  };
  if (status === 429 || status >= 500) {
    return { error: new MlflowUnavailableError(facts, `HTTP ${status}${body.errorCode === undefined ? "" : ` ${body.errorCode}`}: ${body.message}`), retryable: true };
  }
  if (status === 401) {
    return {
      error: new MlflowAuthError(facts, `${body.message} (check MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN)`),
      retryable: false,
    };
  }
  if (status === 403) {
    // MLflow 3.x refuses a Host header outside its allow-list (DNS-rebinding protection, server/security_utils.py).
    // The default list is localhost and private IPs, so a server reached by a host name (mlflow.lan, a public
    // address) answers 403 unless it was started with --allowed-hosts naming it.
    const hostRefused = /invalid host header/i.test(bodyText);
    const hint = hostRefused
      ? " (the server refuses this host name: start it with --allowed-hosts listing the name in MLFLOW_TRACKING_URI)"
      : " (the credentials lack permission for this resource)";
    return { error: new MlflowAuthError(facts, `${body.message}${hint}`), retryable: false };
  }
  return { error: new MlflowRequestError(facts, body.message), retryable: false };
}
