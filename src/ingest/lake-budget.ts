/** The governor's BudgetStore over the lake's shared budget objects, for processes that share one lake. */
import { consumeBudget } from "../lake/state.ts";
import type { ObjectStore } from "../lake/types.ts";
import type { BudgetStore } from "../vendors/governor.ts";

export class BudgetStoreForLake implements BudgetStore {
  private readonly store: ObjectStore;

  constructor(store: ObjectStore) {
    this.store = store;
  }

  /** Takes up to `want` requests of today's budget; halves the ask when the remainder is smaller. The lake's
   *  budget window is 24 h from its first use (state/budgets/<vendor>.json), a close stand-in for the UTC day. */
  async reserve(vendor: string, _day: string, want: number, budget: number): Promise<number> {
    for (let amount = want; amount >= 1; amount = Math.floor(amount / 2)) {
      const r = await consumeBudget(this.store, { vendor, amount, limit: budget, windowMs: 86_400_000 });
      if (r.granted) return amount;
      if (r.remaining === 0) return 0;
    }
    return 0;
  }
}
