/**
 * Post-collection steps `trademl demo` runs, in order, the same stages the nightly node runs:
 *   1. audit     — every raw bar dataset into the partition_status ledger (lease "audit")
 *   2. curate    — daily bars and corporate actions, then minute bars (lease "curate")
 *   3. reference — universe, index membership, tick-size regimes (no lease, as `trademl reference`)
 * Each step takes the lease its CLI command takes (if any), with the shipped configuration (configs/*.yml) the demo
 * loaded, and returns lines for the report. Every stage is incremental (bookmarks, fingerprints, manifests), so a
 * second demo on the same lake appends only what is new.
 * Heavy modules (DuckDB) load inside the steps so that importing this file stays cheap.
 */
import type { DemoStep, DemoStepContext } from "./run-demo.ts";

function holder(stage: string): string {
  return `demo-${stage}-${process.pid}`;
}

function duckOptions(context: DemoStepContext): { memoryLimit: string; threads: number } {
  return { memoryLimit: context.config.node.duckdb.memory_limit, threads: context.config.node.duckdb.threads };
}

async function busy(stage: string, heldBy: string | undefined): Promise<never> {
  const { DataError } = await import("../domain/errors.ts");
  throw new DataError(`${stage}_busy`, `another ${stage} run (${heldBy ?? "unknown holder"}) holds the ${stage} lease on the demo lake; run the demo again when it is done`);
}

const auditStep: DemoStep = {
  name: "audit (partition_status ledger)",
  async run(context) {
    const { auditLake, coverageSummary, qcFromConfig } = await import("../quality/audit/index.ts");
    const { VENDORS } = await import("../config/index.ts");
    const report = await auditLake(context.store, {
      vendors: VENDORS,
      holder: holder("audit"),
      qc: qcFromConfig(context.config),
      // The last session collected: the simulator's "today" is not a finished session yet.
      through: context.through,
      duckdb: duckOptions(context),
      ...(context.signal ? { signal: context.signal } : {}),
    });
    if (!report.ran) return busy("audit", report.heldBy);
    const coverage = await coverageSummary(context.store, {}, context.signal);
    if (coverage.length === 0) return "  the ledger is empty (no raw bars collected)";
    const width = Math.max(...coverage.map((c) => `${c.source}/${c.table}`.length));
    return coverage
      .map((c) => `  ${`${c.source}/${c.table}`.padEnd(width)}  GREEN ${c.green}  AMBER ${c.amber}  RED ${c.red}  (${c.symbols} symbols, ${c.firstSession ?? "-"}..${c.lastSession ?? "-"})`)
      .join("\n");
  },
};

const curateStep: DemoStep = {
  name: "curate (equities_ohlcv_adj, equities_minute_adj)",
  async run(context) {
    const { curateEquities, curateMinuteBars, CURATE_TABLES, DEFAULT_DATASETS, DEFAULT_MINUTE_DATASETS } = await import("../curate/curate-equities.ts");
    const { lakeAccess } = await import("../lake/lake-access.ts");
    const { withLease } = await import("../lake/lease.ts");
    const curator = context.config.curator;
    // As `trademl curate`: the curator.yml jobs that feed each curated table name the raw datasets to read.
    const barDatasets = [...new Set(curator.jobs.filter((job) => job.output_prefix === CURATE_TABLES.adjusted).map((job) => job.table))];
    const minuteDatasets = [...new Set(curator.jobs.filter((job) => job.output_prefix.startsWith("curated/equities_minute")).map((job) => job.table))];
    const outcome = await withLease(
      context.store,
      "curate",
      {
        holder: holder("curate"),
        ttlMs: curator.leases.lease_seconds * 1000,
        renewMs: curator.leases.renew_seconds * 1000,
        logger: context.logger,
        ...(context.signal ? { signal: context.signal } : {}),
      },
      async (lease) => {
        const common = {
          lake: lakeAccess(context.store, { commit: { lease } }),
          sourcePriority: curator.source_priority,
          duck: duckOptions(context),
          logger: context.logger,
          ...(context.signal ? { signal: context.signal } : {}),
        };
        // Daily first: the minute pass adjusts with the factors the daily pass just committed.
        const daily = await curateEquities({ ...common, datasets: { ...DEFAULT_DATASETS, bars: barDatasets.length > 0 ? barDatasets : DEFAULT_DATASETS.bars } });
        const minute = await curateMinuteBars({ ...common, datasets: { ...DEFAULT_DATASETS, bars: [...new Set([...minuteDatasets, ...DEFAULT_MINUTE_DATASETS])] } });
        return { daily, minute };
      },
    );
    if (!outcome.ran) return busy("curate", outcome.holder);
    const line = (label: string, r: typeof outcome.value.daily): string => {
      const rebuilt = r.rebuiltSymbols.length;
      const names = rebuilt > 0 && rebuilt <= 10 ? ` (${r.rebuiltSymbols.join(", ")})` : "";
      const commits = Object.keys(r.commits).length === 0 ? "nothing new; no commit" : `committed ${Object.entries(r.commits).map(([t, seq]) => `${t}@${seq}`).join(", ")}`;
      return `  ${label}: ${r.newRawParts} new raw part(s), ${r.barsRead} bars read, ${r.barsQuarantined} quarantined, ${rebuilt} symbol(s) rebuilt${names}, ${r.appendedRows} row(s) appended; ${commits}`;
    };
    return [line("daily ", outcome.value.daily), line("minute", outcome.value.minute)].join("\n");
  },
};

const referenceStep: DemoStep = {
  name: "reference (universe, index_membership, tick_size_regime)",
  async run(context) {
    const { buildReference } = await import("../reference/index.ts");
    const { lakeAccess } = await import("../lake/lake-access.ts");
    // No lease, like `trademl reference`: its commits are epoch 0, and a leased (higher-epoch) commit here would
    // fence every later unleased `trademl reference` run on this lake (manifest.ts refuses older epochs).
    const r = await buildReference({
      lake: lakeAccess(context.store),
      tickSize: context.config.node.reference.tick_size,
      duck: duckOptions(context),
      logger: context.logger,
    });
    const commits = Object.keys(r.commits).length === 0 ? "nothing changed; no commit" : `committed ${Object.entries(r.commits).map(([t, seq]) => `${t}@${seq}`).join(", ")}`;
    return `  ${r.rebalances} rebalance(s), ${r.universeRows} universe row(s), ${r.membershipRows} index membership row(s), ${r.tickIntervals} tick-size interval(s); ${commits}`;
  },
};

export const DEMO_STEPS: readonly DemoStep[] = [auditStep, curateStep, referenceStep];
