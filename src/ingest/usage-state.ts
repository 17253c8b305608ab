/**
 * The collector's daily usage counters per vendor, `state/usage/<day>/<vendor>.json` (UTC day): requests, 429s,
 * 5xx, retries, bytes, units, rows, quarantined rows … added by CAS, so every process on the lake adds to one
 * object. The collector writes them (ingest-lake.ts); the daily report reads them.
 */
import { z } from "zod";
import { assertValidKey } from "../lake/keys.ts";
import { readState } from "../lake/state.ts";
import type { ObjectStore } from "../lake/types.ts";

export const USAGE_PREFIX = "state/usage/";

export const usageSchema = z.strictObject({ format: z.literal(1), vendor: z.string(), day: z.string(), counters: z.record(z.string(), z.number()), updated_at: z.string() });
export type UsageRecord = z.infer<typeof usageSchema>;

export function usageKey(day: string, vendor: string): string {
  const key = `${USAGE_PREFIX}${day}/${vendor}.json`;
  assertValidKey(key);
  return key;
}

export async function readUsage(store: ObjectStore, vendor: string, day: string, signal?: AbortSignal): Promise<UsageRecord | undefined> {
  return (await readState(store, usageKey(day, vendor), usageSchema, signal))?.value;
}

/** Every vendor's usage of `day`, by vendor name. */
export async function readDayUsage(store: ObjectStore, day: string, signal?: AbortSignal): Promise<UsageRecord[]> {
  const prefix = `${USAGE_PREFIX}${day}/`;
  const records: UsageRecord[] = [];
  for await (const entry of store.list(prefix, signal === undefined ? {} : { signal })) {
    const name = entry.key.slice(prefix.length);
    if (!name.endsWith(".json") || name.includes("/")) continue;
    const record = await readUsage(store, name.slice(0, -".json".length), day, signal);
    if (record !== undefined) records.push(record);
  }
  return records.sort((a, b) => (a.vendor < b.vendor ? -1 : a.vendor > b.vendor ? 1 : 0));
}
