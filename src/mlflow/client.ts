/**
 * The HTTP edge of the MLflow client: one request over undici with auth, a bounded number of retries with
 * full-jitter backoff on 429, 5xx and connection failures, abort signals, error mapping (./errors.ts) and zod
 * validation of every JSON answer. The endpoint modules (experiments.ts, runs.ts, ...) describe calls; this
 * module makes them.
 *
 * Retry safety: a call is `idempotent` when repeating it cannot create a second thing (reads, updates, tags,
 * log-batch — MLflow ignores an identical metric point — alias moves, artifact PUTs, and creates guarded by a
 * unique name). Non-idempotent calls (runs/create, model-versions/create) are retried only when the server
 * certainly did not act: a 429, or a connection that was never established. A 5xx or a dropped connection after
 * sending may hide a success, and repeating it would register a second version.
 */
import { Agent, request, type Dispatcher } from "undici";
import type { z } from "zod";
import { fullJitterDelay, retryAfterMs, type BackoffOptions } from "../domain/backoff.ts";
import { silentLogger, type Logger } from "../domain/logger.ts";
import { sleep } from "../domain/sleep.ts";
import { authorizationHeader, type MlflowConnection } from "./connection.ts";
import { MlflowResponseError, MlflowUnavailableError, mlflowHttpError, type MlflowErrorFacts } from "./errors.ts";

export interface MlflowClientOptions {
  /** A caller's pool (not closed by `close()`); otherwise the client owns a keep-alive pool. */
  readonly dispatcher?: Dispatcher;
  /** Time to response headers and between body chunks (default 30 s). */
  readonly timeoutMs?: number;
  /** Attempts per call, the first included (default 4). */
  readonly maxAttempts?: number;
  /** Backoff between attempts (default base 250 ms, cap 8 s); a server's Retry-After wins when longer. */
  readonly backoff?: BackoffOptions;
  readonly logger?: Logger;
}

/** Per-call options every endpoint function accepts. */
export interface CallOptions {
  readonly signal?: AbortSignal;
}

export type HttpMethod = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
export type QueryValue = string | number | boolean | readonly string[] | undefined;

export interface MlflowRequest {
  readonly method: HttpMethod;
  /** Path under the tracking URI, starting with /api/. */
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** A JSON body (POST/PATCH/DELETE). */
  readonly json?: unknown;
  /** A raw body (artifact upload). */
  readonly bytes?: Uint8Array;
  readonly idempotent: boolean;
  readonly signal?: AbortSignal | undefined;
}

export interface MlflowClient {
  readonly trackingUri: string;
  /** Sends a request and validates its JSON answer with `schema`. */
  json<S extends z.ZodType>(req: MlflowRequest, schema: S): Promise<z.output<S>>;
  /** Sends a request and returns the raw body (artifact download). */
  bytes(req: MlflowRequest): Promise<Uint8Array>;
  /** Closes the client's own connection pool (a caller's dispatcher is left open). */
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_ATTEMPTS = 4;
const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 250, capMs: 8_000 };
/** A server asking for a longer pause than this is treated as down rather than waited for. */
const MAX_RETRY_AFTER_MS = 60_000;

/** Connection failures where no byte of the request reached the server. */
const NEVER_CONNECTED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);

function errorCode(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code: unknown = Reflect.get(error, "code");
  if (typeof code === "string") return code;
  // undici wraps the socket error of a failed fetch-style connect as `cause`.
  return error.cause instanceof Error ? errorCode(error.cause) : error.name;
}

export function buildUrl(trackingUri: string, path: string, query: MlflowRequest["query"]): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") params.append(key, String(value));
    else for (const item of value) params.append(key, item);
  }
  const search = params.toString();
  return `${trackingUri}${path}${search === "" ? "" : `?${search}`}`;
}

/** The JSON text of a request body; non-finite doubles as proto3 JSON spells them (JSON.stringify would write null). */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item !== "number" || Number.isFinite(item)) return item;
    return Number.isNaN(item) ? "NaN" : item > 0 ? "Infinity" : "-Infinity";
  });
}

interface Attempt {
  readonly status: number;
  readonly headers: Dispatcher.ResponseData["headers"];
  readonly body: Uint8Array;
}

export function createMlflowClient(connection: MlflowConnection, options: MlflowClientOptions = {}): MlflowClient {
  const ownsPool = options.dispatcher === undefined;
  const dispatcher: Dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 4_000, connections: 8 });
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_ATTEMPTS);
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const logger = options.logger ?? silentLogger;
  const authorization = authorizationHeader(connection.auth);

  async function once(req: MlflowRequest, facts: MlflowErrorFacts): Promise<Attempt> {
    const headers: Record<string, string> = { accept: "application/json", "user-agent": "trademl" };
    if (authorization !== undefined) headers["authorization"] = authorization;
    let body: string | Uint8Array | undefined;
    if (req.bytes !== undefined) {
      body = req.bytes;
      headers["content-type"] = "application/octet-stream";
    } else if (req.json !== undefined) {
      body = encodeJson(req.json);
      headers["content-type"] = "application/json";
    }
    const response = await request(buildUrl(connection.trackingUri, req.path, req.query), {
      method: req.method,
      headers,
      dispatcher,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      ...(body === undefined ? {} : { body }),
      ...(req.signal === undefined ? {} : { signal: req.signal }),
    });
    try {
      return { status: response.statusCode, headers: response.headers, body: new Uint8Array(await response.body.arrayBuffer()) };
    } catch (error) {
      if (req.signal?.aborted) throw error;
      // The status line arrived, so the server acted on the request: only an idempotent call may repeat it.
      throw new MlflowUnavailableError({ ...facts, status: response.statusCode }, `the body was cut off (${errorCode(error)})`, { cause: error });
    }
  }

  async function send(req: MlflowRequest): Promise<Uint8Array> {
    const facts: MlflowErrorFacts = { method: req.method, endpoint: req.path };
    for (let attempt = 1; ; attempt++) {
      let failure: Error;
      let retryable: boolean;
      let serverPauseMs: number | undefined;
      try {
        const answer = await once(req, facts);
        if (answer.status >= 200 && answer.status < 300) return answer.body;
        const mapped = mlflowHttpError(facts, answer.status, new TextDecoder().decode(answer.body));
        failure = mapped.error;
        retryable = mapped.retryable && (req.idempotent || answer.status === 429);
        serverPauseMs = retryAfterMs(answer.headers);
      } catch (error) {
        if (req.signal?.aborted) throw error;
        const code = errorCode(error);
        failure = error instanceof MlflowUnavailableError ? error : new MlflowUnavailableError(facts, `connection failed (${code})`, { cause: error });
        retryable = req.idempotent || NEVER_CONNECTED.has(code);
      }
      if (!retryable || attempt >= maxAttempts || (serverPauseMs !== undefined && serverPauseMs > MAX_RETRY_AFTER_MS)) {
        throw failure;
      }
      const pause = Math.max(fullJitterDelay(attempt - 1, backoff), serverPauseMs ?? 0);
      logger.debug("mlflow retry", { method: req.method, endpoint: req.path, attempt, pause_ms: pause, reason: failure.message });
      await sleep(pause, req.signal);
    }
  }

  return {
    trackingUri: connection.trackingUri,
    async json(req, schema) {
      const raw = await send(req);
      const facts: MlflowErrorFacts = { method: req.method, endpoint: req.path };
      const text = new TextDecoder().decode(raw).trim();
      let parsed: unknown;
      try {
        parsed = text === "" ? {} : JSON.parse(text);
      } catch (error) {
        throw new MlflowResponseError(facts, `the body is not JSON: ${text.slice(0, 120)}`, { cause: error });
      }
      const result = schema.safeParse(parsed);
      if (!result.success) {
        const issues = result.error.issues.slice(0, 3).map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
        throw new MlflowResponseError(facts, issues.join("; "), { cause: result.error });
      }
      return result.data;
    },
    bytes: send,
    async close() {
      if (ownsPool) await dispatcher.close();
    },
  };
}
