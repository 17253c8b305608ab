/**
 * Rate limits as the simulator's own request log proves them. Each logged request arrived somewhere in
 * [earliestMs, atMs] (the simulator's event loop may have been stalled by a loaded machine); a window certainly
 * holds a request when the whole interval lies inside it. The count is therefore a lower bound of the true count:
 * when it exceeds a limit, the client certainly broke it, whatever the machine's load. On a quiet machine the
 * intervals are a few milliseconds wide and the count is the plain one.
 */
export interface LoggedArrival {
  readonly earliestMs: number;
  readonly atMs: number;
}

/** Largest number of requests certainly inside one half-open window [x, x + windowMs). */
export function certainMaxInWindow(entries: readonly LoggedArrival[], windowMs: number): number {
  const sorted = [...entries].sort((a, b) => a.earliestMs - b.earliestMs);
  let best = 0;
  // An optimal window can start at some request's earliest arrival.
  for (let i = 0; i < sorted.length; i++) {
    const start = sorted[i]?.earliestMs ?? 0;
    let inside = 0;
    for (let j = i; j < sorted.length; j++) {
      const e = sorted[j];
      if (e === undefined || e.earliestMs >= start + windowMs) break;
      if (e.atMs < start + windowMs) inside++;
    }
    best = Math.max(best, inside);
  }
  return best;
}

/** The longest the simulator's event loop was seen stalled around a request (how loaded the run was). */
export function worstStallMs(entries: readonly LoggedArrival[]): number {
  return Math.max(0, ...entries.map((e) => e.atMs - e.earliestMs));
}

/** Largest number of timestamps inside any half-open window of `windowMs` (stamps taken by the client itself). */
export function maxInWindow(stamps: readonly number[], windowMs: number): number {
  const s = [...stamps].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < s.length; i++) {
    while ((s[i] ?? 0) - (s[j] ?? 0) >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}
