/**
 * A small real local lake for the analyst tests: two curated tables and a reference table, each written as
 * Parquet parts by DuckDB and committed through manifests (db/lake-tables.ts), without running curation.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PartWriter } from "../../src/db/part-writer.ts";
import { DuckSession } from "../../src/db/session.ts";
import { lakeAccess, type LakeAccess } from "../../src/lake/lake-access.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import type { Manifest } from "../../src/lake/types.ts";
import { runTrademl, type CliRun } from "../helpers/cli.ts";

export const CONFIGS = resolve(import.meta.dirname ?? ".", "../../configs");

export interface SmallLake {
  /** A temp folder holding the lake (`<root>/lake`) and anything else a test writes. */
  readonly root: string;
  readonly lakeRoot: string;
  readonly store: LocalStore;
  readonly lake: LakeAccess;
  readonly env: Record<string, string>;
  /** Appends the rows of `select` as one part of `table` and commits it. */
  append(table: string, select: string): Promise<Manifest>;
  /** Local paths of a table's current parts. */
  partPaths(table: string): Promise<string[]>;
  /** `trademl sql --config-dir configs …` in-process against this lake. */
  sql(argv: readonly string[]): Promise<CliRun>;
  close(): Promise<void>;
}

export async function createSmallLake(): Promise<SmallLake> {
  const root = await mkdtemp(join(tmpdir(), "trademl-analyst-"));
  const lakeRoot = join(root, "lake");
  const store = new LocalStore({ root: lakeRoot });
  const lake = lakeAccess(store, { cacheDir: join(root, "cache") });
  const duck = await DuckSession.create({ threads: 1, kernels: false });
  const env = { LAKE_ROOT: lakeRoot, TRADEML_LOG_LEVEL: "warn", HOME: root };
  return {
    root,
    lakeRoot,
    store,
    lake,
    env,
    append: async (table, select) => {
      const writer = new PartWriter({ session: duck, store, scratchDir: root });
      return writer.append(table, [await writer.writeQuery(select, { folder: table })]);
    },
    async partPaths(table) {
      const manifest = await lake.readManifest(table);
      return lake.localPaths(manifest?.files ?? []);
    },
    sql: (argv) => runTrademl(["sql", "--config-dir", CONFIGS, ...argv], env, root),
    async close() {
      duck.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** The usual three tables: curated/alpha (3 rows), curated/beta (2 rows), reference/gamma (1 row). */
export async function createThreeTableLake(): Promise<SmallLake> {
  const lake = await createSmallLake();
  await lake.append("curated/alpha", "SELECT i AS id, i * 1.5 AS x FROM range(3) t(i)");
  await lake.append("curated/beta", "SELECT 'b' || i AS name, i AS n FROM range(2) t(i)");
  await lake.append("reference/gamma", "SELECT 42 AS answer");
  return lake;
}
