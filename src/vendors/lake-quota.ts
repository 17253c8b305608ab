/**
 * The vendor quota (quota.ts) shared through the lake, so every process and node on one lake draws from one
 * daily budget and one pace per vendor. Two state objects per vendor, each updated by compare-and-swap:
 *   state/budgets/daily/<vendor>/<day>.json   requests booked for the UTC day, in total and per consumer
 *   state/budgets/pace/<vendor>.json          where the vendor's next free send slot starts
 * A grant is booked before any request is made with it, and a claimed slot is never given to anyone else: a
 * process that dies with unspent grants or slots leaves them unused — a budget or a window can be under-spent,
 * never exceeded.
 *
 * Clocks. Slots and days are on the store's clock (S3: its `Date` header), never the Pi's wall clock, which may be
 * hours off after a boot without network time. Each claim samples the store's time and maps it onto this
 * process's monotonic clock, so only the offset's error enters, not the Pi's: ±RTT/2 on a local lake, ±(500 ms +
 * RTT/2) on S3 (the header has one-second resolution). Blocks of different holders are separated by a guard of both
 * holders' errors, so a block sent early by one process's error cannot run into a neighbour's; blocks of one
 * holder follow each other without a guard (one clock, one offset).
 */
import { z } from "zod";
import { todayUtc } from "../domain/calendar/dates.ts";
import { readState, UNCHANGED, updateState } from "../lake/state.ts";
import type { ObjectStore } from "../lake/types.ts";
import type { BudgetGrant, PaceBlock, VendorQuota } from "./quota.ts";
import { grantOf, holdMark } from "./quota.ts";

const dailyBudgetSchema = z.strictObject({
  format: z.literal(1),
  vendor: z.string().min(1),
  day: z.iso.date(),
  /** The vendor's total as the last claimer configured it (each claim checks against its own). */
  budget: z.number().int().nonnegative(),
  used: z.number().int().nonnegative(),
  /** Requests booked per consumer (edge, backfill, …); they add up to `used`. */
  consumers: z.record(z.string(), z.number().int().nonnegative()),
});
export type DailyBudgetState = z.infer<typeof dailyBudgetSchema>;

const paceSchema = z.strictObject({
  format: z.literal(1),
  vendor: z.string().min(1),
  /** Store-clock milliseconds where the next unclaimed slot may start. */
  next_ms: z.number(),
  /** Who claimed the block ending at `next_ms`, and how far off that holder's clock mapping could be. */
  holder: z.string().min(1),
  uncertainty_ms: z.number().nonnegative(),
  updated_at: z.iso.datetime(),
});
export type PaceState = z.infer<typeof paceSchema>;

export function dailyBudgetKey(vendor: string, day: string): string {
  return `state/budgets/daily/${vendor}/${day}.json`;
}

/** A vendor's booked requests of one UTC day (undefined when nothing was booked): what the daily report shows. */
export async function readDailyBudget(store: ObjectStore, vendor: string, day: string, signal?: AbortSignal): Promise<DailyBudgetState | undefined> {
  return (await readState(store, dailyBudgetKey(vendor, day), dailyBudgetSchema, signal))?.value;
}

export function paceKey(vendor: string): string {
  return `state/budgets/pace/${vendor}.json`;
}

/** Every process and worker books here; each lost race re-reads, so allow many attempts. */
const CAS_ATTEMPTS = 200;

/** This process's view of the store's clock: monotonic time plus an offset measured at each sample. */
class StoreClock {
  private offset: number | undefined;
  private error = 0;
  private readonly store: ObjectStore;

  constructor(store: ObjectStore) {
    this.store = store;
  }

  async sample(): Promise<void> {
    const before = performance.now();
    const server = (await this.store.serverTime()).getTime();
    const after = performance.now();
    this.offset = server - (before + after) / 2;
    // S3Store reads a one-second `Date` header and reports its midpoint; a local store reads this machine's clock.
    this.error = (after - before) / 2 + (this.store.kind === "s3" ? 500 : 0);
  }

  /** The store's time now (before the first sample: this machine's wall clock, the best guess there is). */
  serverNow(): number {
    return this.offset === undefined ? Date.now() : performance.now() + this.offset;
  }

  toLocal(serverMs: number): number {
    return serverMs - (this.offset ?? Date.now() - performance.now());
  }

  toServer(localMs: number): number {
    return localMs + (this.offset ?? Date.now() - performance.now());
  }

  get uncertaintyMs(): number {
    return this.error;
  }

  day(): string {
    return todayUtc(new Date(this.serverNow()));
  }
}

export interface LakeQuota extends VendorQuota {
  /** The day's booked requests of a vendor, undefined when nothing was booked. */
  dailyUsage(vendor: string, day: string): Promise<DailyBudgetState | undefined>;
}

export function lakeQuota(store: ObjectStore): LakeQuota {
  const clock = new StoreClock(store);
  return {
    day: () => clock.day(),

    async reserve(claim): Promise<BudgetGrant> {
      await clock.sample();
      const day = clock.day();
      let grant: { granted: number; limitedBy?: "total" | "share" } = { granted: 0 };
      await updateState(
        store,
        dailyBudgetKey(claim.vendor, day),
        dailyBudgetSchema,
        (current) => {
          const used = current?.used ?? 0;
          const consumers = current?.consumers ?? {};
          grant = grantOf(claim, used, consumers[claim.consumer] ?? 0);
          if (grant.granted === 0) return UNCHANGED;
          return {
            format: 1 as const, vendor: claim.vendor, day, budget: claim.total, used: used + grant.granted,
            consumers: { ...consumers, [claim.consumer]: (consumers[claim.consumer] ?? 0) + grant.granted },
          };
        },
        { maxAttempts: CAS_ATTEMPTS },
      );
      return { ...grant, day };
    },

    async claimSlots(claim, signal): Promise<PaceBlock> {
      await clock.sample();
      let startServer = 0;
      await updateState(
        store,
        paceKey(claim.vendor),
        paceSchema,
        (current) => {
          const now = clock.serverNow();
          const mine = current !== undefined && current.holder === claim.holder;
          const guard = current !== undefined && !mine ? current.uncertainty_ms + clock.uncertaintyMs : 0;
          // Our own unused slots at the end of the pace are free again (quota.ts PaceClaim.resumeFromMs).
          const resume = mine && claim.resumeFromMs !== undefined ? Math.min(current.next_ms, clock.toServer(claim.resumeFromMs)) : undefined;
          startServer = Math.max(now, current === undefined ? now : (resume ?? current.next_ms + guard));
          return {
            format: 1 as const, vendor: claim.vendor, next_ms: startServer + claim.count * claim.spacingMs, holder: claim.holder,
            uncertainty_ms: clock.uncertaintyMs, updated_at: new Date(now).toISOString(),
          };
        },
        { maxAttempts: CAS_ATTEMPTS, ...(signal === undefined ? {} : { signal }) },
      );
      return { startMs: clock.toLocal(startServer), count: claim.count, spacingMs: claim.spacingMs };
    },

    async hold(vendor, holder, untilMs): Promise<void> {
      await clock.sample();
      const until = clock.toServer(untilMs);
      await updateState(
        store,
        paceKey(vendor),
        paceSchema,
        (current) => {
          if (current !== undefined && current.next_ms >= until) return UNCHANGED;
          return { format: 1 as const, vendor, next_ms: until, holder: holdMark(holder), uncertainty_ms: clock.uncertaintyMs, updated_at: new Date(clock.serverNow()).toISOString() };
        },
        { maxAttempts: CAS_ATTEMPTS },
      );
    },

    dailyUsage: (vendor, day) => readDailyBudget(store, vendor, day),
  };
}
