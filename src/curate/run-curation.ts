/**
 * The curate job — what `trademl curate`, the demo and the nightly node run: under the `curate` lease (one
 * curator at a time; the lease's epoch fences every commit, so a curator that lost its lease cannot commit over
 * the one that took over), the daily pass, then the minute pass (it adjusts with the factors the daily pass just
 * committed), then compaction of what the passes keep appending to (compact-curation.ts). Callers compose nothing
 * themselves.
 */
import type { CuratorConfig } from "../config/index.ts";
import { PartWriter } from "../db/part-writer.ts";
import { DuckSession, lowRssSession, type DuckResourceOptions } from "../db/session.ts";
import type { Logger } from "../domain/logger.ts";
import { lakeAccess, type LakeAccess } from "../lake/lake-access.ts";
import { withLease } from "../lake/lease.ts";
import type { ObjectStore } from "../lake/types.ts";
import { curateOptions, type OptionsReport } from "../options/curate-options.ts";
import { compactCuration, type CurationCompaction } from "./compact-curation.ts";
import { curateEquities, curateMinuteBars, type CurateReport } from "./curate-equities.ts";
import { CURATE_TABLES, DEFAULT_DATASETS, DEFAULT_MINUTE_DATASETS, type CurateDatasets } from "./curate-tables.ts";

export const CURATE_LEASE = "curate";

export interface RunCurationOptions {
  /** Lease holder name (host and a random suffix, or the demo's). */
  readonly holder: string;
  /** DuckDB resources (configs/node.yml `duckdb`). */
  readonly duck?: DuckResourceOptions;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
}

export type CurationRun =
  | { readonly ran: true; readonly daily: CurateReport; readonly minute: CurateReport; readonly options: OptionsReport | undefined; readonly compaction: CurationCompaction }
  | { readonly ran: false; readonly heldBy: string | undefined };

/** The raw datasets each pass reads: those the curator.yml jobs feeding its curated table name, else the defaults. */
export function curationDatasets(config: CuratorConfig): { readonly daily: CurateDatasets; readonly minute: CurateDatasets } {
  const daily = [...new Set(config.jobs.filter((job) => job.output_prefix === CURATE_TABLES.adjusted).map((job) => job.table))];
  const minute = [...new Set(config.jobs.filter((job) => job.output_prefix.startsWith("curated/equities_minute")).map((job) => job.table))];
  return {
    daily: { ...DEFAULT_DATASETS, bars: daily.length > 0 ? daily : DEFAULT_DATASETS.bars },
    minute: { ...DEFAULT_DATASETS, bars: [...new Set([...minute, ...DEFAULT_MINUTE_DATASETS])] },
  };
}

/** Compaction on a DuckDB session of its own (the passes' sessions are closed by then). */
async function compact(lake: LakeAccess, args: Parameters<typeof compactCuration>[2], options: RunCurationOptions): Promise<CurationCompaction> {
  const session = await DuckSession.create(lowRssSession(options.duck));
  const parts = new PartWriter({ session, store: lake.store, commit: lake.commitOptions, ...(options.signal === undefined ? {} : { signal: options.signal }) });
  try {
    const result = await compactCuration(parts, lake, args);
    for (const [table, done] of Object.entries(result.tables)) options.logger?.info("compacted", { table, partsRemoved: done.partsRemoved, partsAdded: done.partsAdded, seq: done.manifest?.seq });
    return result;
  } finally {
    await parts.close();
    session.close();
  }
}

/** Runs the curate job; `{ ran: false }` when another curator holds the lease (nothing was done). */
export async function runCuration(store: ObjectStore, config: CuratorConfig, options: RunCurationOptions): Promise<CurationRun> {
  const datasets = curationDatasets(config);
  const outcome = await withLease(
    store,
    CURATE_LEASE,
    {
      holder: options.holder,
      ttlMs: config.leases.lease_seconds * 1000,
      renewMs: config.leases.renew_seconds * 1000,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    },
    async (lease) => {
      const common = {
        lake: lakeAccess(store, { commit: { lease } }),
        sourcePriority: config.source_priority,
        ...(options.duck === undefined ? {} : { duck: options.duck }),
        ...(options.logger === undefined ? {} : { logger: options.logger }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      };
      const daily = await curateEquities({ ...common, datasets: datasets.daily });
      const minute = await curateMinuteBars({ ...common, datasets: datasets.minute });
      const optionsPass = config.options.enabled
        ? await curateOptions({
          lake: common.lake, config: config.options,
          ...(options.duck === undefined ? {} : { duck: options.duck }),
          ...(options.logger === undefined ? {} : { logger: options.logger }),
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        })
        : undefined;
      const { enabled, min_parts: minParts, raw_min_parts: rawMinParts } = config.compaction;
      const compaction = enabled
        ? await compact(common.lake, { vendors: config.source_priority, minuteDatasets: datasets.minute.bars, minParts, rawMinParts }, options)
        : { tables: {} };
      return { daily, minute, options: optionsPass, compaction };
    },
  );
  return outcome.ran ? { ran: true, ...outcome.value } : { ran: false, heldBy: outcome.heldBy };
}
