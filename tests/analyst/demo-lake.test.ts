/**
 * End to end on the demo lake: `trademl demo` (the vendor simulator on loopback, three vendors), then
 * `trademl curate`, then `trademl sql -c`. Expected values come from the raw vendor parts and the definition of
 * a split-adjusted price, not from the curated output.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTrademl } from "../helpers/cli.ts";

const REPO = resolve(import.meta.dirname ?? ".", "../..");
const CONFIGS = join(REPO, "configs");
let dir: string;
let lake: string;

const sql = async (query: string, extra: readonly string[] = []) => {
  const run = await runTrademl(["sql", "--config-dir", CONFIGS, "-c", query, "--format", "json", ...extra], { LAKE_ROOT: lake, TRADEML_LOG_LEVEL: "warn" }, dir);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown>[];
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "trademl-demo-sql-"));
  lake = join(dir, "lake");
  const demo = await runTrademl(["demo", "--lake", lake, "--days", "400", "--minute-days", "1", "--config-dir", CONFIGS, "--log-level", "warn"], {}, dir);
  expect(demo.code).toBe(0);
  const curate = await runTrademl(["curate", "--config-dir", CONFIGS, "--json"], { LAKE_ROOT: lake, TRADEML_LOG_LEVEL: "warn" }, dir);
  expect(curate.stderr).toBe("");
  expect(curate.code).toBe(0);
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("trademl sql on the demo lake", () => {
  it("select * from equities_ohlcv_adj limit 5 works", async () => {
    const rows = await sql("select * from equities_ohlcv_adj limit 5");
    expect(rows).toHaveLength(5);
    expect(Object.keys(rows[0] ?? {})).toEqual(expect.arrayContaining(["symbol", "date", "close", "close_split", "close_adj", "div_cash"]));
  });

  it("has exactly one row per symbol and session the vendors delivered", async () => {
    const raw = `read_parquet('${lake}/raw/*/equities_bars/*/*/*', hive_partitioning = false)`;
    const rows = await sql(`select
        (select count(*) from equities_ohlcv_adj) as curated,
        (select count(*) from (select distinct symbol, date from ${raw})) as sessions,
        (select count(*) from (select symbol, date from equities_ohlcv_adj group by all having count(*) > 1)) as duplicated`,
      // The raw parts are outside the session's views: reading them by path needs the unrestricted session.
      ["--unsafe-unrestricted"]);
    expect(rows[0]?.["curated"]).toBe(rows[0]?.["sessions"]);
    expect(rows[0]?.["duplicated"]).toBe("0");
  });

  it("divides the close before each split by its ratio", async () => {
    const rows = await sql(`select a.symbol, a.close / s.ratio as expected, a.close_split
      from corporate_actions s
      join equities_ohlcv_adj a on a.symbol = s.symbol
       and a.date = (select max(date) from equities_ohlcv_adj b where b.symbol = s.symbol and b.date < s.ex_date)
      where s.action_type = 'split' and s.status = 'effective'`);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(Number(row["close_split"])).toBeCloseTo(Number(row["expected"]), 9);
  });
});
