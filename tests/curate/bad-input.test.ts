/**
 * Bad vendor input is quarantined with its reason and the rest proceeds; duplicates from two vendors collapse;
 * vendors that disagree on a bar are merged by priority and the disagreement is recorded.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CURATE_TABLES, curateEquities, DEFAULT_BOOKMARK_KEY } from "../../src/curate/curate-equities.ts";
import { createTestLake, type TestLake } from "./lake-fixture.ts";

let t: TestLake;
beforeEach(async () => {
  t = await createTestLake();
});
afterEach(async () => {
  await t.close();
});

const curate = () => curateEquities({ lake: t.lake, sourcePriority: ["alpaca", "polygon"] });

async function table<T>(name: string, select: string, order: string): Promise<T[]> {
  const paths = await t.partPaths(name);
  if (paths.length === 0) return [];
  return t.query<T>(`SELECT ${select} FROM read_parquet([${paths.map((p) => `'${p}'`).join(", ")}], hive_partitioning = false) ORDER BY ${order}`);
}

describe("bad input", () => {
  it("quarantines bars with high < low or negative volume and keeps the good ones", async () => {
    await t.putBars("alpaca", [
      { symbol: "AAA", date: "2024-05-01", open: 10, high: 11, low: 9, close: 10.5, volume: 100 },
      { symbol: "AAA", date: "2024-05-02", open: 10, high: 9, low: 11, close: 10.5, volume: 100 },
      { symbol: "AAA", date: "2024-05-03", open: 10, high: 11, low: 9, close: 10.5, volume: -5 },
      { symbol: "AAA", date: "2024-05-06", open: 10, high: 11, low: 9, close: Number.NaN, volume: 100 },
      { symbol: "AAA", date: "2024-05-07", open: 10, high: 11, low: 9, close: 10.2, volume: 100 },
    ]);
    const report = await curate();
    expect(report.barsQuarantined).toBe(3);
    const quarantined = await table<{ d: string; reasons: string }>(CURATE_TABLES.barQuarantine, "date::VARCHAR AS d, reasons", "date");
    expect(quarantined).toEqual([
      { d: "2024-05-02", reasons: "high < low" },
      { d: "2024-05-03", reasons: "negative volume" },
      { d: "2024-05-06", reasons: "missing, non-finite or non-positive price" },
    ]);
    const kept = await table<{ d: string }>(CURATE_TABLES.adjusted, "date::VARCHAR AS d", "date");
    expect(kept).toEqual([{ d: "2024-05-01" }, { d: "2024-05-07" }]);
  });

  it("quarantines split ratios <= 0 and dividends >= the previous close; the rest of the actions apply", async () => {
    await t.putBars("alpaca", [
      { symbol: "BBB", date: "2024-05-01", close: 20 },
      { symbol: "BBB", date: "2024-05-02", close: 21 },
      { symbol: "BBB", date: "2024-05-03", close: 10.4 },
      { symbol: "BBB", date: "2024-05-06", close: 10.0 },
    ]);
    await t.putActions("alpaca", [
      { symbol: "BBB", ex_date: "2024-05-02", action_type: "split", ratio: 0 },
      { symbol: "BBB", ex_date: "2024-05-02", action_type: "split", ratio: -2 },
      { symbol: "BBB", ex_date: "2024-05-03", action_type: "split", ratio: 2 },
      { symbol: "BBB", ex_date: "2024-05-06", action_type: "dividend", amount: 10.4 },
    ]);
    const report = await curate();
    expect(report.actionsQuarantined).toBe(3);
    const quarantined = await table<{ d: string; reasons: string }>(
      CURATE_TABLES.actionQuarantine, "ex_date::VARCHAR AS d, reasons", "ex_date, ratio",
    );
    expect(quarantined.map((q) => q.d)).toEqual(["2024-05-02", "2024-05-02", "2024-05-06"]);
    expect(quarantined[0]?.reasons).toBe("split ratio <= 0 or missing");
    expect(quarantined[2]?.reasons).toMatch(/^dividend >= previous close/);
    // The valid 2-for-1 split still adjusts the history; the rejected dividend does not.
    const adj = await table<{ close_adj: number }>(CURATE_TABLES.adjusted, "close_adj", "date");
    expect(adj.map((r) => r.close_adj)).toEqual([10, 10.5, 10.4, 10.0]);
    const actions = await table<{ action_type: string }>(CURATE_TABLES.actions, "action_type", "ex_date");
    expect(actions).toEqual([{ action_type: "split" }]);
  });

  it("collapses the same action from two vendors into one row listing both sources", async () => {
    await t.putBars("polygon", [
      { symbol: "CCC", date: "2024-05-01", close: 50 },
      { symbol: "CCC", date: "2024-05-02", close: 51 },
    ]);
    await t.putActions("alpaca", [{ symbol: "CCC", ex_date: "2024-05-02", action_type: "dividend", amount: 0.5 }]);
    await t.putActions("polygon", [
      { symbol: "CCC", ex_date: "2024-05-02", action_type: "dividend", amount: 0.5000000001 },
      { symbol: "CCC", ex_date: "2024-05-02", action_type: "dividend", amount: 0.5 },
    ]);
    await curate();
    const actions = await table<{ amount: number; source: string; sources: string[] }>(
      CURATE_TABLES.actions, "amount, source, sources", "ex_date",
    );
    expect(actions).toEqual([{ amount: 0.5, source: "alpaca", sources: ["alpaca", "polygon"] }]);
    const adj = await table<{ close_adj: number }>(CURATE_TABLES.adjusted, "close_adj", "date");
    expect(adj[0]?.close_adj).toBeCloseTo(50 * (1 - 0.5 / 50), 12);
  });

  it("records a conflicting value from a lower-priority vendor instead of hiding it", async () => {
    await t.putBars("alpaca", [{ symbol: "DDD", date: "2024-05-01", close: 30 }, { symbol: "DDD", date: "2024-05-02", close: 15 }]);
    await t.putActions("alpaca", [{ symbol: "DDD", ex_date: "2024-05-02", action_type: "split", ratio: 2 }]);
    await t.putActions("polygon", [{ symbol: "DDD", ex_date: "2024-05-02", action_type: "split", ratio: 3 }]);
    await curate();
    const actions = await table<{ ratio: number; conflicting_sources: string[] }>(CURATE_TABLES.actions, "ratio, conflicting_sources", "ex_date");
    expect(actions).toEqual([{ ratio: 2, conflicting_sources: ["polygon"] }]);
  });
});

describe("merging vendors by source priority", () => {
  it("keeps one row per (symbol, session) from the preferred vendor and records disagreements", async () => {
    await t.putBars("polygon", [
      { symbol: "EEE", date: "2024-05-01", close: 100.0, volume: 1000 },
      { symbol: "EEE", date: "2024-05-02", close: 101.0, volume: 1000 },
      { symbol: "EEE", date: "2024-05-03", close: 102.0, volume: 1000 },
    ]);
    await t.putBars("alpaca", [
      { symbol: "EEE", date: "2024-05-01", close: 100.01, volume: 1010 },
      { symbol: "EEE", date: "2024-05-02", close: 99.0, volume: 1000 },
    ]);
    const report = await curate();
    const rows = await table<{ d: string; close: number; source: string; n_sources: number }>(
      CURATE_TABLES.adjusted, "date::VARCHAR AS d, close, source, n_sources::INTEGER AS n_sources", "date",
    );
    expect(rows).toEqual([
      { d: "2024-05-01", close: 100.01, source: "alpaca", n_sources: 2 },
      { d: "2024-05-02", close: 99.0, source: "alpaca", n_sources: 2 },
      { d: "2024-05-03", close: 102.0, source: "polygon", n_sources: 1 },
    ]);
    // 100.01 vs 100.00 is within the 0.5% tolerance; 99 vs 101 is not (the fixture's open/high/low follow the
    // close, so all four prices disagree; volumes agree within 10%).
    expect(report.disagreements).toBe(4);
    const disagreements = await table<{ d: string; field: string; other_source: string }>(
      CURATE_TABLES.disagreements, "date::VARCHAR AS d, field, other_source", "field",
    );
    expect(disagreements).toEqual([
      { d: "2024-05-02", field: "close", other_source: "polygon" },
      { d: "2024-05-02", field: "high", other_source: "polygon" },
      { d: "2024-05-02", field: "low", other_source: "polygon" },
      { d: "2024-05-02", field: "open", other_source: "polygon" },
    ]);
  });

  it("meets two vendors' daily bars on the session date, whatever timestamps they carry", async () => {
    // Vendors stamp daily bars differently (Alpaca 04:00 UTC, Polygon midnight New York = 04:00/05:00 UTC);
    // the session date is the key.
    await t.putBars("alpaca", [{ symbol: "FFF", date: "2024-05-01", close: 10, ts: "2024-05-01 04:00:00" }]);
    await t.putBars("polygon", [{ symbol: "FFF", date: "2024-05-01", close: 10, ts: "2024-05-01 00:00:00" }]);
    await curate();
    const rows = await table<{ n: number; source: string }>(CURATE_TABLES.adjusted, "n_sources::INTEGER AS n, source", "date");
    expect(rows).toEqual([{ n: 2, source: "alpaca" }]);
  });

  it("refuses a curation bookmark that does not match its schema instead of steering the pass with it", async () => {
    await t.putBars("alpaca", [{ symbol: "AAA", date: "2024-05-01", close: 10 }]);
    // Valid JSON, wrong shape: read through a cast, `consumed.bars` would be a string and every part "new" again.
    await t.store.put(DEFAULT_BOOKMARK_KEY, JSON.stringify({ format: 1, consumed: { bars: "all", actions: [], delistings: [] }, symbols: {}, fingerprints: {} }));
    await expect(curate()).rejects.toMatchObject({ code: "state_corrupt", message: expect.stringContaining(DEFAULT_BOOKMARK_KEY) });
    expect(await t.lake.readManifest(CURATE_TABLES.adjusted)).toBeUndefined();
  });
});
