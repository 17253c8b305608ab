/**
 * The one rate governor. Every caller that talks to a vendor (edge collection, backfill, audit, reference)
 * goes through the same instance, so a vendor sees one smooth stream of requests however many workers want it.
 *
 * Per vendor it combines:
 * - smooth pacing equivalent to GCRA ("generic cell rate algorithm", ITU-T I.371) with no burst tolerance:
 *   sends are spaced at least windowMs/limit (plus a small safety margin) apart, so any sliding window of
 *   windowMs holds at most `limit` requests — no fixed-window double bursts at a boundary. Callers queue on
 *   one chain per vendor, so concurrent workers take turns instead of stampeding.
 * - a daily budget, reserved in small chunks from a BudgetStore (CAS state in the lake) so processes share it;
 * - Retry-After / X-RateLimit-Reset honoured for the whole vendor, not only for the request that got the 429;
 * - full-jitter exponential backoff between retries (Brooker, "Exponential Backoff And Jitter", AWS
 *   Architecture Blog, 2015): sleep = random(0, min(cap, base·2^attempt));
 * - AIMD concurrency (Jacobson, "Congestion Avoidance and Control", SIGCOMM 1988): the in-flight window halves
 *   on a 429 and grows by 1/window per success, between 1 and maxInflight;
 * - a cool-down: when the share of failed requests in a sliding window passes a threshold, the vendor pauses.
 * Counters (requests, 429s, 5xx, retries, bytes, pages, merges, …) accumulate per UTC day for the usage file;
 * `merges` is booked by the collector (units that shared one manifest commit).
 */
import type { Logger } from "../domain/logger.ts";
import { silentLogger } from "../domain/logger.ts";
import { todayUtc } from "../domain/calendar/dates.ts";
import { BudgetExhaustedError, isRetryable, RateLimitedError } from "./errors.ts";
import { sleep } from "../domain/sleep.ts";

export interface RateRule {
  /** Requests allowed in any sliding window of `windowMs`. */
  readonly limit: number;
  readonly windowMs: number;
}

export interface VendorPolicy {
  readonly rules: readonly RateRule[];
  /** Requests per UTC day; undefined = no budget. */
  readonly dailyBudget?: number;
  /** Ceiling of the AIMD in-flight window. */
  readonly maxInflight: number;
  /** Attempts after the first before giving up on a retryable error (default 5). */
  readonly maxRetries?: number;
  readonly backoffBaseMs?: number;
  readonly backoffCapMs?: number;
  /** Pause after the error rate passes `errorRateThreshold` (default 60 s). */
  readonly cooldownMs?: number;
  /** Share of failed requests in `errorWindowMs` that triggers a cool-down (default 0.5). */
  readonly errorRateThreshold?: number;
  readonly errorWindowMs?: number;
  /** Fewest requests in the window before the error rate means anything (default 10). */
  readonly errorMinSamples?: number;
  /** Space requests this fraction wider than the limit (default 0.01). */
  readonly safetyMargin?: number;
  /**
   * Milliseconds of send-to-arrival jitter one window must absorb (default 200): a request that reaches the
   * vendor late while the next one is on time would otherwise put limit + 1 requests inside the vendor's window.
   */
  readonly jitterAllowanceMs?: number;
}

/** Daily budgets shared through the lake: `reserve` grants up to `want` requests of `budget` for `day`. */
export interface BudgetStore {
  reserve(vendor: string, day: string, want: number, budget: number): Promise<number>;
}

/** An in-memory budget store (one process; tests and the demo). */
export function memoryBudgetStore(): BudgetStore & { used(vendor: string, day: string): number } {
  const used = new Map<string, number>();
  return {
    reserve: async (vendor, day, want, budget) => {
      const key = `${vendor}|${day}`;
      const current = used.get(key) ?? 0;
      const granted = Math.max(0, Math.min(want, budget - current));
      used.set(key, current + granted);
      return granted;
    },
    used: (vendor, day) => used.get(`${vendor}|${day}`) ?? 0,
  };
}

export const USAGE_COUNTERS = [
  "requests", "ok", "rate_limited", "server_errors", "client_errors", "network_errors", "malformed",
  "retries", "gave_up", "bytes", "pages", "merges", "budget_denied", "cooldowns", "wait_ms",
] as const;
export type UsageCounter = (typeof USAGE_COUNTERS)[number];
export type UsageCounters = Record<UsageCounter, number>;

export function emptyCounters(): UsageCounters {
  return Object.fromEntries(USAGE_COUNTERS.map((k) => [k, 0])) as UsageCounters;
}

export interface GovernorClock {
  /** Monotonic milliseconds. */
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** The UTC day usage and budgets are booked to. */
  day(): string;
}

export const systemClock: GovernorClock = { now: () => performance.now(), sleep, day: () => todayUtc() };

export interface GovernorOptions {
  readonly policies: Readonly<Record<string, VendorPolicy>>;
  readonly budgets?: BudgetStore;
  readonly clock?: GovernorClock;
  /** Uniform [0,1) source for jitter (tests pass a seeded one). */
  readonly random?: () => number;
  readonly logger?: Logger;
}

export interface CallOptions {
  readonly signal?: AbortSignal;
}

interface VendorState {
  readonly policy: VendorPolicy;
  /** When the last request of this vendor was let go (monotonic ms). */
  lastSent: number;
  /** Callers queue here for their turn. */
  pacer: Promise<void>;
  /** Callers currently queued on `pacer`. */
  queued: number;
  blockedUntil: number;
  coolUntil: number;
  window: number;
  inflight: number;
  readonly waiters: (() => void)[];
  readonly outcomes: { at: number; failed: boolean }[];
  budgetLeft: number;
  budgetDay: string;
  budgetExhausted: boolean;
  readonly usage: Map<string, UsageCounters>;
}

export interface VendorStatus {
  readonly vendor: string;
  readonly inflight: number;
  readonly window: number;
  readonly coolingDownMs: number;
  readonly blockedMs: number;
  readonly budgetExhausted: boolean;
}

/** Minimum gap between two sends: every rule's window (widened by the margin and the jitter allowance) over its limit. */
export function spacingOf(policy: VendorPolicy): number {
  const margin = 1 + (policy.safetyMargin ?? 0.01);
  const jitter = policy.jitterAllowanceMs ?? 200;
  return Math.max(0, ...policy.rules.map((rule) => (rule.windowMs * margin + jitter) / rule.limit));
}

export class RateGovernor {
  private readonly vendors = new Map<string, VendorState>();
  private readonly budgets: BudgetStore | undefined;
  private readonly clock: GovernorClock;
  private readonly random: () => number;
  private readonly logger: Logger;

  constructor(options: GovernorOptions) {
    this.budgets = options.budgets;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentLogger;
    for (const [vendor, policy] of Object.entries(options.policies)) {
      this.vendors.set(vendor, {
        policy, lastSent: -Infinity, pacer: Promise.resolve(), queued: 0, blockedUntil: 0, coolUntil: 0,
        window: Math.max(1, Math.ceil(policy.maxInflight / 2)), inflight: 0, waiters: [], outcomes: [],
        budgetLeft: 0, budgetDay: "", budgetExhausted: false, usage: new Map(),
      });
    }
  }

  vendorNames(): string[] {
    return [...this.vendors.keys()];
  }

  private state(vendor: string): VendorState {
    const s = this.vendors.get(vendor);
    if (!s) throw new Error(`the governor has no policy for vendor "${vendor}"`);
    return s;
  }

  /** Adds to today's counters (the HTTP layer books bytes and pages; connectors book merges). */
  count(vendor: string, counter: UsageCounter, n = 1): void {
    const s = this.state(vendor);
    const day = this.clock.day();
    const c = s.usage.get(day) ?? s.usage.set(day, emptyCounters()).get(day) ?? emptyCounters();
    c[counter] += n;
  }

  /** Counters per day for one vendor (a copy). */
  usage(vendor: string): Record<string, UsageCounters> {
    return Object.fromEntries([...this.state(vendor).usage.entries()].map(([d, c]) => [d, { ...c }]));
  }

  status(vendor: string): VendorStatus {
    const s = this.state(vendor);
    const now = this.clock.now();
    return {
      vendor, inflight: s.inflight, window: s.window, coolingDownMs: Math.max(0, s.coolUntil - now),
      blockedMs: Math.max(0, s.blockedUntil - now), budgetExhausted: s.budgetExhausted && s.budgetDay === this.clock.day(),
    };
  }

  /**
   * Milliseconds until one more request of this vendor could go out, counting the callers already queued.
   * The scheduler gives a worker to a vendor only when this is about zero, so no worker sits out a pacing
   * interval while another vendor could use it.
   */
  readyIn(vendor: string): number {
    const s = this.state(vendor);
    const now = this.clock.now();
    const spacing = spacingOf(s.policy);
    const turn = (s.lastSent === -Infinity ? now : s.lastSent + spacing) + spacing * s.queued;
    return Math.max(0, s.blockedUntil - now, s.coolUntil - now, turn - now);
  }

  /** True while the vendor is paused by a cool-down (the scheduler gives its workers to other vendors). */
  isCoolingDown(vendor: string): boolean {
    return this.state(vendor).coolUntil > this.clock.now();
  }

  /**
   * Runs `attempt` under the vendor's policy: waits for a concurrency slot, the pacing slot and the budget,
   * then retries retryable failures with backoff. Non-retryable errors and exhausted retries are thrown.
   */
  async run<T>(vendor: string, attempt: () => Promise<T>, options: CallOptions = {}): Promise<T> {
    const s = this.state(vendor);
    const maxRetries = s.policy.maxRetries ?? 5;
    for (let tryNo = 0; ; tryNo++) {
      await this.acquireWindow(s, options.signal);
      try {
        await this.pace(vendor, s, options.signal);
        this.count(vendor, "requests");
        const result = await attempt();
        this.onSuccess(vendor, s);
        return result;
      } catch (error) {
        if (options.signal?.aborted) throw error;
        this.onFailure(vendor, s, error);
        if (!isRetryable(error)) throw error;
        if (tryNo >= maxRetries) {
          this.count(vendor, "gave_up");
          throw error;
        }
        this.count(vendor, "retries");
        const backoff = this.fullJitter(s.policy, tryNo);
        const retryAfter = error.retryAfterMs ?? 0;
        await this.clock.sleep(Math.max(backoff, retryAfter), options.signal);
      } finally {
        this.releaseWindow(s);
      }
    }
  }

  private fullJitter(policy: VendorPolicy, tryNo: number): number {
    const cap = policy.backoffCapMs ?? 30_000;
    const base = policy.backoffBaseMs ?? 250;
    return this.random() * Math.min(cap, base * 2 ** tryNo);
  }

  private async acquireWindow(s: VendorState, signal: AbortSignal | undefined): Promise<void> {
    while (s.inflight >= Math.floor(s.window)) {
      await new Promise<void>((resolve, reject) => {
        const wake = (): void => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
        const onAbort = (): void => {
          const i = s.waiters.indexOf(wake);
          if (i >= 0) s.waiters.splice(i, 1);
          reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
        };
        if (signal?.aborted) return onAbort();
        s.waiters.push(wake);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    }
    s.inflight++;
  }

  private releaseWindow(s: VendorState): void {
    s.inflight--;
    // Wake as many waiters as the (possibly grown) window has room for; each re-checks when it runs.
    for (let free = Math.floor(s.window) - s.inflight; free > 0 && s.waiters.length > 0; free--) s.waiters.shift()?.();
  }

  /**
   * Waits for this caller's turn: callers queue on a per-vendor chain, and each send happens no earlier than
   * one emission interval after the previous *actual* send (and never inside a Retry-After pause or a
   * cool-down). Spacing by actual send times, not by slots reserved in advance, keeps a late caller (event loop
   * busy with a large body) from being followed immediately by an on-time one.
   */
  private async pace(vendor: string, s: VendorState, signal: AbortSignal | undefined): Promise<void> {
    const start = this.clock.now();
    s.queued++;
    const turn = s.pacer.then(() => this.waitTurn(s, signal));
    s.pacer = turn.catch(() => undefined);
    try {
      await turn;
    } finally {
      s.queued--;
    }
    await this.takeBudget(vendor, s);
    this.count(vendor, "wait_ms", Math.round(this.clock.now() - start));
  }

  private async waitTurn(s: VendorState, signal: AbortSignal | undefined): Promise<void> {
    const spacing = spacingOf(s.policy);
    for (;;) {
      const now = this.clock.now();
      const hold = Math.max(s.blockedUntil, s.coolUntil) - now;
      if (hold > 0) {
        await this.clock.sleep(hold, signal);
        continue;
      }
      const due = s.lastSent + spacing;
      // Timers may fire a fraction of a millisecond early (Deno rounds): re-check instead of trusting them.
      if (due > now) {
        await this.clock.sleep(due - now, signal);
        continue;
      }
      s.lastSent = now;
      return;
    }
  }

  private async takeBudget(vendor: string, s: VendorState): Promise<void> {
    const budget = s.policy.dailyBudget;
    if (budget === undefined) return;
    const day = this.clock.day();
    if (s.budgetDay !== day) {
      s.budgetDay = day;
      s.budgetLeft = 0;
      s.budgetExhausted = false;
    }
    if (s.budgetLeft <= 0) {
      const chunk = Math.max(1, Math.min(20, Math.ceil(budget / 50)));
      const granted = this.budgets ? await this.budgets.reserve(vendor, day, chunk, budget) : chunk;
      s.budgetLeft += granted;
      if (!this.budgets) {
        // Without a store the budget is per process: count it locally.
        const used = this.usage(vendor)[day]?.requests ?? 0;
        s.budgetLeft = Math.max(0, Math.min(s.budgetLeft, budget - used));
      }
    }
    if (s.budgetLeft <= 0) {
      s.budgetExhausted = true;
      this.count(vendor, "budget_denied");
      throw new BudgetExhaustedError(vendor, day, budget);
    }
    s.budgetLeft--;
  }

  private onSuccess(vendor: string, s: VendorState): void {
    this.count(vendor, "ok");
    s.window = Math.min(s.policy.maxInflight, s.window + 1 / s.window);
    this.recordOutcome(vendor, s, false);
  }

  private onFailure(vendor: string, s: VendorState, error: unknown): void {
    const code = (error as { code?: unknown }).code;
    const status = (error as { facts?: { status?: number } }).facts?.status;
    if (error instanceof RateLimitedError) {
      this.count(vendor, "rate_limited");
      const now = this.clock.now();
      // Honour the vendor's Retry-After for every caller; without one, at least one pacing interval.
      const rule = s.policy.rules[0];
      const pause = error.retryAfterMs ?? (rule ? rule.windowMs / rule.limit : 1000);
      s.blockedUntil = Math.max(s.blockedUntil, now + pause);
      s.window = Math.max(1, s.window / 2);
      this.recordOutcome(vendor, s, true);
      return;
    }
    if (code === "vendor_unavailable") {
      this.count(vendor, status !== undefined && status >= 500 ? "server_errors" : "network_errors");
      this.recordOutcome(vendor, s, true);
    } else if (code === "vendor_malformed_response") {
      this.count(vendor, "malformed");
      this.recordOutcome(vendor, s, true);
    } else if (code === "vendor_budget_exhausted") {
      // Already counted as budget_denied; not an error of the vendor's.
    } else {
      this.count(vendor, "client_errors");
    }
  }

  private recordOutcome(vendor: string, s: VendorState, failed: boolean): void {
    const now = this.clock.now();
    const windowMs = s.policy.errorWindowMs ?? 60_000;
    s.outcomes.push({ at: now, failed });
    while (s.outcomes.length > 0 && (s.outcomes[0]?.at ?? now) < now - windowMs) s.outcomes.shift();
    if (!failed) return;
    const failures = s.outcomes.filter((o) => o.failed).length;
    const minSamples = s.policy.errorMinSamples ?? 10;
    const threshold = s.policy.errorRateThreshold ?? 0.5;
    if (s.outcomes.length >= minSamples && failures / s.outcomes.length >= threshold && s.coolUntil <= now) {
      const cooldown = s.policy.cooldownMs ?? 60_000;
      s.coolUntil = now + cooldown;
      s.outcomes.length = 0;
      this.count(vendor, "cooldowns");
      this.logger.warn("vendor cooling down", { vendor, error_rate: failures / Math.max(1, s.outcomes.length + failures), cooldown_ms: cooldown });
    }
  }
}
