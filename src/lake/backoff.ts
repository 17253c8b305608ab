/**
 * Retry with exponential backoff and "full jitter": sleep = random(0, min(cap, base · 2^attempt)).
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
