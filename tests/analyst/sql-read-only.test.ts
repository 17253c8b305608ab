/**
 * `trademl sql` is read-only: statements that write or reach outside the lake's views are refused by statement
 * type (DuckDB's own parser), the session can read only the parts its views list (external access off, the exact
 * part files allowed, configuration locked), and `--out` never points into LAKE_ROOT. `--unsafe-unrestricted`
 * lifts the guard, except the `--out` rule.
 */
import { createHash } from "node:crypto";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAnalystSession } from "../../src/analyst/index.ts";
import { createThreeTableLake, type SmallLake } from "./small-lake.ts";

let lake: SmallLake;
let part: string;
let partHash: string;

const hashOf = async (path: string): Promise<string> => createHash("sha256").update(await readFile(path)).digest("hex");

beforeAll(async () => {
  lake = await createThreeTableLake();
  const [first] = await lake.partPaths("curated/alpha");
  if (first === undefined) throw new Error("fixture has a part");
  part = first;
  partHash = await hashOf(part);
});

afterAll(async () => {
  await lake.close();
});

const sqlLiteral = (text: string): string => `'${text.replace(/'/g, "''")}'`;

async function expectRefused(statement: string, pattern: RegExp): Promise<void> {
  const run = await lake.sql(["-c", statement]);
  expect(run.code, `${statement}\n${run.stdout}${run.stderr}`).toBe(2);
  expect(run.stderr).toMatch(pattern);
  expect(run.stdout).toBe("");
}

describe("trademl sql refuses what writes or reaches outside", () => {
  it("refuses COPY, even over a committed part, and leaves the part as it was", async () => {
    await expectRefused(`COPY (select 1 as id, 0.0 as x) TO ${sqlLiteral(part)} (FORMAT parquet)`, /COPY.*--unsafe-unrestricted/s);
    // Elsewhere DuckDB's file sandbox refuses it while binding, before the statement type is known.
    await expectRefused(`COPY (select 1) TO ${sqlLiteral(join(lake.root, "x.csv"))}`, /read-only.*x\.csv.*--unsafe-unrestricted/s);
    expect(await hashOf(part)).toBe(partHash);
    await expect(stat(join(lake.root, "x.csv"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("refuses a write hidden in EXPLAIN ANALYZE", async () => {
    await expectRefused(
      `EXPLAIN ANALYZE COPY (select 7 as id) TO ${sqlLiteral(part)} (FORMAT parquet, USE_TMP_FILE false)`,
      /COPY/,
    );
    expect(await hashOf(part)).toBe(partHash);
  });

  it("refuses EXPORT, ATTACH, INSTALL, LOAD, SET, PRAGMA and PREPARE", async () => {
    await expectRefused(`EXPORT DATABASE ${sqlLiteral(join(lake.root, "exported"))}`, /EXPORT|read-only/);
    await expect(stat(join(lake.root, "exported"))).rejects.toMatchObject({ code: "ENOENT" });
    await expectRefused(`ATTACH ${sqlLiteral(join(lake.root, "other.duckdb"))} AS other`, /ATTACH/);
    await expect(stat(join(lake.root, "other.duckdb"))).rejects.toMatchObject({ code: "ENOENT" });
    await expectRefused("INSTALL httpfs", /INSTALL|LOAD/);
    await expectRefused("LOAD httpfs", /LOAD/);
    await expectRefused("SET enable_external_access = true", /SET/);
    await expectRefused("RESET allowed_paths", /SET/);
    await expectRefused("PRAGMA enable_profiling", /PRAGMA/);
    await expectRefused("PREPARE q AS select 1", /PREPARE/);
  });

  it("refuses files outside the views: local files, manifests, orphan parts of the lake", async () => {
    await expectRefused("select * from read_csv('/etc/passwd')", /only the parts of the lake's views/);
    const manifests = join(lake.lakeRoot, "manifests", "curated", "alpha");
    await expectRefused(`select * from read_json_auto(${sqlLiteral(join(manifests, "*", "*"))})`, /only the parts of the lake's views/);
    const orphan = join(lake.lakeRoot, "curated", "alpha", "orphan.parquet");
    await writeFile(orphan, await readFile(part));
    await expectRefused(`select * from read_parquet(${sqlLiteral(orphan)})`, /only the parts of the lake's views/);
    await expectRefused(`select * from read_parquet(${sqlLiteral(join(lake.lakeRoot, "**", "*.parquet"))})`, /only the parts of the lake's views/);
  });

  it("refuses table functions that change the session's logging or profiling", async () => {
    await expectRefused(`select * from enable_logging(storage => 'file', storage_path => ${sqlLiteral(lake.root)})`, /enable_logging/);
    await expectRefused("select * from query('select 1')", /query/);
  });

  it("--out never points inside LAKE_ROOT, not even with --unsafe-unrestricted", async () => {
    for (const extra of [[], ["--unsafe-unrestricted"]]) {
      const run = await lake.sql(["-c", "select * from alpha", "--format", "parquet", "--out", join(lake.lakeRoot, "curated", "alpha", "x.parquet"), ...extra]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/inside the lake/);
    }
    await expect(stat(join(lake.lakeRoot, "curated", "alpha", "x.parquet"))).rejects.toMatchObject({ code: "ENOENT" });
    const out = join(lake.root, "alpha.parquet");
    const ok = await lake.sql(["-c", "select * from alpha order by id -- all of it", "--format", "parquet", "--out", out]);
    expect(ok.stderr).toBe("");
    expect(ok.stdout).toMatch(/wrote 3 rows/);
    expect((await stat(out)).size).toBeGreaterThan(0);
  });
});

describe("trademl sql still does what analysts need", () => {
  it("runs queries, temp tables, EXPLAIN, DESCRIBE and SUMMARIZE, and reports the session locked", async () => {
    const file = join(lake.root, "ok.sql");
    await writeFile(
      file,
      [
        "create temp table t as select * from alpha join beta on alpha.id = beta.n",
        "insert into t select * from t",
        "explain select * from t",
        "describe alpha",
        "summarize beta",
        "select count(*) as n, current_setting('lock_configuration') as locked, current_setting('enable_external_access') as external from t",
      ].join(";\n"),
    );
    const run = await lake.sql(["--file", file, "--format", "csv"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("n,locked,external\n4,true,false\n");
  });

  it("runs SHOW, read-only PRAGMAs, dynamic PIVOT and transactions", async () => {
    const answers = async (statement: string): Promise<string> => {
      const run = await lake.sql(["-c", statement, "--format", "csv"]);
      expect(run.stderr, statement).toBe("");
      return run.stdout;
    };
    expect(await answers("show tables")).toBe("name\nalpha\nbeta\ngamma\n");
    expect(await answers("pragma version")).toMatch(/^library_version,source_id/);
    expect(await answers("pivot beta on name using sum(n)")).toBe("b0,b1\n0,1\n");
    expect(await answers("begin; create temp table z as select 1 as q; commit; select * from z")).toBe("q\n1\n");
  });

  it("--unsafe-unrestricted allows writes and outside reads", async () => {
    const target = join(lake.root, "answer.csv");
    const run = await lake.sql(["-c", `COPY (select answer from gamma) TO ${sqlLiteral(target)} (HEADER false)`, "--unsafe-unrestricted"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect((await readFile(target, "utf8")).trim()).toBe("42");
    const read = await lake.sql(["-c", `select * from read_csv(${sqlLiteral(target)}, header = false)`, "--format", "csv", "--unsafe-unrestricted"]);
    expect(read.stdout).toBe("column0\n42\n");
  });

  it("the API session is read-only too", async () => {
    const session = await openAnalystSession(lake.lake);
    try {
      await expect(session.query(`COPY (select 1) TO ${sqlLiteral(part)}`)).rejects.toMatchObject({ code: "statement_refused" });
      await expect(session.query(`COPY (select 1) TO ${sqlLiteral(join(lake.root, "api.csv"))}`)).rejects.toMatchObject({ code: "outside_lake" });
      expect(await hashOf(part)).toBe(partHash);
      expect((await session.query("select count(*) as n from alpha")).rows).toEqual([["3"]]);
    } finally {
      session.close();
    }
  });
});
