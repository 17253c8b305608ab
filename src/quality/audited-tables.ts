/**
 * The raw datasets the audit and backfill know, by the logical table names of configs/backfill.yml (which
 * training's `dependencies` also use), with the raw dataset name the edge collector writes under
 * `raw/<vendor>/<dataset>/` (src/ingest/datasets.ts: equities_bars, equities_minute).
 */
import type { Granularity } from "./audit/types.ts";

export interface DatasetInfo {
  readonly granularity: Granularity;
  /** Dataset segment of `raw/<vendor>/<dataset>/`. */
  readonly dataset: string;
}

export const AUDITED_TABLES = {
  equities_eod: { granularity: "daily", dataset: "equities_bars" },
  equities_minute: { granularity: "minute", dataset: "equities_minute" },
} as const satisfies Record<string, DatasetInfo>;

export type AuditedTable = keyof typeof AUDITED_TABLES;

export function isAuditedTable(name: string): name is AuditedTable {
  return Object.hasOwn(AUDITED_TABLES, name);
}

export function rawLakeTable(vendor: string, table: AuditedTable): string {
  return `raw/${vendor}/${AUDITED_TABLES[table].dataset}`;
}
