/**
 * Analyst SQL end to end: `trademl sql` (-c, --file, formats, --as-of), the REPL through piped stdin (in-process
 * and as a real child process), and `trademl catalog export` opened in a fresh DuckDB session.
 */
import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { PassThrough } from "node:stream";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAnalystSession, runRepl } from "../../src/analyst/index.ts";
import { curateEquities } from "../../src/curate/curate-equities.ts";
import { buildReference } from "../../src/reference/index.ts";
import { runTrademl } from "../helpers/cli.ts";
import { createTestLake, type TestLake } from "../curate/lake-fixture.ts";

const REPO = resolve(import.meta.dirname ?? ".", "../..");

const CONFIGS = resolve(REPO, "configs");
let t: TestLake;
let env: Record<string, string>;

// The worked example: closes around a 4-for-1 split (ex 06-05) and a $0.24 dividend (ex 06-07).
const CLOSES: [string, number][] = [
  ["2024-06-03", 400.0], ["2024-06-04", 404.0], ["2024-06-05", 101.5], ["2024-06-06", 102.0], ["2024-06-07", 101.9], ["2024-06-10", 102.3],
];
const SPLIT = 1 / 4;
const DIV = 1 - 0.24 / 102.0;
const EXPECTED_ADJ = CLOSES.map(([date, close]) => [date, close * (date < "2024-06-05" ? SPLIT : 1) * (date < "2024-06-07" ? DIV : 1)] as const);

const sql = (argv: readonly string[]) => runTrademl(["sql", "--config-dir", CONFIGS, ...argv], env, t.root);

beforeAll(async () => {
  t = await createTestLake();
  env = { LAKE_ROOT: join(t.root, "lake"), TRADEML_LOG_LEVEL: "warn" };
  await t.putBars("alpaca", CLOSES.map(([date, close]) => ({ symbol: "XYZ", date, close, volume: 1000 })));
  await t.putBars("alpaca", CLOSES.map(([date, close]) => ({ symbol: "ABC", date, close: close / 10, volume: 500 })));
  await t.putActions("alpaca", [
    { symbol: "XYZ", ex_date: "2024-06-05", action_type: "split", ratio: 4 },
    { symbol: "XYZ", ex_date: "2024-06-07", action_type: "dividend", amount: 0.24 },
  ]);
  await t.putDelistings("polygon", [{ symbol: "OLD", delist_date: "2023-12-29", reason: "bankruptcy" }]);
  await curateEquities({ lake: t.lake, sourcePriority: ["alpaca", "polygon"] });
  await buildReference({ lake: t.lake, tickSize: [{ id: "reg_nms_612", effective_from: "2006-01-31", rules: [{ min_price: 0, tick: 0.0001 }, { min_price: 1, tick: 0.01 }] }] });
});

afterAll(async () => {
  await t.close();
});

describe("trademl sql", () => {
  it("-c returns the adjusted rows as CSV", async () => {
    const run = await sql(["-c", "select date, round(close_adj, 6) as close_adj from equities_ohlcv_adj where symbol = 'XYZ' order by date", "--format", "csv"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines[0]).toBe("date,close_adj");
    expect(lines.slice(1).map((line) => line.split(","))).toEqual(EXPECTED_ADJ.map(([d, v]) => [d, String(Math.round(v * 1e6) / 1e6)]));
  });

  it("prints JSON and an aligned table", async () => {
    const json = await sql(["-c", "select symbol, count(*) as n from equities_ohlcv_adj group by symbol order by symbol", "--format", "json"]);
    expect(JSON.parse(json.stdout)).toEqual([{ symbol: "ABC", n: "6" }, { symbol: "XYZ", n: "6" }]);
    const table = await sql(["-c", "select symbol, delist_date from delistings"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/\| symbol \| delist_date \|/);
    expect(table.stdout).toMatch(/\| OLD    \| 2023-12-29  \|/);
    expect(table.stdout).toMatch(/\(1 row\)/);
  });

  it("runs a --file with several statements and writes Parquet with --out", async () => {
    const file = join(t.root, "q.sql");
    await writeFile(file, "-- a comment; with a semicolon\ncreate temp table x as select * from equities_ohlcv_adj where symbol = 'ABC';\nselect count(*) as n, 'a;b' as s from x;\n");
    const csv = await sql(["--file", file, "--format", "csv"]);
    expect(csv.stdout).toBe("n,s\n6,a;b\n");
    const out = join(t.root, "out.parquet");
    const parquet = await sql(["--file", file, "--format", "parquet", "--out", out]);
    expect(parquet.code).toBe(0);
    expect(parquet.stdout).toMatch(/wrote 1 rows/);
    const back = await t.query<{ n: bigint; s: string }>(`select * from read_parquet('${out}')`);
    expect(back).toEqual([{ n: 6n, s: "a;b" }]);
  });

  it("lists the curated and reference views", async () => {
    const session = await openAnalystSession(t.lake);
    try {
      expect(session.views.map((v) => v.view)).toEqual(
        expect.arrayContaining(["equities_ohlcv_adj", "adjustment_factors", "corporate_actions", "delistings", "universe", "tick_size_regime"]),
      );
    } finally {
      session.close();
    }
  });

  it("pins a table to an older manifest with --as-of", async () => {
    // A late 2-for-1 split for ABC creates seq 2 of the adjusted table; seq 1 still shows the old prices.
    await t.putActions("alpaca", [{ symbol: "ABC", ex_date: "2024-06-06", action_type: "split", ratio: 2 }]);
    await curateEquities({ lake: t.lake, sourcePriority: ["alpaca", "polygon"] });
    const query = "select close_split from equities_ohlcv_adj where symbol = 'ABC' and date = DATE '2024-06-03'";
    const now = await sql(["-c", query, "--format", "csv"]);
    const then = await sql(["-c", query, "--format", "csv", "--as-of", "equities_ohlcv_adj=1"]);
    expect(now.stdout).toBe(`close_split\n${400 / 10 / 2}\n`);
    expect(then.stdout).toBe(`close_split\n${400 / 10}\n`);
  });

  it("rejects bad usage with exit 2 and a message", async () => {
    expect((await sql(["-c", "select 1", "--format", "xml"])).code).toBe(2);
    const bad = await sql(["-c", "select * from no_such_table"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no_such_table/);
    const asOf = await sql(["-c", "select 1", "--as-of", "3"]);
    expect(asOf.code).toBe(2);
    expect(asOf.stderr).toMatch(/<table>=<seq>/);
    expect((await sql(["-c", "select 1", "--format", "parquet"])).stderr).toMatch(/--out/);
  });
});

describe("the REPL", () => {
  it("answers statements split over lines and dot commands from piped input", async () => {
    const session = await openAnalystSession(t.lake);
    const input = new PassThrough();
    const output = new PassThrough();
    let text = "";
    output.on("data", (chunk: Buffer) => {
      text += chunk.toString();
    });
    const history = join(t.root, "history");
    const done = runRepl(session, { input, output, terminal: false, historyFile: history, format: "csv" });
    input.end(".tables\nselect count(*) as n\n  from equities_ohlcv_adj where symbol = 'XYZ';\n.schema delistings\nselect nope;\n.quit\nselect 'never';\n");
    await done;
    session.close();
    expect(text).toMatch(/\| equities_ohlcv_adj +\| curated\/equities_ohlcv_adj/);
    expect(text).toContain("n\n6\n");
    expect(text).toMatch(/delistings\n {2}symbol VARCHAR\n {2}delist_date DATE/);
    expect(text).toMatch(/error: .*nope/);
    expect(text).not.toContain("never");
    expect((await readFile(history, "utf8")).split("\n")).toContain("select count(*) as n   from equities_ohlcv_adj where symbol = 'XYZ';");
  });

  it("works as a real process reading piped stdin", async () => {
    const script = join(t.root, "run-cli.mjs");
    await writeFile(script, `const { runMain } = await import(${JSON.stringify(resolve(REPO, "src/cli/main.ts"))});\nawait runMain();\n`);
    const child = spawn("node", ["--import", "tsx", script, "sql", "--config-dir", CONFIGS, "--format", "csv"], {
      cwd: REPO,
      env: { ...process.env, ...env, HOME: t.root },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end("select symbol from delistings;\n");
    const code = await new Promise<number | null>((done) => child.on("close", done));
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toBe("symbol\nOLD\n");
  });
});

describe("trademl catalog export", () => {
  it("writes a .duckdb of views that opens in a fresh DuckDB session", async () => {
    const file = join(t.root, "out", "lake.duckdb");
    const run = await runTrademl(["catalog", "export", file, "--config-dir", CONFIGS], env, t.root);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/equities_ohlcv_adj/);
    const instance = await DuckDBInstance.create(file, { access_mode: "READ_ONLY" });
    const connection = await instance.connect();
    try {
      const reader = await connection.runAndReadAll(
        "select date::varchar as d, close_adj from equities_ohlcv_adj where symbol = 'XYZ' order by date",
      );
      const rows = reader.getRowObjectsJS() as { d: string; close_adj: number }[];
      expect(rows.map((r) => r.d)).toEqual(EXPECTED_ADJ.map(([d]) => d));
      rows.forEach((r, i) => expect(r.close_adj).toBeCloseTo(EXPECTED_ADJ[i]?.[1] ?? NaN, 6));
      const meta = (await connection.runAndReadAll("select view, seq from trademl_catalog where view = 'universe'")).getRowObjectsJS();
      expect(meta).toEqual([{ view: "universe", seq: 1n }]);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    expect((await runTrademl(["catalog", "export", join(t.root, "x.txt"), "--config-dir", CONFIGS], env, t.root)).code).toBe(2);
  });
});
