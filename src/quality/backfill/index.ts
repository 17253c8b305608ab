/** The backfill queue: plan from the ledger, fetch within budgets, commit, re-audit, mark. */
export { runBackfill, planBackfill, BACKFILL_LEASE } from "./backfill.ts";
export { alpacaActionsFetcher, alpacaBarsFetcher, polygonBarsFetcher } from "./fetchers.ts";
export { backfillFetchers, backfillFromConfig, backfillTargets, BACKFILL_TABLES, BACKFILL_VENDORS, DEFAULT_BACKFILL_TABLES, type ConfiguredBackfillOptions } from "./from-config.ts";
export { listMarks, readMarks, marksKey, type BackfillMarks, type SymbolMarks } from "./marks.ts";
export type * from "./types.ts";
