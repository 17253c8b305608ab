/**
 * Adjustment factors and adjusted prices, checked against values derived here by hand from the CRSP/Yahoo
 * definitions (split factor 1/ratio, dividend factor 1 - D/C_prev, cumulative over later ex-dates).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CURATE_TABLES, curateEquities } from "../../src/curate/curate-equities.ts";
import { createTestLake, type BarRow, type TestLake } from "./lake-fixture.ts";

interface AdjRow {
  symbol: string;
  d: string;
  close: number;
  volume: number;
  close_split: number;
  close_adj: number;
  open_adj: number;
  volume_split: number;
  div_cash: number;
  split_factor: number;
  dividend_factor: number;
}

let t: TestLake;
beforeEach(async () => {
  t = await createTestLake();
});
afterEach(async () => {
  await t.close();
});

function list(paths: readonly string[]): string {
  return `[${paths.map((p) => `'${p}'`).join(", ")}]`;
}

async function adjusted(symbol: string): Promise<AdjRow[]> {
  const paths = await t.partPaths(CURATE_TABLES.adjusted);
  return t.query<AdjRow>(
    `SELECT symbol, date::VARCHAR AS d, close, volume, close_split, close_adj, open_adj, volume_split, div_cash, split_factor, dividend_factor
     FROM read_parquet(${list(paths)}, hive_partitioning = false) WHERE symbol = '${symbol}' ORDER BY date`,
  );
}

const curate = () => curateEquities({ lake: t.lake, sourcePriority: ["alpaca", "polygon", "finnhub"] });

function bars(symbol: string, closes: readonly [string, number][], volume = 1000): BarRow[] {
  return closes.map(([date, close]) => ({ symbol, date, close, volume }));
}

describe("adjustment factors (CRSP/Yahoo definitions)", () => {
  it("reproduces the issue's worked example to 6 decimals", async () => {
    await t.putBars("alpaca", bars("XYZ", [
      ["2024-06-03", 400.0], ["2024-06-04", 404.0], ["2024-06-05", 101.5],
      ["2024-06-06", 102.0], ["2024-06-07", 101.9], ["2024-06-10", 102.3],
    ]));
    await t.putActions("alpaca", [
      { symbol: "XYZ", ex_date: "2024-06-05", action_type: "split", ratio: 4 },
      { symbol: "XYZ", ex_date: "2024-06-07", action_type: "dividend", amount: 0.24 },
    ]);
    await curate();
    const rows = await adjusted("XYZ");
    // By hand: split factor 1/4 applies to bars before 06-05; dividend factor 1 - 0.24/102.00 (C_prev = the
    // raw close of 06-06) applies to bars before 06-07.
    const split = 1 / 4;
    const div = 1 - 0.24 / 102.0;
    const expected = [400 * split * div, 404 * split * div, 101.5 * div, 102 * div, 101.9, 102.3];
    expect(rows.map((r) => r.d)).toEqual(["2024-06-03", "2024-06-04", "2024-06-05", "2024-06-06", "2024-06-07", "2024-06-10"]);
    rows.forEach((row, i) => expect(row.close_adj).toBeCloseTo(expected[i] ?? NaN, 6));
    // The issue's published numbers, literally.
    const published = [99.764706, 100.762353, 101.261176, 101.76, 101.9, 102.3];
    rows.forEach((row, i) => expect(Math.abs(row.close_adj - (published[i] ?? NaN))).toBeLessThan(5e-7));
    // Split-only prices ignore the dividend; volume is split-adjusted (x4 before the split); div_cash on ex-date.
    expect(rows.map((r) => r.close_split)).toEqual([100, 101, 101.5, 102, 101.9, 102.3]);
    expect(rows.map((r) => r.volume_split)).toEqual([4000, 4000, 1000, 1000, 1000, 1000]);
    expect(rows.map((r) => r.div_cash)).toEqual([0, 0, 0, 0, 0.24, 0]);
    expect(rows.map((r) => r.close)).toEqual([400, 404, 101.5, 102, 101.9, 102.3]);
  });

  it("handles a reverse split (1-for-10: ratio 0.1, factor 10)", async () => {
    await t.putBars("alpaca", bars("REV", [["2024-03-01", 2.0], ["2024-03-04", 2.1], ["2024-03-05", 20.5], ["2024-03-06", 21.0]], 50_000));
    await t.putActions("alpaca", [{ symbol: "REV", ex_date: "2024-03-05", action_type: "split", ratio: 0.1 }]);
    await curate();
    const rows = await adjusted("REV");
    expect(rows.map((r) => r.split_factor)).toEqual([10, 10, 1, 1]);
    expect(rows[0]?.close_split).toBeCloseTo(20.0, 9);
    expect(rows[1]?.close_split).toBeCloseTo(21.0, 9);
    expect(rows.map((r) => r.volume_split)).toEqual([5000, 5000, 50_000, 50_000]);
    expect(rows.map((r) => r.close_adj)).toEqual(rows.map((r) => r.close_split));
  });

  it("combines several actions on one ex-date", async () => {
    await t.putBars("alpaca", bars("MUL", [
      ["2024-01-02", 50.0], ["2024-01-03", 52.0], ["2024-01-04", 26.5], ["2024-01-05", 27.0], ["2024-01-08", 26.0],
    ]));
    await t.putActions("alpaca", [
      // A 2-for-1 split and a $0.50 dividend (per post-split share) on the same day...
      { symbol: "MUL", ex_date: "2024-01-04", action_type: "split", ratio: 2 },
      { symbol: "MUL", ex_date: "2024-01-04", action_type: "dividend", amount: 0.5 },
      // ...and a regular plus a special dividend on another day.
      { symbol: "MUL", ex_date: "2024-01-08", action_type: "dividend", amount: 0.1 },
      { symbol: "MUL", ex_date: "2024-01-08", action_type: "dividend", amount: 1.0 },
    ]);
    await curate();
    const rows = await adjusted("MUL");
    // By hand: on 01-08 the dividends add up, C_prev = 27.00 → 1 - 1.10/27.00. On 01-04 the split halves the
    // price and the dividend compares with C_prev in post-split terms: 1 - 0.50/(52.00/2).
    const late = 1 - 1.1 / 27.0;
    const early = 1 - 0.5 / (52.0 / 2);
    const expected = [50 * 0.5 * early * late, 52 * 0.5 * early * late, 26.5 * late, 27.0 * late, 26.0];
    rows.forEach((row, i) => expect(row.close_adj).toBeCloseTo(expected[i] ?? NaN, 9));
    expect(rows.map((r) => r.div_cash)).toEqual([0, 0, 0.5, 0, 1.1]);
    const factors = await t.query<{ d: string; flags: string }>(
      `SELECT ex_date::VARCHAR AS d, flags FROM read_parquet(${list(await t.partPaths(CURATE_TABLES.factors))}) ORDER BY ex_date`,
    );
    expect(factors).toEqual([
      { d: "2024-01-04", flags: "split_and_dividend_same_day" },
      { d: "2024-01-08", flags: "several_dividends" },
    ]);
  });

  it("gives a dividend on the first day of history factor 1 and flags it", async () => {
    await t.putBars("alpaca", bars("FST", [["2024-02-01", 10.0], ["2024-02-02", 10.5]]));
    await t.putActions("alpaca", [{ symbol: "FST", ex_date: "2024-02-01", action_type: "dividend", amount: 0.2 }]);
    await curate();
    const rows = await adjusted("FST");
    expect(rows.map((r) => r.close_adj)).toEqual([10.0, 10.5]);
    expect(rows.map((r) => r.div_cash)).toEqual([0.2, 0]);
    const factors = await t.query<{ dividend_factor: number; flags: string; prev_close: number | null }>(
      `SELECT dividend_factor, flags, prev_close FROM read_parquet(${list(await t.partPaths(CURATE_TABLES.factors))})`,
    );
    expect(factors).toEqual([{ dividend_factor: 1, flags: "no_prev_close", prev_close: null }]);
  });

  it("leaves actions after the latest bar pending: they adjust nothing yet", async () => {
    await t.putBars("alpaca", bars("PND", [["2024-02-01", 10.0], ["2024-02-02", 10.5]]));
    await t.putActions("alpaca", [{ symbol: "PND", ex_date: "2024-02-09", action_type: "split", ratio: 2 }]);
    await curate();
    expect((await adjusted("PND")).map((r) => r.close_split)).toEqual([10.0, 10.5]);
    const actions = await t.query<{ status: string }>(
      `SELECT status FROM read_parquet(${list(await t.partPaths(CURATE_TABLES.actions))})`,
    );
    expect(actions).toEqual([{ status: "pending" }]);
  });
});
