/**
 * How long to wait before trying a remote call again.
 *
 * Exponential backoff with "full jitter": sleep = random(0, min(cap, base · 2^attempt)).
 * Source: Marc Brooker, "Exponential Backoff And Jitter", AWS Architecture Blog (2015) — full jitter spreads
 * competing clients best and finishes the total work soonest among the variants compared there.
 */
export interface BackoffOptions {
  readonly baseMs?: number;
  readonly capMs?: number;
  readonly random?: () => number;
}

export function fullJitterDelay(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 50;
  const cap = options.capMs ?? 5_000;
  const random = options.random ?? Math.random;
  return Math.floor(random() * Math.min(cap, base * 2 ** attempt));
}

/** Retry-After (seconds or an HTTP date, RFC 9110 §10.2.3), else X-RateLimit-Reset (Unix seconds, or seconds
 *  from now when small, as some vendors send). */
export function retryAfterMs(headers: Readonly<Record<string, string | string[] | undefined>>, nowMs = Date.now()): number | undefined {
  const one = (name: string): string | undefined => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const retryAfter = one("retry-after");
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, date - nowMs);
  }
  const reset = Number(one("x-ratelimit-reset") ?? one("x-ratelimit-reset-after") ?? NaN);
  if (Number.isFinite(reset)) return reset > 1e9 ? Math.max(0, reset * 1000 - nowMs) : Math.max(0, reset * 1000);
  return undefined;
}
