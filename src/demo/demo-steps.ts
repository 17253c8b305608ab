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

/** `host:pid:demo-<stage>`: a blocked run on this host can then tell whether the holder still runs. */
async function holder(stage: string): Promise<string> {
  const { defaultLeaseHolder } = await import("../lake/lease.ts");
  return defaultLeaseHolder(`demo-${stage}`);
}

function duckOptions(context: DemoStepContext): { memoryLimit: string; threads: number } {
  return { memoryLimit: context.config.node.duckdb.memory_limit, threads: context.config.node.duckdb.threads };
}

async function busy(stage: string, heldBy: string | undefined): Promise<never> {
  const { DataError } = await import("../domain/errors.ts");
  throw new DataError(`${stage}_busy`, `the ${stage} lease on the demo lake is ${heldBy ?? "held by another run"}; nothing was done`);
}

const auditStep: DemoStep = {
  name: "audit (partition_status ledger)",
  async run(context) {
    const { auditLake, coverageSummary, qcFromConfig } = await import("../quality/audit/index.ts");
    const { VENDORS } = await import("../config/index.ts");
    const report = await auditLake(context.store, {
      vendors: VENDORS,
      holder: await holder("audit"),
      qc: qcFromConfig(context.config),
      // The last session collected: the simulator's "today" is not a finished session yet.
      through: context.through,
      duckdb: duckOptions(context),
      ...(context.signal ? { signal: context.signal } : {}),
    });
    if (!report.ran) return busy("audit", report.heldBy === undefined ? undefined : `held by ${report.heldBy}`);
    const coverage = await coverageSummary(context.store, {}, context.signal);
    if (coverage.length === 0) return "  the ledger is empty (no raw bars collected)";
    const width = Math.max(...coverage.map((c) => `${c.source}/${c.table}`.length));
    return coverage
      .map((c) => `  ${`${c.source}/${c.table}`.padEnd(width)}  GREEN ${c.green}  AMBER ${c.amber}  RED ${c.red}  (${c.symbols} symbols, ${c.firstSession ?? "-"}..${c.lastSession ?? "-"})`)
      .join("\n");
  },
};

const curateStep: DemoStep = {
  name: "curate (equities_ohlcv_adj, equities_minute_adj, options_quotes, options_iv, options_surfaces)",
  async run(context) {
    const { runCuration } = await import("../curate/run-curation.ts");
    const run = await runCuration(context.store, context.config.curator, {
      holder: await holder("curate"),
      duck: duckOptions(context),
      logger: context.logger,
      ...(context.signal ? { signal: context.signal } : {}),
    });
    if (!run.ran) return busy("curate", run.heldBy);
    const line = (label: string, r: typeof run.daily): string => {
      const rebuilt = r.rebuiltSymbols.length;
      const names = rebuilt > 0 && rebuilt <= 10 ? ` (${r.rebuiltSymbols.join(", ")})` : "";
      const commits = Object.keys(r.commits).length === 0 ? "nothing new; no commit" : `committed ${Object.entries(r.commits).map(([t, seq]) => `${t}@${seq}`).join(", ")}`;
      return `  ${label}: ${r.newRawParts} new raw part(s), ${r.barsRead} bars read, ${r.barsQuarantined} quarantined, ${rebuilt} symbol(s) rebuilt${names}, ${r.appendedRows} row(s) appended; ${commits}`;
    };
    const o = run.options;
    const options = o === undefined
      ? "  options: off (curator.yml options.enabled)"
      : o.sessions.length === 0
        ? "  options: nothing new; no commit"
        : `  options: ${o.newRawParts} new raw part(s), ${o.sessions.length} session(s), ${o.quotes} quote(s), ${o.quarantined} quarantined, ${o.ivRows} IV row(s), surfaces ${o.surfaces.ok} ok / ${o.surfaces.repaired} repaired / ${o.surfaces.rejected} rejected`;
    return [line("daily ", run.daily), line("minute", run.minute), options].join("\n");
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
