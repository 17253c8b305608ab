/**
 * Compaction: many small parts of a table rewritten as one, committed as a content-preserving `compact` commit
 * (the same rows before and after; the commit is refused otherwise, src/lake/manifest.ts). Readers at the new
 * seq open fewer files; a step that pinned an older seq still finds the old parts, which stay in the lake until
 * no retained manifest lists them (`lake gc` honours the retention rule, configs/node.yml `lake.retention`).
 *
 * Only parts that describe the same thing merge: by default parts in the same folder with the same `unit` (a
 * collected raw part's range), so a compacted raw part still tells the collector exactly which range and
 * series it answers for.
 */
import { dirname, join } from "node:path";
import { tmpdir } from "node:os";
import { DataError } from "../domain/errors.ts";
import { readManifest } from "../lake/manifest.ts";
import { ReadCache } from "../lake/read-cache.ts";
import type { CommitOptions, Manifest, PartFile, StatValue } from "../lake/types.ts";
import type { PartFacts, PartWriter } from "./part-writer.ts";
import { sqlList } from "./sql-literal.ts";

export interface CompactOptions {
  /** Parts with the same group merge; undefined leaves a part alone. Default: same folder and same `unit`. */
  readonly groupOf?: (part: PartFile) => string | undefined;
  /** Parts with at least this many rows are left alone (default 1,000,000). */
  readonly smallRows?: number;
  /** A group is compacted once it holds this many small parts (default 4). */
  readonly minParts?: number;
  /** ORDER BY of the rewritten part, e.g. "symbol, bar_time" (default: the parts' rows in manifest order). */
  readonly order?: string;
  /** Where S3 parts are materialised for DuckDB (default a folder under the OS temp folder). */
  readonly cache?: ReadCache;
  readonly commit?: CommitOptions;
}

export interface CompactResult {
  /** The compact commit; undefined when nothing was merged. */
  readonly manifest: Manifest | undefined;
  readonly groups: number;
  readonly partsRemoved: number;
  readonly partsAdded: number;
  /** The parts written, one per group. */
  readonly added: readonly PartFile[];
}

/** The default group of a part: its folder and its collection range (`unit`), so a merged raw part claims what its inputs did. */
export function defaultCompactGroup(part: PartFile): string {
  return `${dirname(part.key)}|${part.unit === undefined ? "" : JSON.stringify(part.unit)}`;
}

/** The wider of two bounds, or undefined when they cannot be compared (null, or values of different types). */
function wider(side: "min" | "max", a: StatValue, b: StatValue): StatValue | undefined {
  if (typeof a === "number" && typeof b === "number") return side === "min" ? Math.min(a, b) : Math.max(a, b);
  if (typeof a === "string" && typeof b === "string") return (side === "min" ? b < a : b > a) ? b : a;
  return undefined;
}

/** The merged part's facts from its inputs': rows summed, bounds widened, symbols united (never read back). */
export function mergedFacts(parts: readonly PartFile[]): PartFacts {
  const bound = (side: "min" | "max"): Record<string, StatValue> | undefined => {
    const first = parts[0]?.[side];
    if (first === undefined) return undefined;
    const out: Record<string, StatValue> = {};
    for (const [column, value] of Object.entries(first)) {
      let merged: StatValue | undefined = value;
      for (const part of parts) {
        const other = part[side]?.[column];
        merged = merged === undefined || other === undefined ? undefined : wider(side, merged, other);
      }
      if (merged !== undefined) out[column] = merged;
    }
    return out;
  };
  const everyHasSymbols = parts.every((part) => part.symbols !== undefined);
  const min = bound("min");
  const max = bound("max");
  return {
    rows: parts.reduce((n, part) => n + part.rows, 0),
    ...(min === undefined ? {} : { min }),
    ...(max === undefined ? {} : { max }),
    ...(everyHasSymbols ? { symbols: [...new Set(parts.flatMap((part) => part.symbols ?? []))].sort() } : {}),
  };
}

/**
 * Rewrites each group's small parts of `table` into one part (in the group's folder) and commits the swap as one
 * `compact` commit. Nothing to merge: no commit.
 */
export async function compactTable(writer: PartWriter, table: string, options: CompactOptions = {}): Promise<CompactResult> {
  const manifest = await readManifest(writer.store, table);
  if (manifest === undefined) return { manifest: undefined, groups: 0, partsRemoved: 0, partsAdded: 0, added: [] };
  const smallRows = options.smallRows ?? 1_000_000;
  const minParts = Math.max(2, options.minParts ?? 4);
  const groupOf = options.groupOf ?? defaultCompactGroup;
  const groups = new Map<string, PartFile[]>();
  for (const part of manifest.files) {
    if (part.rows >= smallRows) continue;
    const group = groupOf(part);
    if (group === undefined) continue;
    groups.set(group, [...(groups.get(group) ?? []), part]);
  }
  const chosen = [...groups.values()].filter((parts) => parts.length >= minParts);
  if (chosen.length === 0) return { manifest: undefined, groups: 0, partsRemoved: 0, partsAdded: 0, added: [] };
  const cache = options.cache ?? new ReadCache({ dir: join(tmpdir(), "trademl-compact-cache") });
  const added: PartFile[] = [];
  const removed: string[] = [];
  for (const parts of chosen) {
    const paths = await cache.materialize(writer.store, parts, { table });
    const source = `read_parquet(${sqlList(paths)}, union_by_name = true, hive_partitioning = false)`;
    const facts = mergedFacts(parts);
    const counted = await writer.exclusive((session) => session.rows<{ n: number }>(`SELECT count(*)::DOUBLE AS n FROM ${source}`));
    if ((counted[0]?.n ?? -1) !== facts.rows) {
      throw new DataError("compact_mismatch", `compacting ${table}: the parts hold ${counted[0]?.n} rows but the manifest lists ${facts.rows}`, { details: { table } });
    }
    const first = parts[0];
    added.push(
      await writer.writeQuery(`SELECT * FROM ${source}${options.order === undefined ? "" : ` ORDER BY ${options.order}`}`, {
        folder: dirname(first?.key ?? table),
        facts,
        ...(first?.unit === undefined ? {} : { unit: first.unit }),
      }),
    );
    removed.push(...parts.map((part) => part.key));
  }
  const committed = await writer.commit(table, { kind: "replace", operation: "compact", add: added, remove: removed }, options.commit ?? {});
  return { manifest: committed, groups: chosen.length, partsRemoved: removed.length, partsAdded: added.length, added };
}
