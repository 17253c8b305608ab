/**
 * End to end: `trademl demo` ends with an audited, curated lake with reference data (issues 7 and 8), and a second
 * demo on the same lake changes nothing. Everything is checked through `trademl sql -c ... --format json`, the
 * way a user would look. Expected sessions, prices and minute counts come from the simulator's own synthetic
 * market (src/sim/market.ts, seed 7 as the demo uses) and the NYSE calendar, not from the demo's output.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SyntheticMarket, sessionsBetween } from "../../src/sim/market.ts";
import { addDays, todayUtc } from "../../src/domain/calendar/dates.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import { readManifest } from "../../src/lake/manifest.ts";
import { runTrademl, type CliRun } from "../helpers/cli.ts";
import { DEFAULT_OPTION_DAYS } from "../../src/demo/run-demo.ts";

const SYMBOLS = ["AAPL", "MSFT", "NVDA", "AMZN", "SPY"] as const; // the demo's default universe
const DAYS = 60; // the demo's default daily window (calendar days)
const MINUTE_DAYS = 2; // the demo's default minute window
const ADV_WINDOW = 20; // sql/reference/universe.sql defaults used by buildReference
const MIN_SESSIONS = 15;
const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";

let dir: string;
let lake: string;
let first: CliRun;
let second: CliRun;
// Computed when the demo starts: the simulator's "today" is the real UTC date.
let through: string;
const market = new SyntheticMarket(7);

const CONFIGS = fileURLToPath(new URL("../../configs", import.meta.url));

async function sql(query: string, env: Record<string, string> = { LAKE_ROOT: lake, TRADEML_CONFIG_DIR: CONFIGS }): Promise<Record<string, unknown>[]> {
  const run = await runTrademl(["sql", "-c", query, "--format", "json", "--log-level", "warn"], env, dir);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown>[];
}

function expectedDailyDates(): string[] {
  return sessionsBetween(addDays(through, -DAYS + 1), through);
}

interface Snapshot {
  readonly curated: unknown;
  readonly minute: unknown;
  readonly ledger: unknown;
  readonly membership: unknown;
  readonly options: unknown;
  readonly strategies: unknown;
  readonly strategyPnl: unknown;
  /** Rows of the raw option tables (not exposed to `trademl sql`), from their manifests. */
  readonly rawOptions: Readonly<Record<string, number>>;
}

async function snapshot(): Promise<Snapshot> {
  const [row] = await sql(`select
      (select count(*) from equities_ohlcv_adj) as curated,
      (select count(*) from equities_minute_adj) as minute,
      (select count(*) from qc_partition_status) as ledger,
      (select count(*) from index_membership) as membership,
      (select count(*) from options_iv) + (select count(*) from options_surfaces) as options,
      (select count(*) from options_strategies) as strategies,
      (select count(*) from options_strategy_pnl) as strategy_pnl`);
  const store = new LocalStore({ root: lake });
  const rawOptions: Record<string, number> = {};
  for (const table of ["raw/alpaca/options_chains", "raw/finnhub/options_chains", "raw/polygon/options_contracts"]) {
    rawOptions[table] = ((await readManifest(store, table))?.files ?? []).reduce((n, file) => n + file.rows, 0);
  }
  await store.close();
  return {
    curated: row?.["curated"], minute: row?.["minute"], ledger: row?.["ledger"], membership: row?.["membership"], options: row?.["options"],
    strategies: row?.["strategies"], strategyPnl: row?.["strategy_pnl"], rawOptions,
  };
}

let afterFirst: Snapshot;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "trademl-e2e-demo-"));
  lake = join(dir, "lake");
  const today = todayUtc();
  const last = sessionsBetween(addDays(today, -10), addDays(today, -1)).at(-1);
  if (last === undefined) throw new Error("no NYSE session in the ten days before today");
  through = last;
  // Run from a folder without ./configs: the demo falls back to the package's configs/.
  first = await runTrademl(["demo", "--lake", lake, "--log-level", "warn"], {}, dir);
  expect(first.code, first.stderr).toBe(0);
  afterFirst = await snapshot();
  second = await runTrademl(["demo", "--lake", lake, "--log-level", "warn"], {}, dir);
  expect(second.code, second.stderr).toBe(0);
}, 240_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("trademl demo → audited, curated lake with reference data", () => {
  // Its wall time belongs to bench/demo.bench.ts, not to a timed assertion here (a busy CI machine would fail it).
  it("says which configuration it used", () => {
    expect(first.stdout).toContain("(the package's own; no ./configs here)");
    expect(first.stdout).toContain(`collected through ${through}`);
  });

  it("leaves option quotes, implied vols and surfaces for each of the default option sessions queryable", async () => {
    const sessions = sessionsBetween(addDays(through, -30), through).slice(-DEFAULT_OPTION_DAYS);
    const rows = await sql(`select strftime(d, '%Y-%m-%d') as d, sum(q) as q, sum(i) as i, sum(s) as s from (
        select quote_date as d, 1 as q, 0 as i, 0 as s from options_quotes
        union all select date, 0, 1, 0 from options_iv
        union all select date, 0, 0, 1 from options_surfaces) group by d order by d`);
    expect(rows.map((r) => r["d"])).toEqual(sessions);
    for (const row of rows) expect(Number(row["q"]) > 0 && Number(row["i"]) > 0 && Number(row["s"]) > 0, String(row["d"])).toBe(true);
    expect(first.stdout).toMatch(/options: \d+ new raw part\(s\), 10 session\(s\)/);
    // Candidate strategies on the accepted surfaces, and their next-session evaluation (the second demo adds none: snapshot).
    expect(Number(afterFirst.strategies)).toBeGreaterThan(0);
    expect(Number(afterFirst.strategyPnl)).toBeGreaterThan(0);
  });

  it("select * from equities_ohlcv_adj limit 5 works", async () => {
    const rows = await sql("select * from equities_ohlcv_adj limit 5");
    expect(rows).toHaveLength(5);
    expect(Object.keys(rows[0] ?? {})).toEqual(expect.arrayContaining(["symbol", "date", "close", "close_adj"]));
  });

  it("has one curated daily bar per demo symbol and simulator session, at the simulator's close", async () => {
    const dates = expectedDailyDates();
    expect(dates.length).toBeGreaterThan(30);
    const rows = await sql("select symbol, strftime(date, '%Y-%m-%d') as date, close from equities_ohlcv_adj order by symbol, date");
    for (const symbol of SYMBOLS) {
      const mine = rows.filter((r) => r["symbol"] === symbol);
      expect(mine.map((r) => r["date"]), symbol).toEqual(dates);
      const bars = new Map(market.dailyBars(symbol, dates[0] ?? through, through).map((b) => [b.date, b.close]));
      for (const row of mine) expect(Number(row["close"])).toBeCloseTo(bars.get(String(row["date"])) ?? Number.NaN, 6);
    }
    expect(new Set(rows.map((r) => r["symbol"]))).toEqual(new Set(SYMBOLS));
  });

  it("has every minute bar the simulator served in the minute window", async () => {
    const rows = await sql("select symbol, count(*) as n from equities_minute_adj group by symbol order by symbol");
    const minuteSessions = sessionsBetween(addDays(through, -MINUTE_DAYS + 1), through);
    for (const symbol of SYMBOLS) {
      const expected = minuteSessions.reduce((n, date) => n + market.minuteBars(symbol, date).length, 0);
      expect(Number(rows.find((r) => r["symbol"] === symbol)?.["n"]), symbol).toBe(expected);
    }
  });

  it("audited every vendor's daily partitions GREEN in the ledger", async () => {
    const rows = await sql("select source, status, count(*) as n from qc_partition_status where table_name = 'equities_eod' group by all order by all");
    const perVendor = SYMBOLS.length * expectedDailyDates().length;
    expect(rows).toEqual(["alpaca", "finnhub", "polygon"].map((source) => ({ source, status: "GREEN", n: String(perVendor) })));
    expect(first.stdout).toMatch(/alpaca\/equities_eod\s+GREEN \d+\s+AMBER 0\s+RED 0/);
  });

  it("builds the large-cap proxy on each month start with enough prior sessions", async () => {
    // universe.sql: rebalance on a month's first session, rank on the ADV_WINDOW sessions before it, needs MIN_SESSIONS.
    const dates = expectedDailyDates();
    const rebalances = dates.filter((d, i) => (i === 0 || d.slice(0, 7) !== dates[i - 1]?.slice(0, 7)) && Math.min(i, ADV_WINDOW) >= MIN_SESSIONS);
    expect(rebalances.length).toBeGreaterThan(0);
    const rows = await sql("select strftime(effective_from, '%Y-%m-%d') as d, index_name, count(*) as n from index_membership group by all order by all");
    expect(rows).toEqual(rebalances.map((d) => ({ d, index_name: "large_cap_proxy", n: String(SYMBOLS.length) })));
  });

  it("a second demo on the same lake is incremental: nothing duplicated, nothing changed", async () => {
    expect(Object.values(afterFirst.rawOptions).every((rows) => rows > 0)).toBe(true);
    expect(await snapshot()).toEqual(afterFirst);
    const [dupes] = await sql(`select
        (select count(*) from (select symbol, date from equities_ohlcv_adj group by all having count(*) > 1)) as daily,
        (select count(*) from (select symbol, bar_time from equities_minute_adj group by all having count(*) > 1)) as minute,
        (select count(*) from (select source, table_name, symbol, session from qc_partition_status group by all having count(*) > 1)) as ledger`);
    expect(dupes).toEqual({ daily: "0", minute: "0", ledger: "0" });
    // The second run's DAG finds nothing new to read: audit, curation and reference data are skipped.
    expect(first.stdout).toMatch(/curate\s+succeeded/);
    for (const step of ["audit", "curate", "reference"]) expect(second.stdout).toMatch(new RegExp(`\\n${step}\\s+skipped`));
    expect(second.stdout).toMatch(/curate\s+inputs unchanged since run /);
  });

  it("closes with trademl sql command lines that work as printed", async () => {
    // From a folder without ./configs the lines carry only LAKE_ROOT: `trademl sql` falls back to the shipped configs
    // just as the demo did, so each line is run exactly as printed, from the same folder, with nothing else set.
    const lines = first.stdout.split("\n").map((l) => l.trim()).filter((l) => / trademl sql -c "/.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(first.stdout).not.toContain("read_parquet");
    for (const line of lines) {
      const parsed = /^LAKE_ROOT=(\S+) trademl sql -c "(.*)"$/.exec(line);
      expect(parsed, line).not.toBeNull();
      const [, lakeRoot = "", query = ""] = parsed ?? [];
      expect(lakeRoot).toBe(lake);
      const rows = await sql(query, { LAKE_ROOT: lakeRoot });
      expect(rows.length, query).toBeGreaterThan(0);
    }
  });
});

describe("trademl demo as a real process", () => {
  it("runs from a folder without ./configs and leaves a queryable lake", async () => {
    const script = fileURLToPath(new URL("./trademl-child.ts", import.meta.url));
    // tsx by absolute URL: the child's cwd is outside the repository, where a bare "tsx" would not resolve.
    const tsx = pathToFileURL(fileURLToPath(new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url))).href;
    const childLake = join(dir, "child-lake");
    const args = ["demo", "--lake", childLake, "--symbols", "AAPL", "--days", "10", "--minute-days", "1", "--log-level", "warn"];
    const argv = isDeno ? ["run", "-A", "--quiet", script, ...args] : ["--import", tsx, script, ...args];
    const child = spawn(process.execPath, argv, { cwd: dir, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_NO_WARNINGS: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code, stderr).toBe(0);
    expect(stdout).toContain("(the package's own; no ./configs here)");
    const run = await runTrademl(["sql", "-c", "select count(distinct date) as n from equities_ohlcv_adj where symbol = 'AAPL'", "--format", "json"], { LAKE_ROOT: childLake, TRADEML_CONFIG_DIR: CONFIGS }, dir);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([{ n: String(sessionsBetween(addDays(through, -9), through).length) }]);
  }, 120_000);
});
