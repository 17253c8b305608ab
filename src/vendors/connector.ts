/** What every connector shares: where the vendor lives, its credentials, the governor, a clock for lineage. */
import type { Logger } from "../domain/logger.ts";
import { registerSecret } from "../domain/redact.ts";
import type { RateGovernor } from "./governor.ts";
import type { HttpOptions } from "./http.ts";
import type { Lineage, RejectedRecord } from "./rows.ts";

export interface ConnectorOptions {
  readonly governor: RateGovernor;
  /** Vendor root URL; the real service by default, the simulator in tests and the demo. */
  readonly baseUrl?: string;
  readonly logger?: Logger;
  readonly timeoutMs?: number;
  /** Wall clock for `ingested_at` (tests pin it). */
  readonly now?: () => Date;
}

export function httpFor(vendor: string, options: ConnectorOptions): HttpOptions {
  return {
    governor: options.governor, vendor,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  };
}

export function lineage(sourceName: string, uri: string, now: () => Date): Lineage {
  return { source_name: sourceName, source_uri: uri, ingested_at: now().toISOString() };
}

/** Secrets must never reach a log or the lake: every key a connector is given is registered for redaction. */
export function secret(value: string): string {
  registerSecret(value);
  return value;
}

export function schemaReject(sourceName: string, uri: string, raw: unknown, detail: string): RejectedRecord {
  return { reason: "schema", detail, source_name: sourceName, source_uri: uri, raw };
}

/** Appends query parameters to a URL (undefined values are skipped). */
export function withQuery(url: string, params: Record<string, string | number | boolean | undefined>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, String(v));
  return u.toString();
}
