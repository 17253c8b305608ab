/**
 * The three queries of docs/querying.md ("Querying the lake", copied into the README) run as written against a
 * curated and referenced test lake and return the rows a reader would expect.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { curateEquities } from "../../src/curate/curate-equities.ts";
import { buildReference } from "../../src/reference/index.ts";
import { runTrademl } from "../helpers/cli.ts";
import { createTestLake, type BarRow, type TestLake } from "../curate/lake-fixture.ts";

const REPO = resolve(import.meta.dirname ?? ".", "../..");
let t: TestLake;
let queries: string[];

function weekdays(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = new Date(`${from}T00:00:00Z`); d <= new Date(`${to}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) {
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

beforeAll(async () => {
  const doc = await readFile(join(REPO, "docs", "querying.md"), "utf8");
  const section = doc.slice(doc.indexOf("## Querying the lake"), doc.indexOf("## `trademl sql`"));
  queries = [...section.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
  t = await createTestLake();
  const rows: BarRow[] = [];
  for (const [i, date] of weekdays("2024-04-01", "2024-06-10").entries()) {
    rows.push({ symbol: "XYZ", date, close: date < "2024-06-05" ? 400 + i : 100 + i / 4, volume: 1_000_000 });
    rows.push({ symbol: "ABC", date, close: 20, volume: 10_000 });
    if (date < "2024-06-04") rows.push({ symbol: "GONE", date, close: 5, volume: 5_000 });
  }
  rows.push({ symbol: "ABC", date: "2024-06-11", close: 20, high: 19, low: 21 });
  await t.putBars("alpaca", rows);
  await t.putActions("alpaca", [
    { symbol: "XYZ", ex_date: "2024-06-05", action_type: "split", ratio: 4 },
    { symbol: "XYZ", ex_date: "2024-06-07", action_type: "dividend", amount: 0.24 },
    { symbol: "ABC", ex_date: "2024-06-07", action_type: "split", ratio: 0 },
  ]);
  await t.putDelistings("alpaca", [{ symbol: "GONE", delist_date: "2024-06-04" }]);
  await curateEquities({ lake: t.lake, sourcePriority: ["alpaca"] });
  await buildReference({ lake: t.lake, tickSize: [{ id: "reg_nms_612", effective_from: "2006-01-31", rules: [{ min_price: 0, tick: 0.0001 }, { min_price: 1, tick: 0.01 }] }] });
});

afterAll(async () => {
  await t.close();
});

let fileCount = 0;

async function csv(sql: string): Promise<string[][]> {
  // Through --file: the queries begin with a "--" comment, which an argument parser would take for a flag.
  fileCount += 1;
  const file = join(t.root, `query-${fileCount}.sql`);
  await writeFile(file, sql);
  const run = await runTrademl(["sql", "--config-dir", join(REPO, "configs"), "--file", file, "--format", "csv"], { LAKE_ROOT: join(t.root, "lake") }, t.root);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return run.stdout.trim().split("\n").map((line) => line.split(","));
}

describe("docs/querying.md queries", () => {
  it("has three queries", () => {
    expect(queries).toHaveLength(3);
  });

  it("1: adjusted closes with dividends on their ex-dates", async () => {
    const rows = await csv(queries[0] ?? "");
    expect(rows[0]).toEqual(["date", "close", "close_split", "close_adj", "div_cash"]);
    expect(rows).toHaveLength(6);
    expect(rows.find((r) => r[0] === "2024-06-07")?.[4]).toBe("0.24");
  });

  it("2: large-cap proxy members on 2024-06-03 include the later-delisted name", async () => {
    const rows = await csv(queries[1] ?? "");
    expect(rows.slice(1).map((r) => [r[0], r[3]])).toEqual([["XYZ", ""], ["ABC", ""], ["GONE", "2024-06-04"]]);
  });

  it("3: quarantined bars and actions by reason", async () => {
    const rows = await csv(queries[2] ?? "");
    expect(rows.slice(1)).toEqual(expect.arrayContaining([["bar", "high < low", "1"], ["action", "split ratio <= 0 or missing", "1"]]));
  });
});
