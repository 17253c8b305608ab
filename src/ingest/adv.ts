/**
 * Average daily dollar volume per symbol from the raw daily bars already in the lake. Options collection
 * samples only the most liquid underliers (the free tiers cannot afford whole chains for a universe), so the
 * ranking is by ADV over the most recent parts; with no bars yet, the universe's own order stands. A session's
 * underliers are chosen once and kept (`optionUnderliers`), so collecting the same session again never adds
 * another underlier's chain.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { readManifest } from "../lake/manifest.ts";
import { readState, writeState } from "../lake/state.ts";
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

const choiceSchema = z.strictObject({ format: z.literal(1), session: z.string(), underliers: z.array(z.string()), chosen_at: z.string() });

export function underlierChoiceKey(session: string): string {
  return `state/option-underliers/${session}.json`;
}

/**
 * The option underliers of `session`: the `count` top-ADV symbols of the universe, chosen by the first pass that
 * collects the session and recorded create-only, so every later pass (and every other collector, and every option
 * table) samples the same ones. Ranking again would pick others once that session's bars had landed (a fresh lake
 * ranks by universe order until then), and each rerun of the same session would then add their chains.
 */
export async function optionUnderliers(store: ObjectStore, duck: ParquetWriter, universe: readonly string[], session: string, count: number): Promise<string[]> {
  const key = underlierChoiceKey(session);
  const recorded = await readState(store, key, choiceSchema);
  if (recorded !== undefined) return recorded.value.underliers;
  const underliers = (await rankByAdv(store, duck, universe)).slice(0, count);
  const written = await writeState(store, key, choiceSchema, { format: 1, session, underliers, chosen_at: new Date().toISOString() }, undefined);
  if (written !== undefined) return underliers;
  // Another collector chose first: its choice stands.
  return (await readState(store, key, choiceSchema))?.value.underliers ?? underliers;
}
