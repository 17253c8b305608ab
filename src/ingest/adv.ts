/**
 * Average daily dollar volume per symbol from the raw daily bars already in the lake. Options collection
 * samples only the most liquid underliers (the free tiers cannot afford whole chains for a universe), so the
 * ranking is by ADV over the most recent parts; with no bars yet, the universe's own order stands.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readManifest } from "../lake/manifest.ts";
import type { ObjectStore } from "../lake/types.ts";
import { rawTable } from "../lake/keys.ts";
import { INGEST_VENDORS } from "./datasets.ts";
import type { ParquetWriter } from "./parquet-writer.ts";
import { sqlList } from "../db/sql-literal.ts";


export async function rankByAdv(store: ObjectStore, duck: ParquetWriter, universe: readonly string[], maxParts = 40): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), "trademl-adv-"));
  try {
    const paths: string[] = [];
    for (const vendor of INGEST_VENDORS) {
      const manifest = await readManifest(store, rawTable(vendor, "equities_bars"));
      const parts = (manifest?.files ?? []).filter((f) => f.rows > 0).slice(-maxParts);
      for (const [i, part] of parts.entries()) {
        const local = join(dir, `${vendor}-${i}.parquet`);
        if (await store.getToFile(part.key, local)) paths.push(local);
      }
    }
    if (paths.length === 0) return [...universe];
    const wanted = new Set(universe);
    const ranked = await duck.query(
      `SELECT symbol, avg(close * volume) AS adv FROM read_parquet(${sqlList(paths)}) GROUP BY symbol ORDER BY adv DESC, symbol`,
    );
    const order = ranked.map((r) => String(r["symbol"])).filter((s) => wanted.has(s));
    return [...order, ...universe.filter((s) => !order.includes(s))];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
