/**
 * Curation's helpers around the write path (src/db/part-writer.ts): its staging folder, loading a table's parts,
 * and a bounded-concurrency loop for uploads.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Manifest } from "../lake/types.ts";
import { sqlList, type DuckSession } from "../db/session.ts";
import type { LakeAccess } from "../lake/lake-access.ts";

export interface Staging {
  readonly dir: string;
  next(name: string): string;
}

export async function makeStaging(): Promise<Staging> {
  const dir = await mkdtemp(join(tmpdir(), "trademl-curate-"));
  let n = 0;
  return {
    dir,
    next(name) {
      n += 1;
      return join(dir, `${String(n).padStart(5, "0")}-${name}`);
    },
  };
}

/** Reads a table's current parts into a temp table (an empty one with `columns` when the table is new). */
export async function loadTable(
  duck: DuckSession,
  lake: LakeAccess,
  manifest: Manifest | undefined,
  name: string,
  columns: string,
): Promise<void> {
  const files = manifest?.files ?? [];
  if (files.length === 0) {
    await duck.run(`CREATE OR REPLACE TEMP TABLE ${name} (${columns})`);
    return;
  }
  const paths = await lake.localPaths(files, manifest?.table);
  await duck.run(`CREATE OR REPLACE TEMP TABLE ${name} AS SELECT * FROM read_parquet(${sqlList(paths)}, union_by_name = true, hive_partitioning = false)`);
}


/** Runs `work` over `items` with at most `limit` in flight (uploads overlap their fsync waits). */
export async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      if (item !== undefined) await work(item);
    }
  });
  await Promise.all(runners);
}
