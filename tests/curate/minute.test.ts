/**
 * Minute bars: one row per (symbol, minute) by source priority, adjusted with the daily table's factors, and
 * rebuilt per symbol when those factors change.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { curateEquities, curateMinuteBars, MINUTE_TABLES } from "../../src/curate/curate-equities.ts";
import { createTestLake, type BarRow, type TestLake } from "./lake-fixture.ts";

let t: TestLake;
beforeEach(async () => {
  t = await createTestLake();
});
afterEach(async () => {
  await t.close();
});

const options = () => ({ lake: t.lake, sourcePriority: ["alpaca", "polygon"] });

function minutes(symbol: string, date: string, closes: readonly number[]): BarRow[] {
  // 13:30 UTC is 09:30 New York time in June (EDT).
  return closes.map((close, i) => ({ symbol, date, close, ts: `${date} 13:${String(30 + i).padStart(2, "0")}:00` }));
}

async function minuteRows(): Promise<{ symbol: string; t: string; close: number; close_adj: number; source: string }[]> {
  const paths = await t.partPaths(MINUTE_TABLES.adjusted);
  return t.query(
    `SELECT symbol, strftime(bar_time, '%m-%d %H:%M') AS t, close, close_adj, source
     FROM read_parquet([${paths.map((p) => `'${p}'`).join(", ")}], hive_partitioning = false) ORDER BY symbol, bar_time`,
  );
}

describe("minute bars", () => {
  it("merges vendors per minute and applies the daily split factor", async () => {
    await t.putBars("alpaca", [{ symbol: "XYZ", date: "2024-06-04", close: 404 }, { symbol: "XYZ", date: "2024-06-05", close: 101.5 }]);
    await t.putActions("alpaca", [{ symbol: "XYZ", ex_date: "2024-06-05", action_type: "split", ratio: 4 }]);
    await t.putBars("polygon", [...minutes("XYZ", "2024-06-04", [400, 401, 402]), ...minutes("XYZ", "2024-06-05", [100, 101])], "equities_bars_minute");
    await t.putBars("alpaca", minutes("XYZ", "2024-06-04", [400.5]), "equities_bars_minute");
    await curateEquities(options());
    const report = await curateMinuteBars(options());
    expect(report.rebuiltSymbols).toEqual(["XYZ"]);
    expect(await minuteRows()).toEqual([
      { symbol: "XYZ", t: "06-04 13:30", close: 400.5, close_adj: 400.5 / 4, source: "alpaca" },
      { symbol: "XYZ", t: "06-04 13:31", close: 401, close_adj: 401 / 4, source: "polygon" },
      { symbol: "XYZ", t: "06-04 13:32", close: 402, close_adj: 402 / 4, source: "polygon" },
      { symbol: "XYZ", t: "06-05 13:30", close: 100, close_adj: 100, source: "polygon" },
      { symbol: "XYZ", t: "06-05 13:31", close: 101, close_adj: 101, source: "polygon" },
    ]);
    expect((await curateMinuteBars(options())).commits).toEqual({});
  });

  it("rebuilds only the symbol whose daily factors changed", async () => {
    const days = ["2024-06-03", "2024-06-04"];
    await t.putBars("alpaca", days.flatMap((date) => [{ symbol: "AAA", date, close: 10 }, { symbol: "BBB", date, close: 20 }]));
    await t.putBars("alpaca", days.flatMap((date) => [...minutes("AAA", date, [10, 10]), ...minutes("BBB", date, [20, 20])]), "equities_bars_minute");
    await curateEquities(options());
    await curateMinuteBars(options());
    const before = (await t.lake.readManifest(MINUTE_TABLES.adjusted))?.files.map((f) => f.key) ?? [];

    await t.putActions("polygon", [{ symbol: "BBB", ex_date: "2024-06-04", action_type: "dividend", amount: 0.2 }]);
    await curateEquities(options());
    const report = await curateMinuteBars(options());
    expect(report.rebuiltSymbols).toEqual(["BBB"]);
    expect(report.partsWritten[MINUTE_TABLES.adjusted]).toBe(1);
    const after = (await t.lake.readManifest(MINUTE_TABLES.adjusted))?.files.map((f) => f.key) ?? [];
    expect(after.filter((key) => before.includes(key))).toHaveLength(1);
    const bbb = (await minuteRows()).filter((r) => r.symbol === "BBB");
    // C_prev is BBB's daily close on 06-03 (20): factor 1 - 0.2/20 for the 06-03 minutes.
    expect(bbb.map((r) => r.close_adj)).toEqual([20 * (1 - 0.2 / 20), 20 * (1 - 0.2 / 20), 20, 20]);
  });
});
