/**
 * Incremental curation: running twice changes nothing, a late split rebuilds only its symbol (counted in parts
 * written), a new session appends one delta part, a backfilled bar inside the history rebuilds its symbol.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CURATE_TABLES, curateEquities } from "../../src/curate/curate-equities.ts";
import { createTestLake, type BarRow, type TestLake } from "./lake-fixture.ts";

let t: TestLake;
beforeEach(async () => {
  t = await createTestLake();
});
afterEach(async () => {
  await t.close();
});

const curate = () => curateEquities({ lake: t.lake, sourcePriority: ["alpaca", "polygon"] });
const SESSIONS = ["2024-04-01", "2024-04-02", "2024-04-03", "2024-04-04", "2024-04-05", "2024-04-08"];

function history(symbols: readonly string[], sessions: readonly string[], base = 100): BarRow[] {
  return symbols.flatMap((symbol, s) => sessions.map((date, i) => ({ symbol, date, close: base + 10 * s + i })));
}

async function adjRows(): Promise<{ symbol: string; d: string; close: number; close_adj: number }[]> {
  const paths = await t.partPaths(CURATE_TABLES.adjusted);
  return t.query(
    `SELECT symbol, date::VARCHAR AS d, close, close_adj FROM read_parquet([${paths.map((p) => `'${p}'`).join(", ")}], hive_partitioning = false) ORDER BY symbol, date`,
  );
}

async function latestSeqs(): Promise<Record<string, number | undefined>> {
  const out: Record<string, number | undefined> = {};
  for (const table of Object.values(CURATE_TABLES)) out[table] = (await t.lake.readManifest(table))?.seq;
  return out;
}

async function adjKeys(): Promise<string[]> {
  return ((await t.lake.readManifest(CURATE_TABLES.adjusted))?.files ?? []).map((f) => f.key).sort();
}

describe("incremental curation", () => {
  it("running twice changes nothing the second time", async () => {
    await t.putBars("alpaca", history(["AAA", "BBB"], SESSIONS));
    await t.putActions("alpaca", [{ symbol: "AAA", ex_date: "2024-04-03", action_type: "dividend", amount: 1 }]);
    const first = await curate();
    expect(first.rebuiltSymbols).toEqual(["AAA", "BBB"]);
    const seqs = await latestSeqs();
    const rows = await adjRows();
    const second = await curate();
    expect(second.commits).toEqual({});
    expect(second.partsWritten).toEqual({});
    expect(second.rebuiltSymbols).toEqual([]);
    expect(await latestSeqs()).toEqual(seqs);
    expect(await adjRows()).toEqual(rows);
  });

  it("a late split rebuilds only that symbol's history", async () => {
    await t.putBars("alpaca", history(["AAA", "BBB", "CCC"], SESSIONS));
    await curate();
    const before = await adjKeys();
    expect(before).toHaveLength(3);
    const rowsBefore = await adjRows();

    await t.putActions("polygon", [{ symbol: "BBB", ex_date: "2024-04-04", action_type: "split", ratio: 2 }]);
    const report = await curate();
    expect(report.rebuiltSymbols).toEqual(["BBB"]);
    expect(report.partsWritten[CURATE_TABLES.adjusted]).toBe(1);
    const after = await adjKeys();
    // The parts of AAA and CCC are the very same files; BBB's part was replaced.
    expect(after.filter((key) => before.includes(key))).toHaveLength(2);
    expect(after.filter((key) => key.includes("symbol=BBB"))).toHaveLength(1);
    expect(after.find((key) => key.includes("symbol=BBB"))).not.toBe(before.find((key) => key.includes("symbol=BBB")));

    const rows = await adjRows();
    const bbb = rows.filter((r) => r.symbol === "BBB");
    expect(bbb.map((r) => r.close_adj)).toEqual(bbb.map((r) => (r.d < "2024-04-04" ? r.close / 2 : r.close)));
    expect(rows.filter((r) => r.symbol !== "BBB")).toEqual(rowsBefore.filter((r) => r.symbol !== "BBB"));
  });

  it("appends a new session as one delta part, and rebuilds a symbol whose dividend goes ex that day", async () => {
    await t.putBars("alpaca", history(["AAA", "BBB", "CCC"], SESSIONS));
    await curate();

    await t.putBars("alpaca", history(["AAA", "BBB", "CCC"], ["2024-04-09"], 200));
    const append = await curate();
    expect(append.rebuiltSymbols).toEqual([]);
    expect(append.appendedRows).toBe(3);
    expect(append.partsWritten[CURATE_TABLES.adjusted]).toBe(1);
    expect(await adjKeys()).toHaveLength(4);

    // Next session: CCC pays a dividend going ex that day, so its whole history is re-adjusted; the earlier delta
    // part is rewritten without CCC's row and the other two symbols' new bars go to a new delta part.
    await t.putBars("alpaca", history(["AAA", "BBB", "CCC"], ["2024-04-10"], 300));
    await t.putActions("alpaca", [{ symbol: "CCC", ex_date: "2024-04-10", action_type: "dividend", amount: 2.09 }]);
    const ex = await curate();
    expect(ex.rebuiltSymbols).toEqual(["CCC"]);
    expect(ex.appendedRows).toBe(2);
    expect(ex.partsWritten[CURATE_TABLES.adjusted]).toBe(3);

    const rows = await adjRows();
    expect(rows).toHaveLength(3 * 8);
    const ccc = rows.filter((r) => r.symbol === "CCC");
    // C_prev is CCC's close on 04-09 (220); every earlier bar gets 1 - 2.09/220.
    const factor = 1 - 2.09 / 220;
    ccc.forEach((r) => expect(r.close_adj).toBeCloseTo(r.d < "2024-04-10" ? r.close * factor : r.close, 12));
    expect(rows.filter((r) => r.symbol !== "CCC").every((r) => r.close_adj === r.close)).toBe(true);
  });

  it("a backfilled bar inside the curated history rebuilds its symbol without duplicates", async () => {
    const gap = SESSIONS.filter((d) => d !== "2024-04-03");
    await t.putBars("alpaca", history(["AAA", "BBB"], gap));
    await t.putActions("alpaca", [{ symbol: "AAA", ex_date: "2024-04-04", action_type: "dividend", amount: 1.02 }]);
    await curate();
    let aaa = (await adjRows()).filter((r) => r.symbol === "AAA");
    // Without 04-03, C_prev for the 04-04 dividend is the 04-02 close (101).
    expect(aaa[0]?.close_adj).toBeCloseTo(100 * (1 - 1.02 / 101), 12);

    await t.putBars("polygon", [{ symbol: "AAA", date: "2024-04-03", close: 102 }]);
    const report = await curate();
    expect(report.rebuiltSymbols).toEqual(["AAA"]);
    aaa = (await adjRows()).filter((r) => r.symbol === "AAA");
    expect(aaa.map((r) => r.d)).toEqual(SESSIONS);
    expect(aaa[0]?.close_adj).toBeCloseTo(100 * (1 - 1.02 / 102), 12);
  });

  it("gives the same tables whatever the batch size", async () => {
    const other = await createTestLake();
    try {
      const symbols = ["AAA", "BBB", "CCC", "DDD", "EEE"];
      const actions = [
        { symbol: "BBB", ex_date: "2024-04-03", action_type: "split", ratio: 3 },
        { symbol: "DDD", ex_date: "2024-04-05", action_type: "dividend", amount: 0.5 },
      ];
      for (const lake of [t, other]) {
        await lake.putBars("alpaca", history(symbols, SESSIONS));
        await lake.putActions("alpaca", actions);
      }
      await curateEquities({ lake: t.lake, sourcePriority: ["alpaca"], batchSymbols: 1 });
      await curateEquities({ lake: other.lake, sourcePriority: ["alpaca"] });
      const read = async (lake: TestLake) => {
        const paths = await lake.partPaths(CURATE_TABLES.adjusted);
        return lake.query(`SELECT symbol, date::VARCHAR AS d, close_adj, volume_split FROM read_parquet([${paths.map((p) => `'${p}'`).join(", ")}]) ORDER BY symbol, date`);
      };
      const one = await read(t);
      expect(one).toHaveLength(5 * SESSIONS.length);
      expect(one).toEqual(await read(other));
      expect(((await t.lake.readManifest(CURATE_TABLES.adjusted))?.files ?? []).length).toBe(5);
    } finally {
      await other.close();
    }
  });

  it("applies a pending split once its ex-date session arrives, with no new action parts", async () => {
    await t.putBars("alpaca", history(["AAA", "PND"], SESSIONS.slice(0, 3)));
    await t.putActions("alpaca", [{ symbol: "PND", ex_date: "2024-04-04", action_type: "split", ratio: 2 }]);
    await curate();
    expect((await adjRows()).filter((r) => r.symbol === "PND").every((r) => r.close_adj === r.close)).toBe(true);

    await t.putBars("alpaca", history(["AAA", "PND"], ["2024-04-04"], 300));
    const report = await curate();
    expect(report.rebuiltSymbols).toEqual(["PND"]);
    const pnd = (await adjRows()).filter((r) => r.symbol === "PND");
    expect(pnd.map((r) => r.close_adj)).toEqual(pnd.map((r) => (r.d < "2024-04-04" ? r.close / 2 : r.close)));
    const paths = await t.partPaths(CURATE_TABLES.actions);
    const statuses = await t.query(`SELECT status FROM read_parquet([${paths.map((p) => `'${p}'`).join(", ")}])`);
    expect(statuses).toEqual([{ status: "effective" }]);
  });
});
