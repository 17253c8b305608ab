/**
 * Rows (or whole responses) the collector refused, kept with their reasons as JSON objects under
 * `quarantine/raw/<vendor>/<dataset>/date=<day>/part-<uuidv7>.json` (DESIGN.md "Bad input"): the collector writes
 * them (ingest-lake.ts), the daily report counts them by reason.
 */
import { z } from "zod";
import { rawTable } from "../lake/keys.ts";
import type { ObjectStore } from "../lake/types.ts";
import { DATASETS } from "./datasets.ts";

/** The folder of one dataset's quarantine objects of one UTC day. */
export function quarantineFolder(vendor: string, dataset: string, day: string): string {
  return `quarantine/${rawTable(vendor, dataset)}/date=${day}`;
}

const countsSchema = z.object({ counts: z.record(z.string(), z.number()) });

export interface QuarantineCount {
  readonly table: string;
  readonly reason: string;
  readonly rows: number;
}

/** Refused rows of `day` per raw table and reason, from every quarantine object of that day. */
export async function quarantinedOnDay(store: ObjectStore, day: string, signal?: AbortSignal): Promise<QuarantineCount[]> {
  const io = signal === undefined ? {} : { signal };
  const counts = new Map<string, QuarantineCount>();
  for (const spec of DATASETS) {
    const table = rawTable(spec.vendor, spec.dataset);
    for await (const entry of store.list(`${quarantineFolder(spec.vendor, spec.dataset, day)}/`, io)) {
      if (!entry.key.endsWith(".json")) continue;
      const object = await store.get(entry.key, io);
      if (object === undefined) continue;
      let parsed: z.infer<typeof countsSchema> | undefined;
      try {
        parsed = countsSchema.safeParse(JSON.parse(new TextDecoder().decode(object.body))).data;
      } catch {
        parsed = undefined;
      }
      for (const [reason, rows] of Object.entries(parsed?.counts ?? { unreadable: 1 })) {
        const key = `${table}\u0000${reason}`;
        counts.set(key, { table, reason, rows: (counts.get(key)?.rows ?? 0) + rows });
      }
    }
  }
  return [...counts.values()].sort((a, b) => b.rows - a.rows || (a.table < b.table ? -1 : a.table > b.table ? 1 : a.reason < b.reason ? -1 : 1));
}
