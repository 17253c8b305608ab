/**
 * Official reference lists a user imports (`trademl reference import FILE --kind index|tick-pilot`) to replace the
 * free approximations of reference data (docs/querying.md, "Reference data"):
 *  - `index`: index constituents (`index_name,symbol,from[,to][,replaces]`), committed to
 *    `reference/index_constituents`. The reference build then takes an official index's members instead of the
 *    liquidity proxy it replaces (default `large_cap_proxy`) on the dates the list covers, so the datasets'
 *    `universe` (which names the proxy) gets the official members with no configuration change.
 *  - `tick-pilot`: the SEC Tick Size Pilot's groups (`symbol,group,from[,to]`, group C, G1, G2 or G3),
 *    committed to `reference/tick_pilot`; the reference build flags a symbol's sessions in its group and gives
 *    the test groups their $0.05 quoting increment (Regulation NMS Plan to Implement a Tick Size Pilot Program,
 *    2016–2018), which the price-based rules alone cannot know.
 * Each list is the whole truth: an import replaces the previous one, with its provenance (file name, SHA-256,
 * load time) on every row. The file is parsed completely before anything is written, and the one commit is
 * atomic, so a bad file leaves the lake as it was. Readers find the lists through their manifests.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { DuckSession } from "../db/session.ts";
import { PartWriter, type TableColumns } from "../db/part-writer.ts";
import { IoError, UsageError } from "../domain/errors.ts";
import type { LakeAccess } from "../lake/lake-access.ts";
import { parseDatedListCsv } from "./dated-list-csv.ts";

export const OFFICIAL_TABLES = {
  indexConstituents: "reference/index_constituents",
  tickPilot: "reference/tick_pilot",
} as const;

export type OfficialListKind = "index" | "tick-pilot";

/** The liquidity proxy an official index list replaces when neither its rows nor the import name one. */
export const DEFAULT_REPLACED_PROXY = "large_cap_proxy";

/** The proxies sql/reference/universe.sql builds; an official list may replace one of them. */
const PROXIES = ["large_cap_proxy", "small_cap_proxy"] as const;

/** Tick Size Pilot groups: C (control, $0.01) and the test groups G1–G3 (quoted in $0.05). */
export const TICK_PILOT_GROUPS = ["C", "G1", "G2", "G3"] as const;

const PROVENANCE: TableColumns = [
  ["source_file", "VARCHAR"],
  ["source_sha256", "VARCHAR"],
  ["loaded_at", "TIMESTAMP"],
];

const INDEX_COLUMNS: TableColumns = [
  ["index_name", "VARCHAR"],
  ["replaces", "VARCHAR"],
  ["symbol", "VARCHAR"],
  ["effective_from", "DATE"],
  ["effective_to", "DATE"],
  ...PROVENANCE,
];

const TICK_PILOT_COLUMNS: TableColumns = [
  ["symbol", "VARCHAR"],
  ["pilot_group", "VARCHAR"],
  ["valid_from", "DATE"],
  ["valid_to", "DATE"],
  ...PROVENANCE,
];

type Row = Record<string, string | null>;

/** Index constituents: one row per member and date range; `replaces` per row, else the import's. */
export function parseIndexCsv(text: string, file: string, replaces: string = DEFAULT_REPLACED_PROXY): Row[] {
  const proxyProblem = (proxy: string): string | undefined =>
    proxy === "none" || (PROXIES as readonly string[]).includes(proxy) ? undefined : `replaces "${proxy}" is not one of ${[...PROXIES, "none"].join(", ")}`;
  const importProblem = proxyProblem(replaces);
  if (importProblem !== undefined) throw new UsageError("reference_import_option", `--replaces: ${importProblem}`);
  const rows = parseDatedListCsv(text, file, {
    codePrefix: "index_csv",
    required: ["index_name"],
    optional: ["replaces"],
    checkRow: (row) => {
      const name = row.cells["index_name"] ?? "";
      if (!/^[a-z][a-z0-9_]*$/.test(name)) return `index_name "${name}" must be snake_case (letters, digits, _), as training configs name it in dataset.universe`;
      if ((PROXIES as readonly string[]).includes(name)) return `index_name "${name}" is a liquidity proxy's name; give the official index its own name and replace the proxy with replaces`;
      const own = row.cells["replaces"] ?? "";
      return own === "" ? undefined : proxyProblem(own);
    },
    overlapKey: (row) => `${row.cells["index_name"] ?? ""}/${row.symbol}`,
  });
  return rows.map((row) => {
    const proxy = (row.cells["replaces"] ?? "") === "" ? replaces : (row.cells["replaces"] ?? "");
    return {
      index_name: row.cells["index_name"] ?? "",
      replaces: proxy === "none" ? null : proxy,
      symbol: row.symbol,
      effective_from: row.from,
      effective_to: row.to ?? null,
    };
  });
}

/** Tick Size Pilot groups: one row per symbol and date range. */
export function parseTickPilotCsv(text: string, file: string): Row[] {
  const rows = parseDatedListCsv(text, file, {
    codePrefix: "tick_pilot_csv",
    required: ["group"],
    checkRow: (row) => {
      const group = (row.cells["group"] ?? "").toUpperCase();
      return (TICK_PILOT_GROUPS as readonly string[]).includes(group) ? undefined : `group "${group}" is not one of ${TICK_PILOT_GROUPS.join(", ")}`;
    },
  });
  return rows.map((row) => ({ symbol: row.symbol, pilot_group: (row.cells["group"] ?? "").toUpperCase(), valid_from: row.from, valid_to: row.to ?? null }));
}

export interface OfficialImportReport {
  readonly kind: OfficialListKind;
  readonly table: string;
  readonly rows: number;
  readonly symbols: number;
  readonly seq: number;
  readonly sourceFile: string;
  readonly sourceSha256: string;
  readonly loadedAt: string;
}

export interface OfficialImportOptions {
  readonly kind: OfficialListKind;
  /** index: the proxy rows without their own `replaces` replace (a proxy name or `none`). */
  readonly replaces?: string;
  readonly now?: Date;
}

/** Imports a user's official list, replacing the previous one of its kind. */
export async function importOfficialList(lake: LakeAccess, file: string, options: OfficialImportOptions): Promise<OfficialImportReport> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new IoError("reference_import_read", `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const text = bytes.toString("utf8");
  const parsed = options.kind === "index" ? parseIndexCsv(text, file, options.replaces) : parseTickPilotCsv(text, file);
  const table = options.kind === "index" ? OFFICIAL_TABLES.indexConstituents : OFFICIAL_TABLES.tickPilot;
  const columns = options.kind === "index" ? INDEX_COLUMNS : TICK_PILOT_COLUMNS;
  const sourceFile = path.basename(file);
  const sourceSha256 = createHash("sha256").update(bytes).digest("hex");
  const loadedAt = (options.now ?? new Date()).toISOString();
  const rows = parsed.map((row) => ({ ...row, source_file: sourceFile, source_sha256: sourceSha256, loaded_at: loadedAt }));
  const duck = await DuckSession.create({ kernels: false, memoryLimit: "512MB", threads: 1 });
  const writer = new PartWriter({ session: duck, store: lake.store, commit: lake.commitOptions });
  try {
    const bounds = options.kind === "index" ? ["effective_from"] : ["valid_from"];
    const part = await writer.writeRows(columns, rows, { folder: table, bounds, symbolColumn: "symbol" });
    const manifest = await writer.replaceAll(table, [part], await lake.readManifest(table));
    return {
      kind: options.kind, table, rows: rows.length, symbols: new Set(parsed.map((row) => row.symbol)).size, seq: manifest.seq,
      sourceFile, sourceSha256, loadedAt,
    };
  } finally {
    await writer.close();
    duck.close();
  }
}
