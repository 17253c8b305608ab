/**
 * Stock-borrow tiers per symbol and day (configs/borrow.yml; issue 12 item 7): the one source both backtesters
 * use. A user's own list (a broker's borrow file, one row per symbol and date range) is imported into
 * `reference/borrow_tiers` through the lake write path, with its provenance (file name, SHA-256, load time).
 * Where no imported row covers a symbol and day, a free approximation applies: the month's point-in-time
 * universe (reference/universe) ranks names by median dollar volume, and the least liquid shares of it are
 * HTB and warm (borrow scarcity concentrates in small, illiquid names; D'Avolio, "The market for borrowing
 * stock", JFE 66, 2002). The approximation is documented as such in docs/training.md.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { BORROW_TIERS, type BorrowConfig, type BorrowTier } from "../config/schemas/borrow.ts";
import { DuckSession } from "../db/session.ts";
import { PartWriter, type TableColumns } from "../db/part-writer.ts";
import type { LakeAccess } from "../lake/lake-access.ts";
import { REFERENCE_TABLES, registerTable } from "./build-reference.ts";
import { parseDatedListCsv } from "./dated-list-csv.ts";

export const BORROW_TABLE = "reference/borrow_tiers";

const BORROW_COLUMNS: TableColumns = [
  ["symbol", "VARCHAR"],
  ["valid_from", "DATE"],
  ["valid_to", "DATE"],
  ["tier", "VARCHAR"],
  ["source_file", "VARCHAR"],
  ["source_sha256", "VARCHAR"],
  ["loaded_at", "TIMESTAMP"],
];

export interface BorrowInterval {
  readonly symbol: string;
  readonly validFrom: string;
  /** Last day covered; undefined = open-ended. */
  readonly validTo: string | undefined;
  readonly tier: BorrowTier;
}

function isTier(value: string): value is BorrowTier {
  return (BORROW_TIERS as readonly string[]).includes(value);
}

/**
 * Parses a borrow list: a header with `symbol`, `tier` (gc, warm or htb), `from` (YYYY-MM-DD) and optionally
 * `to` (last day, empty = open-ended), comma-separated (./dated-list-csv.ts: a bad line stops the import).
 */
export function parseBorrowCsv(text: string, file: string): BorrowInterval[] {
  const rows = parseDatedListCsv(text, file, {
    codePrefix: "borrow_csv",
    required: ["tier"],
    checkRow: (row) => {
      const tier = (row.cells["tier"] ?? "").toLowerCase();
      return isTier(tier) ? undefined : `tier "${tier}" is not one of ${BORROW_TIERS.join(", ")}`;
    },
  });
  return rows.map((row) => {
    const tier = (row.cells["tier"] ?? "").toLowerCase();
    return { symbol: row.symbol, validFrom: row.from, validTo: row.to, tier: isTier(tier) ? tier : "htb" };
  });
}

export interface BorrowImportReport {
  readonly rows: number;
  readonly symbols: number;
  readonly seq: number;
  readonly sourceSha256: string;
}

/** Imports a user's borrow list, replacing the previous one (a new broker file is the whole truth). */
export async function importBorrowTiers(lake: LakeAccess, file: string, options: { readonly now?: Date } = {}): Promise<BorrowImportReport> {
  const bytes = await readFile(file);
  const intervals = parseBorrowCsv(bytes.toString("utf8"), file);
  const sha = createHash("sha256").update(bytes).digest("hex");
  const loadedAt = (options.now ?? new Date()).toISOString();
  const duck = await DuckSession.create({ kernels: false, memoryLimit: "512MB", threads: 1 });
  const writer = new PartWriter({ session: duck, store: lake.store, commit: lake.commitOptions });
  try {
    const rows = intervals.map((row) => ({
      symbol: row.symbol,
      valid_from: row.validFrom,
      valid_to: row.validTo ?? null,
      tier: row.tier,
      source_file: path.basename(file),
      source_sha256: sha,
      loaded_at: loadedAt,
    }));
    const part = await writer.writeRows(BORROW_COLUMNS, rows, { folder: BORROW_TABLE, bounds: ["valid_from"], symbolColumn: "symbol" });
    const manifest = await writer.replaceAll(BORROW_TABLE, [part], await lake.readManifest(BORROW_TABLE));
    return { rows: rows.length, symbols: new Set(intervals.map((row) => row.symbol)).size, seq: manifest.seq, sourceSha256: sha };
  } finally {
    await writer.close();
    duck.close();
  }
}

export interface BorrowRate {
  readonly tier: BorrowTier;
  readonly bpsPerYear: number;
  readonly source: "imported" | "approximation";
}

/** Tiers by symbol and day, read once from the lake; `rateOf` is a pure lookup. */
export interface BorrowTiers {
  rateOf(symbol: string, date: string): BorrowRate;
  /** Fee of one calendar day short, per unit of position value (bps/year ÷ days_per_year ÷ 10,000). */
  dailyFee(symbol: string, date: string, calendarDays?: number): number;
  /** Manifest seqs read (the data snapshot). */
  readonly snapshot: Readonly<Record<string, number>>;
}

interface RankedMonth {
  readonly from: string;
  /** Last day (inclusive) or undefined for the latest month. */
  readonly to: string | undefined;
  readonly liquidityShare: ReadonlyMap<string, number>;
}

function approximateTier(share: number | undefined, config: BorrowConfig["approximation"]): BorrowTier {
  if (share === undefined) return config.unranked;
  if (share < config.htb_below) return "htb";
  if (share < config.warm_below) return "warm";
  return "gc";
}

/** Builds the lookup from imported intervals and ranked months (pure; `loadBorrowTiers` reads them). */
export function borrowTiersFrom(
  config: BorrowConfig,
  imported: readonly BorrowInterval[],
  months: readonly RankedMonth[],
  snapshot: Readonly<Record<string, number>> = {},
): BorrowTiers {
  const bySymbol = new Map<string, BorrowInterval[]>();
  for (const row of imported) bySymbol.set(row.symbol, [...(bySymbol.get(row.symbol) ?? []), row]);
  const sortedMonths = [...months].sort((a, b) => a.from.localeCompare(b.from));
  const rateOf = (symbol: string, date: string): BorrowRate => {
    const own = bySymbol.get(symbol)?.find((row) => row.validFrom <= date && (row.validTo === undefined || date <= row.validTo));
    if (own !== undefined) return { tier: own.tier, bpsPerYear: config.tiers[own.tier], source: "imported" };
    let month: RankedMonth | undefined;
    for (const candidate of sortedMonths) {
      if (candidate.from > date) break;
      if (candidate.to === undefined || date <= candidate.to) month = candidate;
    }
    const tier = approximateTier(month?.liquidityShare.get(symbol), config.approximation);
    return { tier, bpsPerYear: config.tiers[tier], source: "approximation" };
  };
  return {
    rateOf,
    dailyFee: (symbol, date, calendarDays = 1) => (rateOf(symbol, date).bpsPerYear / 10_000 / config.days_per_year) * calendarDays,
    snapshot,
  };
}

/** Reads the imported list and the universe's monthly ranks from the lake (each at its latest seq unless pinned). */
export async function loadBorrowTiers(lake: LakeAccess, config: BorrowConfig, seqs: Readonly<Record<string, number>> = {}): Promise<BorrowTiers> {
  const duck = await DuckSession.create({ kernels: false, memoryLimit: "512MB", threads: 1 });
  try {
    const snapshot: Record<string, number> = {};
    const bind = async (table: string, view: string, select: string, empty: string): Promise<void> => {
      const manifest = await lake.readManifest(table, seqs[table]);
      if (manifest !== undefined) snapshot[table] = manifest.seq;
      await registerTable(duck, lake, table, view, select, empty, seqs[table]);
    };
    await bind(BORROW_TABLE, "borrow_imported", "symbol, valid_from, valid_to, tier", "symbol VARCHAR, valid_from DATE, valid_to DATE, tier VARCHAR");
    await bind(REFERENCE_TABLES.universe, "borrow_universe", "rebalance_date, effective_to, symbol, adv_rank",
      "rebalance_date DATE, effective_to DATE, symbol VARCHAR, adv_rank BIGINT");
    const imported = await duck.rows<{ symbol: string; valid_from: string; valid_to: string | null; tier: string }>(
      "SELECT symbol, valid_from::VARCHAR AS valid_from, valid_to::VARCHAR AS valid_to, tier FROM borrow_imported ORDER BY symbol, valid_from",
    );
    // Liquidity share: 0 for the least liquid name of the month, (n - 1) / n for the most liquid (adv_rank 1).
    const ranked = await duck.rows<{ from_date: string; to_date: string | null; symbol: string; share: number }>(
      `SELECT rebalance_date::VARCHAR AS from_date, effective_to::VARCHAR AS to_date, symbol,
              ((count(*) OVER (PARTITION BY rebalance_date)) - adv_rank)::DOUBLE / count(*) OVER (PARTITION BY rebalance_date) AS share
       FROM borrow_universe ORDER BY rebalance_date, symbol`,
    );
    const months = new Map<string, { to: string | undefined; shares: Map<string, number> }>();
    for (const row of ranked) {
      const month = months.get(row.from_date) ?? { to: row.to_date ?? undefined, shares: new Map<string, number>() };
      month.shares.set(row.symbol, row.share);
      months.set(row.from_date, month);
    }
    return borrowTiersFrom(
      config,
      imported.map((row) => ({ symbol: row.symbol, validFrom: row.valid_from, validTo: row.valid_to ?? undefined, tier: isTier(row.tier) ? row.tier : "htb" })),
      [...months.entries()].map(([from, month]) => ({ from, to: month.to, liquidityShare: month.shares })),
      snapshot,
    );
  } finally {
    duck.close();
  }
}
