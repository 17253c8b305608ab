/**
 * The node's collection universe from reference data: the members, on one date, of the indexes edge.yml names
 * (`universe_indexes`, by default the large-cap proxy the equities_xs dataset trains on), read from the
 * point-in-time `reference/index_membership` table. Until reference data exists (a new lake, or one whose
 * membership has no member that day) there is no such universe, and the caller falls back to edge.yml's list.
 */
import { DuckSession, lowRssSession, sqlList, sqlString, type DuckResourceOptions } from "../db/session.ts";
import type { LakeAccess } from "../lake/lake-access.ts";
import { REFERENCE_TABLES } from "./build-reference.ts";

export interface CollectionUniverseOptions {
  /** index_membership index names (an official list that `replaces` one counts as it). */
  readonly indexes: readonly string[];
  /** The date whose members are wanted, YYYY-MM-DD. */
  readonly asOf: string;
  readonly duck?: DuckResourceOptions;
}

export interface CollectionUniverse {
  readonly symbols: readonly string[];
  /** The membership table's manifest seq the symbols were read from. */
  readonly seq: number;
}

/** The members on `asOf`, or undefined when the lake has no membership table or no member that day. */
export async function readCollectionUniverse(lake: LakeAccess, options: CollectionUniverseOptions): Promise<CollectionUniverse | undefined> {
  const manifest = await lake.readManifest(REFERENCE_TABLES.indexMembership);
  if (manifest === undefined || manifest.files.length === 0) return undefined;
  const paths = await lake.localPaths(manifest.files, REFERENCE_TABLES.indexMembership);
  const duck = await DuckSession.create(lowRssSession(options.duck));
  try {
    await duck.run(`CREATE TEMP VIEW cu_parts AS SELECT * FROM read_parquet(${sqlList(paths)}, union_by_name = true, hive_partitioning = false)`);
    const columns = new Set((await duck.rows<{ name: string }>("SELECT column_name AS name FROM (DESCRIBE cu_parts)")).map((row) => row.name));
    // Official lists add `replaces`; membership built by the liquidity proxies alone has no such column.
    const replaces = columns.has("replaces") ? "replaces" : "CAST(NULL AS VARCHAR)";
    const delisted = columns.has("delist_date") ? "delist_date" : "CAST(NULL AS DATE)";
    await duck.run(`CREATE TEMP VIEW cu_members AS SELECT index_name, ${replaces} AS replaces, symbol, effective_from, effective_to, ${delisted} AS delist_date FROM cu_parts`);
    await duck.run(`SET VARIABLE as_of = ${sqlString(options.asOf)}::DATE`);
    await duck.run(`SET VARIABLE indexes = [${options.indexes.map(sqlString).join(", ")}]::VARCHAR[]`);
    const symbols = (await duck.rowsFromFile<{ symbol: string }>("reference/collection_universe")).map((row) => row.symbol);
    return symbols.length === 0 ? undefined : { symbols, seq: manifest.seq };
  } finally {
    duck.close();
  }
}
