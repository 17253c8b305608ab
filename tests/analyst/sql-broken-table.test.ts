/**
 * One damaged table does not break queries on the others: views are bound per table, and a query on the damaged
 * one fails with an error naming the table (and the part). A missing or empty lake says so instead of DuckDB's
 * "Did you mean sqlite_schema".
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openAnalystSession } from "../../src/analyst/index.ts";
import { runTrademl } from "../helpers/cli.ts";
import { CONFIGS, createSmallLake, createThreeTableLake, type SmallLake } from "./small-lake.ts";

let lake: SmallLake;

beforeEach(async () => {
  lake = await createThreeTableLake();
});

afterEach(async () => {
  await lake.close();
});

async function betaPart(): Promise<string> {
  const [path] = await lake.partPaths("curated/beta");
  if (path === undefined) throw new Error("fixture has a part");
  return path;
}

async function expectOthersWork(): Promise<void> {
  const other = await lake.sql(["-c", "select count(*) as n from alpha", "--format", "csv"]);
  expect(other.code, other.stderr).toBe(0);
  expect(other.stdout).toBe("n\n3\n");
  const gamma = await lake.sql(["-c", "select answer from gamma", "--format", "csv"]);
  expect(gamma.stdout).toBe("answer\n42\n");
}

describe("a damaged table", () => {
  it("a part replaced by a file of another size: other tables answer, the damaged one names itself", async () => {
    await writeFile(await betaPart(), "this is not the committed part");
    await expectOthersWork();
    const broken = await lake.sql(["-c", "select * from beta"]);
    expect(broken.code).toBe(3);
    expect(broken.stderr).toMatch(/curated\/beta/);
    expect(broken.stderr).toMatch(/part_changed|does not match its manifest/);
  });

  it("a part deleted from the lake", async () => {
    const [key] = (await lake.lake.readManifest("curated/beta"))?.files.map((file) => file.key) ?? [];
    await rm(join(lake.lakeRoot, key ?? "missing"), { recursive: true });
    await expectOthersWork();
    const broken = await lake.sql(["-c", "select name from beta"]);
    expect(broken.code).toBe(3);
    expect(broken.stderr).toMatch(/curated\/beta/);
    expect(broken.stderr).toMatch(/missing/);
  });

  it("a part of the right size whose bytes are garbage", async () => {
    const path = await betaPart();
    const size = (await readFile(path)).length;
    await writeFile(path, Buffer.alloc(size, 0x5a));
    await expectOthersWork();
    const broken = await lake.sql(["-c", "select n from beta"]);
    expect(broken.code).toBe(3);
    expect(broken.stderr).toMatch(/curated\/beta/);
  });

  it("the REPL lists the damaged table as unavailable", async () => {
    await writeFile(await betaPart(), "damaged");
    const session = await openAnalystSession(lake.lake);
    try {
      expect(session.views.map((view) => view.view).sort()).toEqual(["alpha", "gamma"]);
      expect(session.unavailable).toEqual([expect.objectContaining({ view: "beta", table: "curated/beta" })]);
      await expect(session.query("select * from beta")).rejects.toMatchObject({ code: "table_unavailable" });
    } finally {
      session.close();
    }
  });
});

describe("a missing or empty lake", () => {
  it("a LAKE_ROOT that does not exist is named as missing", async () => {
    const missing = join(lake.root, "no-such-lake");
    const env = { ...lake.env, LAKE_ROOT: missing };
    const gone = await runTrademl(["sql", "--config-dir", CONFIGS, "-c", "select * from universe"], env, lake.root);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/does not exist/);
    expect(gone.stderr).toContain(missing);
    expect(gone.stderr).not.toMatch(/sqlite_schema/);
  });

  it("an empty lake says it has no tables", async () => {
    const empty = await createSmallLake();
    try {
      await empty.store.put("state/hello.json", "{}");
      const run = await empty.sql(["-c", "select * from universe"]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/no tables/);
      expect(run.stderr).not.toMatch(/sqlite_schema/);
    } finally {
      await empty.close();
    }
  });

  it("an unknown table in a lake with tables lists the lake's views", async () => {
    const run = await lake.sql(["-c", "select * from zzz_nothing"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/zzz_nothing/);
    expect(run.stderr).toMatch(/alpha, beta, gamma/);
    expect(run.stderr).not.toMatch(/sqlite_schema/);
  });
});
