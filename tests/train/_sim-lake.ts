/**
 * A curated lake from the simulator's market, for the dataset tests: raw daily bars, splits and dividends of a set
 * of symbols written as one vendor's raw parts (tests/curate/lake-fixture.ts), then curation and reference data as
 * the node runs them. `addThrough` can be called again with a later date: the lake grows as it does in production
 * (incremental curation rebuilds a symbol whose corporate actions changed).
 */
import { curateEquities } from "../../src/curate/curate-equities.ts";
import { buildReference } from "../../src/reference/index.ts";
import type { SyntheticMarket } from "../../src/sim/market.ts";
import { createTestLake, type ActionRow, type BarRow, type TestLake } from "../curate/lake-fixture.ts";

export interface SimLake {
  readonly t: TestLake;
  /** Adds bars after the last call through `through`, and actions with an ex-date up to `actionsThrough`. */
  addThrough(through: string, actionsThrough?: string): Promise<void>;
  close(): Promise<void>;
}

export async function createSimLake(market: SyntheticMarket, symbols: readonly string[], from: string): Promise<SimLake> {
  const t = await createTestLake();
  let barsDone = "";
  let actionsDone = "";
  return {
    t,
    async addThrough(through, actionsThrough = through) {
      const bars: BarRow[] = [];
      const actions: ActionRow[] = [];
      for (const symbol of symbols) {
        for (const b of market.dailyBars(symbol, from, through)) {
          if (b.date > barsDone) bars.push({ symbol, date: b.date, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume });
        }
        for (const e of market.splits(symbol, from, actionsThrough)) {
          if (e.exDate > actionsDone) actions.push({ symbol, ex_date: e.exDate, action_type: "split", ratio: e.ratio });
        }
        for (const e of market.dividends(symbol, from, actionsThrough)) {
          if (e.exDate > actionsDone) actions.push({ symbol, ex_date: e.exDate, action_type: "dividend", amount: e.cash });
        }
      }
      if (bars.length > 0) await t.putBars("alpaca", bars);
      if (actions.length > 0) await t.putActions("alpaca", actions);
      barsDone = through;
      actionsDone = actionsThrough > actionsDone ? actionsThrough : actionsDone;
      await curateEquities({ lake: t.lake, sourcePriority: ["alpaca"] });
      await buildReference({ lake: t.lake, tickSize: [], largeCount: symbols.length, smallCount: 1 });
    },
    close: () => t.close(),
  };
}
