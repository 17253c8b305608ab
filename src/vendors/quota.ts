/**
 * One budget and one pace per vendor: what every consumer of a vendor (edge collection, backfill, options
 * sampling, reference data) draws from, whichever process or node it runs in.
 *
 * - The daily budget is one counter per vendor and UTC day. Each consumer may also have a share of it (edge.yml
 *   and backfill.yml `daily_budget`): a sub-limit inside the vendor's total, never an addition to it.
 * - The pace is one sequence of send slots per vendor, `spacingMs` apart. A governor claims slots in blocks and
 *   sends each request inside one of its own slots, so however many governors share a quota, any window of the
 *   vendor holds no more requests than one governor pacing alone would send.
 *
 * `memoryQuota` coordinates the governors of one process (tests, the demo); `lakeQuota` (lake-quota.ts) coordinates
 * every process on a lake through two CAS-updated state objects.
 */
import { systemClock, type QuotaClock } from "./clock.ts";

export interface BudgetClaim {
  readonly vendor: string;
  /** Who spends the requests, e.g. "edge", "backfill", "options", "reference". */
  readonly consumer: string;
  readonly want: number;
  /** The vendor's requests per UTC day for every consumer together (node.yml `vendors.<v>.daily_budget`). */
  readonly total: number;
  /** This consumer's sub-limit (its `daily_budget` share); `total` when it has none. */
  readonly share: number;
}

export interface BudgetGrant {
  /** Requests granted, 0..want. */
  readonly granted: number;
  /** The UTC day they are booked to, on the quota's clock. */
  readonly day: string;
  /** Which limit cut the grant short, when one did. */
  readonly limitedBy?: "total" | "share";
}

export interface PaceClaim {
  readonly vendor: string;
  /** The claiming governor (one per process and consumer); blocks of one holder follow each other without a guard. */
  readonly holder: string;
  readonly count: number;
  readonly spacingMs: number;
  /**
   * The first of this holder's slots that went unused (it and every later one it holds passed unsent). When no
   * one has claimed since, the new block may start there instead of after them: nothing was sent in them, so
   * the pace resumes as if they had been claimed now. A slot missed by a stalled event loop then costs the
   * stall, not a whole spacing (12 s for Polygon's free tier).
   */
  readonly resumeFromMs?: number;
}

/** `count` send slots at `startMs + i × spacingMs`, on the claimer's monotonic clock (`QuotaClock.now`). */
export interface PaceBlock {
  readonly startMs: number;
  readonly count: number;
  readonly spacingMs: number;
}

export interface VendorQuota {
  /** The UTC day budgets are booked to now, on the quota's clock (a lake's: the store's). */
  day(): string;
  /** Books up to `want` requests of today's budget to `consumer`. */
  reserve(claim: BudgetClaim): Promise<BudgetGrant>;
  /** Claims the vendor's next `count` send slots. */
  claimSlots(claim: PaceClaim, signal?: AbortSignal): Promise<PaceBlock>;
  /** No later slot of the vendor starts before `untilMs` (monotonic): one process's Retry-After holds them all. */
  hold(vendor: string, holder: string, untilMs: number): Promise<void>;
}

/** The holder a pause is recorded under: not the claimer's, so its unused slots cannot resume into the pause. */
export function holdMark(holder: string): string {
  return `hold:${holder}`;
}

/** What a grant is: as much of `want` as both the vendor's total and the consumer's share still allow. */
export function grantOf(claim: BudgetClaim, usedTotal: number, usedByConsumer: number): { granted: number; limitedBy?: "total" | "share" } {
  const byTotal = claim.total - usedTotal;
  const byShare = Math.min(claim.share, claim.total) - usedByConsumer;
  const granted = Math.max(0, Math.min(claim.want, byTotal, byShare));
  if (granted === claim.want) return { granted };
  return { granted, limitedBy: byShare < byTotal ? "share" : "total" };
}

export interface MemoryQuota extends VendorQuota {
  /** Requests booked for a vendor and day: in total and per consumer. */
  used(vendor: string, day: string): { total: number; consumers: Readonly<Record<string, number>> };
}

/** A quota shared by the governors of one process. */
export function memoryQuota(clock: QuotaClock = systemClock): MemoryQuota {
  const budgets = new Map<string, { total: number; consumers: Record<string, number> }>();
  const nextSlot = new Map<string, number>();
  const lastHolder = new Map<string, string>();
  const booked = (vendor: string, day: string): { total: number; consumers: Record<string, number> } => {
    const key = `${vendor}|${day}`;
    const found = budgets.get(key);
    if (found) return found;
    const fresh = { total: 0, consumers: {} };
    budgets.set(key, fresh);
    return fresh;
  };
  return {
    day: () => clock.day(),
    reserve: async (claim) => {
      const day = clock.day();
      const used = booked(claim.vendor, day);
      const grant = grantOf(claim, used.total, used.consumers[claim.consumer] ?? 0);
      used.total += grant.granted;
      used.consumers[claim.consumer] = (used.consumers[claim.consumer] ?? 0) + grant.granted;
      return { ...grant, day };
    },
    claimSlots: async (claim) => {
      // One clock for every holder: blocks need no guard between them.
      const next = nextSlot.get(claim.vendor) ?? -Infinity;
      const free = claim.resumeFromMs !== undefined && lastHolder.get(claim.vendor) === claim.holder ? Math.min(next, claim.resumeFromMs) : next;
      const startMs = Math.max(clock.now(), free);
      nextSlot.set(claim.vendor, startMs + claim.count * claim.spacingMs);
      lastHolder.set(claim.vendor, claim.holder);
      return { startMs, count: claim.count, spacingMs: claim.spacingMs };
    },
    hold: async (vendor, holder, untilMs) => {
      nextSlot.set(vendor, Math.max(untilMs, nextSlot.get(vendor) ?? -Infinity));
      // Not the holder's own slots any more: a later claim must not resume into the pause.
      lastHolder.set(vendor, holdMark(holder));
    },
    used: (vendor, day) => {
      const found = budgets.get(`${vendor}|${day}`);
      return { total: found?.total ?? 0, consumers: { ...found?.consumers } };
    },
  };
}
