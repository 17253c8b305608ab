/**
 * The one rate governor. Every caller that talks to a vendor (edge collection, backfill, audit, reference)
 * goes through the same instance, so a vendor sees one smooth stream of requests however many workers want it.
 *
 * Per vendor it combines:
 * - smooth pacing equivalent to GCRA ("generic cell rate algorithm", ITU-T I.371) with no burst tolerance:
 *   send slots are spaced windowMs/limit (plus a small safety margin) apart, so any sliding window of windowMs
 *   holds at most `limit` requests — no fixed-window double bursts at a boundary. The slots come in blocks from
 *   the vendor's one shared pace (VendorQuota, quota.ts), so every governor on a lake — other processes, other
 *   nodes — sends inside the same sequence of slots. Callers queue on one chain per vendor, so concurrent
 *   workers take turns instead of stampeding.
 * - a daily budget, reserved in small chunks from the same quota: one counter per vendor for every consumer,
 *   and this consumer's share of it as a sub-limit;
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
import { systemClock, type GovernorClock } from "./clock.ts";
import { BudgetExhaustedError, isRetryable, RateLimitedError } from "./errors.ts";
import { OwnedSlots } from "./owned-slots.ts";
import { memoryQuota, type VendorQuota } from "./quota.ts";

export interface RateRule {
  /** Requests allowed in any sliding window of `windowMs`. */
  readonly limit: number;
  readonly windowMs: number;
}

export interface VendorPolicy {
  readonly rules: readonly RateRule[];
  /** The vendor's requests per UTC day for every consumer together; undefined = no budget. */
  readonly dailyBudget?: number;
  /** This governor's consumer's share of `dailyBudget` (a sub-limit; default the whole budget). */
  readonly consumerBudget?: number;
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

export const USAGE_COUNTERS = [
  "requests", "ok", "rate_limited", "server_errors", "client_errors", "network_errors", "malformed",
  "retries", "gave_up", "bytes", "pages", "merges", "budget_denied", "cooldowns", "wait_ms", "missed_slots",
] as const;
export type UsageCounter = (typeof USAGE_COUNTERS)[number];
export type UsageCounters = Record<UsageCounter, number>;

export function emptyCounters(): UsageCounters {
  return Object.fromEntries(USAGE_COUNTERS.map((k) => [k, 0])) as UsageCounters;
}

export interface GovernorOptions {
  readonly policies: Readonly<Record<string, VendorPolicy>>;
  /** The vendors' shared budgets and pace: `lakeQuota(store)` for every process on a lake; default this governor's own. */
  readonly quota?: VendorQuota;
  /** Whose share of the daily budgets this governor spends: "edge", "backfill", "options", "reference"… (default "edge"). */
  readonly consumer?: string;
  /** This governor's name in the shared pace (default: unique per instance). */
  readonly holder?: string;
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
  /** The vendor's send slots this governor owns. */
  readonly slots: OwnedSlots;
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

/** Send-to-arrival jitter one window absorbs by default (a request reaching the vendor late, the next one on time). */
export const JITTER_ALLOWANCE_MS = 200;

/** Minimum gap between two send slots: every rule's window (widened by the margin and the jitter allowance) over its limit. */
export function spacingOf(policy: VendorPolicy): number {
  const margin = 1 + (policy.safetyMargin ?? 0.01);
  const jitter = policy.jitterAllowanceMs ?? JITTER_ALLOWANCE_MS;
  return Math.max(0, ...policy.rules.map((rule) => (rule.windowMs * margin + jitter) / rule.limit));
}

/**
 * Slots claimed at once from the shared pace: about a twelfth of the binding rule's limit (5 s of a per-minute
 * limit), so a lake round trip per block is cheap while two processes still alternate within a window.
 */
export function blockSizeOf(policy: VendorPolicy): number {
  const spacing = spacingOf(policy);
  const binding = policy.rules.reduce<RateRule | undefined>((best, rule) => (best === undefined || rule.windowMs / rule.limit > best.windowMs / best.limit ? rule : best), undefined);
  if (binding === undefined || spacing <= 0) return 50;
  return Math.max(1, Math.min(50, Math.round(binding.windowMs / 12 / spacing)));
}

/**
 * How late after its slot a request may still go: half of the slack the spacing leaves in every rule's window
 * (`limit × spacing − window`: the safety margin plus the jitter allowance); the other half absorbs
 * send-to-arrival jitter (owned-slots.ts says why). 400 ms for a per-minute limit, 33 ms at ×12 compression.
 */
export function lateToleranceOf(policy: VendorPolicy): number {
  const spacing = spacingOf(policy);
  return Math.max(0, Math.min(...policy.rules.map((rule) => rule.limit * spacing - rule.windowMs))) / 2;
}

export const BACKOFF_BASE_MS = 250;
export const BACKOFF_CAP_MS = 30_000;

export class RateGovernor {
  private readonly vendors = new Map<string, VendorState>();
  private readonly quota: VendorQuota;
  readonly consumer: string;
  private readonly holder: string;
  private readonly clock: GovernorClock;
  private readonly random: () => number;
  private readonly logger: Logger;

  constructor(options: GovernorOptions) {
    this.clock = options.clock ?? systemClock;
    this.quota = options.quota ?? memoryQuota(this.clock);
    this.consumer = options.consumer ?? "edge";
    this.holder = options.holder ?? `${this.consumer}-${crypto.randomUUID().slice(0, 8)}`;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentLogger;
    for (const [vendor, policy] of Object.entries(options.policies)) {
      const slots = new OwnedSlots(
        { vendor, holder: this.holder, spacingMs: spacingOf(policy), blockSize: blockSizeOf(policy), lateMs: lateToleranceOf(policy) },
        this.quota,
        this.clock,
      );
      this.vendors.set(vendor, {
        policy, slots, pacer: Promise.resolve(), queued: 0, blockedUntil: 0, coolUntil: 0,
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
    return Math.max(0, s.blockedUntil - now, s.coolUntil - now, s.slots.waitFor(s.queued, now));
  }

  /** True while the vendor is paused by a cool-down (the scheduler gives its workers to other vendors). */
  isCoolingDown(vendor: string): boolean {
    return this.state(vendor).coolUntil > this.clock.now();
  }

  /**
   * Runs `attempt` under the vendor's policy: waits for a concurrency slot, the budget and a send slot (in that
   * order: a send slot must not pass while the budget is booked), then retries retryable failures with backoff.
   * Non-retryable errors and exhausted retries are thrown.
   */
  async run<T>(vendor: string, attempt: () => Promise<T>, options: CallOptions = {}): Promise<T> {
    const s = this.state(vendor);
    const maxRetries = s.policy.maxRetries ?? 5;
    for (let tryNo = 0; ; tryNo++) {
      await this.acquireWindow(s, options.signal);
      try {
        await this.takeBudget(vendor, s);
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
    const cap = policy.backoffCapMs ?? BACKOFF_CAP_MS;
    const base = policy.backoffBaseMs ?? BACKOFF_BASE_MS;
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

  /** Waits for this caller's turn: callers queue on a per-vendor chain and each sends in one of the vendor's slots. */
  private async pace(vendor: string, s: VendorState, signal: AbortSignal | undefined): Promise<void> {
    const start = this.clock.now();
    const missedBefore = s.slots.missed;
    s.queued++;
    const turn = s.pacer.then(() => this.waitTurn(s, signal));
    s.pacer = turn.catch(() => undefined);
    try {
      await turn;
    } finally {
      s.queued--;
    }
    this.count(vendor, "wait_ms", Math.round(this.clock.now() - start));
    if (s.slots.missed > missedBefore) this.count(vendor, "missed_slots", s.slots.missed - missedBefore);
  }

  /** Sends at an owned slot, never inside a Retry-After pause or a cool-down. */
  private async waitTurn(s: VendorState, signal: AbortSignal | undefined): Promise<void> {
    const since = this.clock.now();
    for (;;) {
      const now = this.clock.now();
      const hold = Math.max(s.blockedUntil, s.coolUntil) - now;
      if (hold > 0) {
        await this.clock.sleep(hold, signal);
        continue;
      }
      const slot = await s.slots.next(since, signal);
      const at = this.clock.now();
      // Timers may fire a fraction of a millisecond early (Deno rounds): re-check instead of trusting them.
      if (slot > at) {
        await this.clock.sleep(slot - at, signal);
        continue;
      }
      s.slots.take();
      return;
    }
  }

  /** Spends one request of today's budget, booking a small chunk from the shared counter when none is left. */
  private async takeBudget(vendor: string, s: VendorState): Promise<void> {
    const total = s.policy.dailyBudget;
    if (total === undefined) return;
    const share = Math.min(total, s.policy.consumerBudget ?? total);
    const today = this.quota.day();
    if (s.budgetDay !== today) {
      // A new day: yesterday's unspent grants are not today's.
      s.budgetDay = today;
      s.budgetLeft = 0;
      s.budgetExhausted = false;
    }
    let limitedBy: "total" | "share" | undefined;
    if (s.budgetLeft <= 0) {
      const chunk = Math.max(1, Math.min(20, Math.ceil(share / 50)));
      const grant = await this.quota.reserve({ vendor, consumer: this.consumer, want: chunk, total, share });
      if (grant.day !== s.budgetDay) {
        s.budgetDay = grant.day;
        s.budgetLeft = 0;
        s.budgetExhausted = false;
      }
      s.budgetLeft += grant.granted;
      limitedBy = grant.limitedBy;
    }
    if (s.budgetLeft <= 0) {
      s.budgetExhausted = true;
      this.count(vendor, "budget_denied");
      throw new BudgetExhaustedError(vendor, s.budgetDay, limitedBy === "share" ? { budget: share, consumer: this.consumer, total } : { budget: total });
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
      // Every process on the quota pauses too: the vendor counts all of them against the same limit.
      this.quota.hold(vendor, this.holder, s.blockedUntil).catch((e: unknown) => this.logger.warn("could not share a Retry-After pause", { vendor, error: e }));
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
    const errorRate = failures / Math.max(1, s.outcomes.length);
    if (s.outcomes.length >= minSamples && errorRate >= threshold && s.coolUntil <= now) {
      const cooldown = s.policy.cooldownMs ?? 60_000;
      s.coolUntil = now + cooldown;
      this.count(vendor, "cooldowns");
      this.logger.warn("vendor cooling down", { vendor, error_rate: errorRate, failed: failures, requests: s.outcomes.length, cooldown_ms: cooldown });
      // The window starts afresh after the pause: the failures that caused it are not counted twice.
      s.outcomes.length = 0;
    }
  }
}
