/**
 * Official lists (`trademl reference import FILE --kind index|tick-pilot`), through the CLI on a real curated lake:
 * - an index list is committed with its provenance and replaces the liquidity proxy it names over the dates it
 *   covers, so index_membership (what the datasets read) holds the official members there and the proxy elsewhere;
 * - a Tick Size Pilot list flags each symbol's sessions and gives the test groups their $0.05 tick;
 * - a bad file stops with a coded error naming its line, and nothing is written.
 */
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { curateEquities } from "../../src/curate/curate-equities.ts";
import { DataError } from "../../src/domain/errors.ts";
import { OFFICIAL_TABLES, parseIndexCsv, parseTickPilotCsv, REFERENCE_TABLES } from "../../src/reference/index.ts";
import { createTestLake, type BarRow, type TestLake } from "../curate/lake-fixture.ts";
import { runTrademl } from "../helpers/cli.ts";

const CONFIGS = fileURLToPath(new URL("../../configs", import.meta.url));

function weekdays(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = new Date(`${from}T00:00:00Z`); d <= new Date(`${to}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) {
    const day = d.getUTCDay();
    if (day !== 0 && day !== 6) out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

describe("official list parsing", () => {
  it("refuses bad files with a coded error naming the line", () => {
    const code = (fn: () => unknown): string => {
      try {
        fn();
      } catch (error) {
        return error instanceof DataError ? `${error.code}: ${error.message}` : String(error);
      }
      return "no error";
    };
    expect(code(() => parseIndexCsv("symbol,from\nA,2024-01-02\n", "i.csv"))).toMatch(/^index_csv_header: i\.csv:1: the header must name the columns symbol, index_name, from/);
    expect(code(() => parseIndexCsv("index_name,symbol,from\nsp_test,A,2024-01-02\nsp_test,B,2024-13-01\n", "i.csv"))).toMatch(/^index_csv_row: i\.csv:3: from "2024-13-01"/);
    expect(code(() => parseIndexCsv("index_name,symbol,from\nlarge_cap_proxy,A,2024-01-02\n", "i.csv"))).toMatch(/^index_csv_row: i\.csv:2: index_name "large_cap_proxy" is a liquidity proxy/);
    expect(code(() => parseIndexCsv("index_name,symbol,from,replaces\nsp_test,A,2024-01-02,mid_cap\n", "i.csv"))).toMatch(/^index_csv_row: i\.csv:2: replaces "mid_cap"/);
    expect(code(() => parseIndexCsv("index_name,symbol,from,to\nsp_test,A,2024-01-02,2024-03-01\nsp_test,A,2024-02-01,\n", "i.csv"))).toMatch(/^index_csv_overlap: .*sp_test\/A/);
    expect(code(() => parseIndexCsv("index_name,symbol,from\n", "i.csv"))).toMatch(/^index_csv_empty/);
    expect(code(() => parseTickPilotCsv("symbol,group,from\nA,G4,2016-10-03\n", "t.csv"))).toMatch(/^tick_pilot_csv_row: t\.csv:2: group "G4"/);
    // The same member of two indexes is no overlap.
    expect(parseIndexCsv("index_name,symbol,from\nsp_test,A,2024-01-02\nr_test,A,2024-01-02\n", "i.csv")).toHaveLength(2);
  });
});

describe("trademl reference import", () => {
  let t: TestLake;
  let dir: string;
  let env: Record<string, string>;
  const cli = (...argv: string[]) => runTrademl([...argv, "--config-dir", CONFIGS], env, dir);
  const read = async <T>(table: string, select: string, order: string): Promise<T[]> => {
    const paths = await t.partPaths(table);
    return t.query<T>(`SELECT ${select} FROM read_parquet([${paths.map((p) => `'${p}'`).join(", ")}], union_by_name = true) ORDER BY ${order}`);
  };

  beforeAll(async () => {
    t = await createTestLake();
    dir = await mkdtemp(join(tmpdir(), "trademl-official-"));
    env = { LAKE_ROOT: join(t.root, "lake"), TRADEML_LOG_LEVEL: "warn" };
    const rows: BarRow[] = [];
    // Five names ranked every month from January (the 20 sessions before its first one are December's).
    for (const date of weekdays("2023-12-01", "2024-03-08")) {
      for (const [symbol, close] of [["A", 10], ["B", 20], ["C", 30], ["D", 5], ["E", 1]] as const) rows.push({ symbol, date, close, volume: 100 });
    }
    await t.putBars("alpaca", rows);
    await curateEquities({ lake: t.lake, sourcePriority: ["alpaca"] });
    const built = await cli("reference");
    expect(built.code, built.stderr).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses a bad file with its line and writes nothing", async () => {
    const membershipSeq = (await t.lake.readManifest(REFERENCE_TABLES.indexMembership))?.seq;
    await writeFile(join(dir, "bad.csv"), "index_name,symbol,from\nsp_test,A,2024-03-01\nsp_test,,2024-03-01\n");
    const run = await cli("reference", "import", "bad.csv", "--kind", "index");
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/bad\.csv:3: symbol "": empty symbol/);
    expect(run.stderr).toMatch(/index_csv_row/);
    expect(await t.lake.readManifest(OFFICIAL_TABLES.indexConstituents)).toBeUndefined();
    expect((await t.lake.readManifest(REFERENCE_TABLES.indexMembership))?.seq).toBe(membershipSeq);
    const kind = await cli("reference", "import", "bad.csv", "--kind", "sp500");
    expect(kind.code).toBe(2);
    expect(kind.stderr).toMatch(/--kind must be index or tick-pilot/);
  });

  it("commits an index list with provenance, and membership takes it instead of the proxy over its dates", async () => {
    // From March the official index replaces the proxy: its members are A and E (not the proxy's C and B).
    const text = "index_name,symbol,from\nsp_test,A,2024-03-01\nsp_test,E,2024-03-01\n";
    await writeFile(join(dir, "sp_test.csv"), text);
    const run = await cli("reference", "import", "sp_test.csv", "--kind", "index");
    expect(run.code, run.stderr).toBe(0);
    const sha = createHash("sha256").update(text).digest("hex");
    expect(run.stdout).toContain(`imported 2 rows for 2 symbols into ${OFFICIAL_TABLES.indexConstituents}`);
    expect(run.stdout).toContain(sha);
    const stored = await read<{ symbol: string; replaces: string; source_file: string; source_sha256: string; loaded: boolean }>(
      OFFICIAL_TABLES.indexConstituents, "symbol, replaces, source_file, source_sha256, loaded_at IS NOT NULL AS loaded", "symbol");
    expect(stored).toEqual([
      { symbol: "A", replaces: "large_cap_proxy", source_file: "sp_test.csv", source_sha256: sha, loaded: true },
      { symbol: "E", replaces: "large_cap_proxy", source_file: "sp_test.csv", source_sha256: sha, loaded: true },
    ]);
    const membership = await read<{ index_name: string; symbol: string; from: string; replaces: string | null; source_file: string | null }>(
      REFERENCE_TABLES.indexMembership, "index_name, symbol, effective_from::VARCHAR AS from, replaces, source_file",
      "effective_from, index_name, symbol");
    const large = membership.filter((m) => m.index_name === "large_cap_proxy" || m.replaces === "large_cap_proxy");
    // The proxy (all five names: the default size is 500) keeps January and February; March is the official list's.
    const proxyRows = large.filter((m) => m.index_name === "large_cap_proxy");
    expect(proxyRows.every((m) => m.replaces === null && m.source_file === null)).toBe(true);
    expect(proxyRows.map((m) => `${m.from} ${m.symbol}`)).toEqual(
      ["2024-01-01", "2024-02-01"].flatMap((from) => ["A", "B", "C", "D", "E"].map((symbol) => `${from} ${symbol}`)),
    );
    expect(large.filter((m) => m.index_name === "sp_test")).toEqual([
      { index_name: "sp_test", symbol: "A", from: "2024-03-01", replaces: "large_cap_proxy", source_file: "sp_test.csv" },
      { index_name: "sp_test", symbol: "E", from: "2024-03-01", replaces: "large_cap_proxy", source_file: "sp_test.csv" },
    ]);
  });

  it("flags the Tick Size Pilot's groups and gives the test groups a $0.05 tick", async () => {
    await writeFile(join(dir, "pilot.csv"), "symbol,group,from,to\nB,G1,2024-02-05,2024-02-16\nC,C,2024-02-05,\n");
    const run = await cli("reference", "import", "pilot.csv", "--kind", "tick-pilot");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`into ${OFFICIAL_TABLES.tickPilot}`);
    const regimes = await read<{ symbol: string; from: string; to: string; tick: number; grp: string | null }>(
      REFERENCE_TABLES.tickSize, "symbol, valid_from::VARCHAR AS from, valid_to::VARCHAR AS to, tick, tick_pilot_group AS grp",
      "symbol, valid_from");
    const b = regimes.filter((r) => r.symbol === "B");
    expect(b.map((r) => [r.from, r.to, r.grp])).toEqual([["2023-12-01", "2024-02-02", null], ["2024-02-05", "2024-02-16", "G1"], ["2024-02-19", "2024-03-08", null]]);
    expect(b[1]?.tick).toBe(0.05);
    expect(b[0]?.tick).toBe(0.01);
    const c = regimes.filter((r) => r.symbol === "C");
    expect(c.map((r) => [r.from, r.grp, r.tick])).toEqual([["2023-12-01", null, 0.01], ["2024-02-05", "C", 0.01]]);
  });
});
