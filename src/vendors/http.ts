/**
 * The HTTP edge of every connector: one GET through the governor, with undici, mapping the vendor's answer to
 * data or to a typed error (src/vendors/errors.ts). Bytes and pages are booked on the governor's counters.
 * URLs carry API keys in their query for some vendors, so errors and logs only ever see the path.
 */
import { Agent, request, type Dispatcher } from "undici";
import { retryAfterMs } from "../domain/backoff.ts";
import type { Logger } from "../domain/logger.ts";
import { silentLogger } from "../domain/logger.ts";
import {
  EntitlementError, MalformedResponseError, RateLimitedError, VendorAuthError, VendorRequestError, VendorUnavailableError,
  type VendorErrorFacts,
} from "./errors.ts";
import type { RateGovernor } from "./governor.ts";

export interface HttpOptions {
  readonly governor: RateGovernor;
  readonly vendor: string;
  /** Time to response headers and between body chunks (default 30 s). */
  readonly timeoutMs?: number;
  readonly dispatcher?: Dispatcher;
  readonly logger?: Logger;
}

export interface JsonResponse {
  readonly body: unknown;
  readonly bytes: number;
  readonly status: number;
  /** URL without its query string, for lineage. */
  readonly uri: string;
}

export interface GetOptions {
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
}

let sharedAgent: Agent | undefined;
function defaultDispatcher(): Agent {
  sharedAgent ??= new Agent({ keepAliveTimeout: 4_000, connections: 16 });
  return sharedAgent;
}

/** Closes the shared keep-alive pool (tests and short CLI runs call this so the process can exit). */
export async function closeHttpPool(): Promise<void> {
  const agent = sharedAgent;
  sharedAgent = undefined;
  if (agent) await agent.close();
}

export function withoutQuery(url: string): string {
  const i = url.indexOf("?");
  return i < 0 ? url : url.slice(0, i);
}

function messageOf(text: string): string {
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const m = parsed["message"] ?? parsed["error"] ?? parsed["error_message"];
    return typeof m === "string" ? m : text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}

/** GET a JSON document through the governor (pacing, budget, retries). */
export async function getJson(http: HttpOptions, url: string, options: GetOptions = {}): Promise<JsonResponse> {
  const logger = http.logger ?? silentLogger;
  const uri = withoutQuery(url);
  const path = new URL(uri).pathname;
  return http.governor.run(
    http.vendor,
    async () => {
      const facts = (status?: number): VendorErrorFacts => ({ vendor: http.vendor, path, ...(status === undefined ? {} : { status }) });
      let response: Dispatcher.ResponseData;
      try {
        response = await request(url, {
          method: "GET",
          headers: { accept: "application/json", "user-agent": "trademl", ...options.headers },
          dispatcher: http.dispatcher ?? defaultDispatcher(),
          headersTimeout: http.timeoutMs ?? 30_000,
          bodyTimeout: http.timeoutMs ?? 30_000,
          ...(options.signal ? { signal: options.signal } : {}),
        });
      } catch (error) {
        if (options.signal?.aborted) throw error;
        const detail = error instanceof Error ? `${(error as { code?: string }).code ?? error.name}` : String(error);
        throw new VendorUnavailableError(facts(), detail, { cause: error });
      }
      let text: string;
      try {
        text = await response.body.text();
      } catch (error) {
        if (options.signal?.aborted) throw error;
        throw new VendorUnavailableError(facts(response.statusCode), "the body was cut off", { cause: error });
      }
      const bytes = Buffer.byteLength(text);
      http.governor.count(http.vendor, "bytes", bytes);
      const status = response.statusCode;
      logger.debug("vendor response", { vendor: http.vendor, path, status, bytes });
      if (status === 429) throw new RateLimitedError(facts(status), retryAfterMs(response.headers));
      if (status >= 500) throw new VendorUnavailableError(facts(status), `HTTP ${status}: ${messageOf(text)}`);
      if (status === 401) throw new VendorAuthError(facts(status), messageOf(text));
      if (status === 403) throw new EntitlementError(facts(status), messageOf(text));
      if (status >= 400) throw new VendorRequestError(facts(status), messageOf(text));
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (error) {
        throw new MalformedResponseError(facts(status), "the body is not valid JSON (truncated?)", text, { cause: error });
      }
      http.governor.count(http.vendor, "pages");
      return { body, bytes, status, uri };
    },
    options.signal ? { signal: options.signal } : {},
  );
}
