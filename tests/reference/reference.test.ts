/**
 * Reference data: point-in-time ADV ranking with monthly reconstitution and index proxies that keep delisted
 * names; tick-size regimes from versioned rules. Expected values are worked out by hand from the fixture.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { curateEquities } from "../../src/curate/curate-equities.ts";
import { buildReference, REFERENCE_TABLES } from "../../src/reference/index.ts";
import { createTestLake, type BarRow, type TestLake } from "../curate/lake-fixture.ts";

let t: TestLake;
beforeEach(async () => {
  t = await createTestLake();
});
afterEach(async () => {
  await t.close();
});

function weekdays(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = new Date(`${from}T00:00:00Z`); d <= new Date(`${to}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) {
    const day = d.getUTCDay();
    if (day !== 0 && day !== 6) out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

async function read<T>(table: string, select: string, where: string, order: string): Promise<T[]> {
  const paths = await t.partPaths(table);
  return t.query<T>(`SELECT ${select} FROM read_parquet([${paths.map((p) => `'${p}'`).join(", ")}]) WHERE ${where} ORDER BY ${order}`);
}

const TICKS = [
  { id: "v1", effective_from: "2024-01-24", rules: [{ min_price: 0, tick: 0.0001 }, { min_price: 1, tick: 0.01 }] },
  // A later regime (hypothetical half-penny tick at or above $1) shows that versions are honoured by date.
  { id: "v2", effective_from: "2024-03-04", rules: [{ min_price: 0, tick: 0.0001 }, { min_price: 1, tick: 0.005 }] },
];

describe("reference data", () => {
  it("ranks by median dollar volume before each month's first session and keeps delisted names", async () => {
    const sessions = weekdays("2024-01-22", "2024-03-08");
    const rows: BarRow[] = [];
    // Dollar volume per day: C 3000 > B 2000 > A 1000 > D 500 > E 100, except E's spike ON 2024-02-01,
    // which must not count for the February ranking (the window ends the session before).
    for (const date of sessions) {
      rows.push({ symbol: "A", date, close: 10, volume: 100 });
      rows.push({ symbol: "B", date, close: 20, volume: 100 });
      rows.push({ symbol: "C", date, close: 30, volume: 100 });
      if (date < "2024-02-20") rows.push({ symbol: "D", date, close: 5, volume: 100 });
      rows.push({ symbol: "E", date, close: 1, volume: date === "2024-02-01" ? 1_000_000 : 100 });
    }
    await t.putBars("alpaca", rows);
    await t.putDelistings("alpaca", [{ symbol: "D", delist_date: "2024-02-20", reason: "acquired" }]);
    await curateEquities({ lake: t.lake, sourcePriority: ["alpaca"] });
    const report = await buildReference({ lake: t.lake, tickSize: TICKS, advWindow: 3, minSessions: 2, largeCount: 2, smallCount: 3 });
    // January's first session has no earlier sessions, so only February and March are ranked.
    expect(report.rebalances).toBe(2);

    const feb = await read<{ symbol: string; adv_rank: number; index_proxy: string; delist: string | null; to: string }>(
      REFERENCE_TABLES.universe,
      "symbol, adv_rank::INTEGER AS adv_rank, index_proxy, delist_date::VARCHAR AS delist, effective_to::VARCHAR AS to",
      "rebalance_date = DATE '2024-02-01'",
      "adv_rank",
    );
    expect(feb).toEqual([
      { symbol: "C", adv_rank: 1, index_proxy: "large_cap_proxy", delist: null, to: "2024-02-29" },
      { symbol: "B", adv_rank: 2, index_proxy: "large_cap_proxy", delist: null, to: "2024-02-29" },
      { symbol: "A", adv_rank: 3, index_proxy: "small_cap_proxy", delist: null, to: "2024-02-29" },
      { symbol: "D", adv_rank: 4, index_proxy: "small_cap_proxy", delist: "2024-02-20", to: "2024-02-29" },
      { symbol: "E", adv_rank: 5, index_proxy: "small_cap_proxy", delist: null, to: "2024-02-29" },
    ]);
    // March: D is gone (delisted before the rebalance) and E's spike is outside the window again.
    const mar = await read<{ symbol: string }>(REFERENCE_TABLES.universe, "symbol", "rebalance_date = DATE '2024-03-01'", "adv_rank");
    expect(mar.map((r) => r.symbol)).toEqual(["C", "B", "A", "E"]);
    // The membership table keeps D for the month it belonged.
    const members = await read<{ index_name: string; from: string }>(
      REFERENCE_TABLES.indexMembership, "index_name, effective_from::VARCHAR AS from", "symbol = 'D'", "effective_from",
    );
    expect(members).toEqual([{ index_name: "small_cap_proxy", from: "2024-02-01" }]);

    // Unchanged lake: a second run commits nothing, also when the tick pass runs in batches of 2 symbols
    // (the content is identical, so no table is replaced).
    const again = await buildReference({ lake: t.lake, tickSize: TICKS, advWindow: 3, minSessions: 2, largeCount: 2, smallCount: 3, batchSymbols: 2 });
    expect(again.commits).toEqual({});
  });

  it("derives the tick-size regime from the previous close and the rule version in force", async () => {
    const closes: [string, number][] = [
      ["2024-01-22", 0.95], ["2024-01-23", 0.97], ["2024-01-24", 0.98], ["2024-01-25", 1.02], ["2024-01-26", 1.05],
      ["2024-01-29", 0.99], ["2024-03-01", 1.5], ["2024-03-04", 1.6], ["2024-03-05", 1.7],
    ];
    await t.putBars("alpaca", closes.map(([date, close]) => ({ symbol: "P", date, close })));
    await curateEquities({ lake: t.lake, sourcePriority: ["alpaca"] });
    await buildReference({ lake: t.lake, tickSize: TICKS });
    const regimes = await read<{ from: string; to: string; sessions: number; version_id: string | null; tick: number | null }>(
      REFERENCE_TABLES.tickSize,
      "valid_from::VARCHAR AS from, valid_to::VARCHAR AS to, sessions::INTEGER AS sessions, version_id, tick",
      "symbol = 'P'",
      "valid_from",
    );
    // By hand: before 01-24 no rules; 01-24 uses the 01-23 close 0.97 → $0.0001; 01-25 uses 0.98 → $0.0001;
    // 01-26 uses 1.02 → $0.01; 01-29 uses 1.05 → $0.01; 03-01 uses 0.99 → $0.0001; 03-04 starts v2 and uses
    // 1.50 → $0.005; 03-05 uses 1.60 → $0.005.
    expect(regimes).toEqual([
      { from: "2024-01-22", to: "2024-01-23", sessions: 2, version_id: null, tick: null },
      { from: "2024-01-24", to: "2024-01-25", sessions: 2, version_id: "v1", tick: 0.0001 },
      { from: "2024-01-26", to: "2024-01-29", sessions: 2, version_id: "v1", tick: 0.01 },
      { from: "2024-03-01", to: "2024-03-01", sessions: 1, version_id: "v1", tick: 0.0001 },
      { from: "2024-03-04", to: "2024-03-05", sessions: 2, version_id: "v2", tick: 0.005 },
    ]);
  });
});
