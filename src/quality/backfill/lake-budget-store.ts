/**
 * The rate governor's BudgetStore over the lake: one CAS-updated object per consumer, vendor and UTC day under
 * `state/budgets/daily/`, so every process and node that shares the lake draws from one daily budget and a
 * restart does not reset it. A grant is booked before any request is made with it; a process that dies with
 * unspent grants leaves them booked — the budget can be under-spent, never exceeded.
 */
import { z } from "zod";
import type { ObjectStore } from "../../lake/types.ts";
import type { BudgetStore } from "../../vendors/governor.ts";
import { readState, UNCHANGED, updateState } from "../../lake/state.ts";

const dailyBudgetSchema = z.strictObject({
  format: z.literal(1),
  vendor: z.string(),
  day: z.string(),
  budget: z.number().int().nonnegative(),
  used: z.number().int().nonnegative(),
});
export type DailyBudgetState = z.infer<typeof dailyBudgetSchema>;

/** One object per consumer (edge, backfill: each has its own share in configs/*.yml), vendor and UTC day. */
export function dailyBudgetKey(vendor: string, day: string, consumer = "backfill"): string {
  return `state/budgets/daily/${consumer}/${vendor}/${day}.json`;
}

export function lakeBudgetStore(store: ObjectStore, consumer = "backfill"): BudgetStore {
  return {
    async reserve(vendor, day, want, budget) {
      let granted = 0;
      await updateState(
        store,
        dailyBudgetKey(vendor, day, consumer),
        dailyBudgetSchema,
        (current) => {
          const used = current?.used ?? 0;
          granted = Math.max(0, Math.min(want, budget - used));
          if (granted === 0) return UNCHANGED;
          return { format: 1 as const, vendor, day, budget, used: used + granted };
        },
        // Every worker of every process books here; each lost race re-reads, so allow many.
        { maxAttempts: 200 },
      );
      return granted;
    },
  };
}

/** Requests booked against a vendor's budget for a day (0 when nothing was booked). */
export async function budgetUsed(store: ObjectStore, vendor: string, day: string, consumer = "backfill"): Promise<number> {
  return (await readState(store, dailyBudgetKey(vendor, day, consumer), dailyBudgetSchema))?.value.used ?? 0;
}
