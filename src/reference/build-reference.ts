/**
 * Reference data from the curated lake: the point-in-time universe ranked by median 20-session dollar volume
 * (monthly reconstitution), large/small-cap index-membership proxies that keep delisted names, and the
 * tick-size regime per symbol and session from the versioned rules table in config. Each table is replaced by
 * a manifest commit only when its content changed, so re-running on an unchanged lake commits nothing.
 */
import { DataError } from "../domain/errors.ts";
import { silentLogger, type Logger } from "../domain/logger.ts";
import { CURATE_TABLES } from "../curate/curate-tables.ts";
import { DuckSession, lowRssSession, sqlList, sqlString, type DuckResourceOptions } from "../db/session.ts";
import type { LakeAccess } from "../lake/lake-access.ts";
import { PartWriter } from "../db/part-writer.ts";
import { fingerprint } from "../db/fingerprint.ts";
import { loadSqlFile } from "../db/sql-files.ts";
import { OFFICIAL_TABLES } from "./official-lists.ts";

export const REFERENCE_TABLES = {
  universe: "reference/universe",
  indexMembership: "reference/index_membership",
  tickSize: "reference/tick_size_regime",
} as const;

/** One version of the tick rules (config: node.yml reference.tick_size). */
export interface TickRuleVersion {
  readonly id: string;
  readonly effective_from: string;
  readonly rules: readonly { readonly min_price: number; readonly tick: number }[];
}

export interface ReferenceOptions {
  readonly lake: LakeAccess;
  readonly tickSize: readonly TickRuleVersion[];
  /** Sessions in the dollar-volume window (default 20). */
  readonly advWindow?: number;
  /** Fewest sessions a symbol must have traded in the window to be ranked (default 15). */
  readonly minSessions?: number;
  /** Size of the large-cap proxy (default 500) and of the small-cap proxy after it (default 2,000). */
  readonly largeCount?: number;
  readonly smallCount?: number;
  /** Symbols per batch of the tick-size pass (default 50): bounds DuckDB's working set. */
  readonly batchSymbols?: number;
  readonly duck?: DuckResourceOptions;
  readonly logger?: Logger;
}

export interface ReferenceReport {
  readonly rebalances: number;
  readonly universeRows: number;
  readonly membershipRows: number;
  readonly tickIntervals: number;
  readonly commits: Readonly<Record<string, number>>;
}

function positiveInt(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new DataError("bad_reference_option", `${name} must be a positive integer, got ${value}`);
  return value;
}

/** Binds a lake table as a temp view (an empty temp table with the `empty` columns when it has no parts). */
export async function registerTable(duck: DuckSession, lake: LakeAccess, table: string, name: string, select: string, empty: string, seq?: number): Promise<void> {
  const manifest = await lake.readManifest(table, seq);
  const files = manifest?.files ?? [];
  if (files.length === 0) {
    await duck.run(`CREATE OR REPLACE TEMP TABLE ${name} (${empty})`);
    return;
  }
  const paths = await lake.localPaths(files, table);
  await duck.run(`CREATE OR REPLACE TEMP VIEW ${name} AS SELECT ${select} FROM read_parquet(${sqlList(paths)}, union_by_name = true, hive_partitioning = false)`);
}

/**
 * Tick-size regimes, a batch of symbols at a time: each batch reads only the adjusted parts holding its
 * symbols (the manifest lists the symbols of every part), which keeps the window functions small.
 */
async function buildTickRegimes(duck: DuckSession, lake: LakeAccess, batchSymbols: number): Promise<void> {
  await duck.run(`CREATE OR REPLACE TEMP TABLE tick_size_regime
    (symbol VARCHAR, valid_from DATE, valid_to DATE, sessions BIGINT, version_id VARCHAR, tick DOUBLE, tick_pilot_group VARCHAR)`);
  const files = (await lake.readManifest(CURATE_TABLES.adjusted))?.files ?? [];
  const symbols = [...new Set(files.flatMap((file) => file.symbols ?? []))].sort();
  const tickSql = await loadSqlFile("reference/tick_size_regime");
  for (let i = 0; i < symbols.length; i += batchSymbols) {
    const batch = symbols.slice(i, i + batchSymbols);
    const wanted = new Set(batch);
    const parts = files.filter((file) => (file.symbols ?? []).some((symbol) => wanted.has(symbol)));
    const paths = await lake.localPaths(parts, CURATE_TABLES.adjusted);
    await duck.run(`CREATE OR REPLACE TEMP VIEW tick_bars AS
      SELECT symbol, date, open, close FROM read_parquet(${sqlList(paths)}, union_by_name = true, hive_partitioning = false)
      WHERE list_contains(${sqlList(batch)}, symbol)`);
    await duck.run(tickSql);
  }
}

export async function buildReference(options: ReferenceOptions): Promise<ReferenceReport> {
  const { lake } = options;
  const logger = options.logger ?? silentLogger;
  const duck = await DuckSession.create(lowRssSession(options.duck));
  const commits: Record<string, number> = {};
  const parts = new PartWriter({ session: duck, store: lake.store, commit: lake.commitOptions });
  try {
    await duck.run(`SET VARIABLE adv_window = ${positiveInt("advWindow", options.advWindow ?? 20)}`);
    await duck.run(`SET VARIABLE min_sessions = ${positiveInt("minSessions", options.minSessions ?? 15)}`);
    await duck.run(`SET VARIABLE large_count = ${positiveInt("largeCount", options.largeCount ?? 500)}`);
    await duck.run(`SET VARIABLE small_count = ${positiveInt("smallCount", options.smallCount ?? 2000)}`);
    await registerTable(duck, lake, CURATE_TABLES.adjusted, "ref_bars", "symbol, date, open, close, volume",
      "symbol VARCHAR, date DATE, open DOUBLE, close DOUBLE, volume DOUBLE");
    await registerTable(duck, lake, CURATE_TABLES.delistings, "ref_delistings", "symbol, delist_date", "symbol VARCHAR, delist_date DATE");
    // The official lists a user imported (./official-lists.ts) replace the approximations where they apply.
    await registerTable(duck, lake, OFFICIAL_TABLES.indexConstituents, "ref_official_index",
      "index_name, replaces, symbol, effective_from, effective_to, source_file, source_sha256, loaded_at",
      "index_name VARCHAR, replaces VARCHAR, symbol VARCHAR, effective_from DATE, effective_to DATE, source_file VARCHAR, source_sha256 VARCHAR, loaded_at TIMESTAMP");
    await registerTable(duck, lake, OFFICIAL_TABLES.tickPilot, "ref_tick_pilot", "symbol, pilot_group, valid_from, valid_to",
      "symbol VARCHAR, pilot_group VARCHAR, valid_from DATE, valid_to DATE");

    await duck.run(`CREATE OR REPLACE TEMP TABLE tick_versions (version_id VARCHAR, effective_from DATE)`);
    await duck.run(`CREATE OR REPLACE TEMP TABLE tick_rules (version_id VARCHAR, min_price DOUBLE, tick DOUBLE)`);
    for (const version of options.tickSize) {
      await duck.run(`INSERT INTO tick_versions VALUES (${sqlString(version.id)}, ${sqlString(version.effective_from)}::DATE)`);
      for (const rule of version.rules) {
        await duck.run(`INSERT INTO tick_rules VALUES (${sqlString(version.id)}, ${Number(rule.min_price)}, ${Number(rule.tick)})`);
      }
    }

    await duck.runFile("reference/universe");
    await buildTickRegimes(duck, lake, options.batchSymbols ?? 50);

    const outputs = [
      { table: REFERENCE_TABLES.universe, relation: "universe", order: "rebalance_date, adv_rank" },
      { table: REFERENCE_TABLES.indexMembership, relation: "index_membership", order: "effective_from, index_name, adv_rank" },
      { table: REFERENCE_TABLES.tickSize, relation: "tick_size_regime", order: "symbol, valid_from" },
    ];
    for (const { table, relation, order } of outputs) {
      const previous = await lake.readManifest(table);
      const before = (previous?.files ?? []).map((file) => file.key);
      if (before.length > 0) {
        await registerTable(duck, lake, table, "previous_reference", "*", "x INTEGER");
        if ((await fingerprint(duck, "previous_reference")) === (await fingerprint(duck, relation))) continue;
      }
      const part = await parts.writeQuery(`SELECT * FROM ${relation} ORDER BY ${order}`, { folder: table });
      const manifest = await parts.replaceAll(table, [part], previous);
      commits[table] = manifest.seq;
    }

    const counts = await duck.rows<{ rebalances: number; universe: number; membership: number; ticks: number }>(
      `SELECT (SELECT count(DISTINCT rebalance_date) FROM universe)::DOUBLE AS rebalances,
              (SELECT count(*) FROM universe)::DOUBLE AS universe,
              (SELECT count(*) FROM index_membership)::DOUBLE AS membership,
              (SELECT count(*) FROM tick_size_regime)::DOUBLE AS ticks`,
    );
    const c = counts[0];
    const report: ReferenceReport = {
      rebalances: c?.rebalances ?? 0,
      universeRows: c?.universe ?? 0,
      membershipRows: c?.membership ?? 0,
      tickIntervals: c?.ticks ?? 0,
      commits,
    };
    logger.info("reference data built", { ...report });
    return report;
  } finally {
    await parts.close();
    duck.close();
  }
}
