/**
 * A backtest run as lake tables, shared by every backtester (equities, options): `backtests/<kind>/<run_id>/<name>`
 * (docs/lake.md, "Keys"), written through the lake write path (PartWriter), one part per table. The run id is a
 * hash of what determines the run (config, input manifest seqs, code version, and any input data of its own), so
 * re-running the same inputs finds its tables committed and writes nothing. Every table carries a `run_id` column:
 * `trademl sql` shows all runs of a kind and name as one view (`backtests_<kind>_<name>`, src/analyst/lake-views.ts).
 * The input snapshot is pinned (lake/pins.ts) so the data behind the run stays readable.
 */
import { createHash } from "node:crypto";
import { DuckSession } from "../db/session.ts";
import { PartWriter, type PartSpec, type TableColumns } from "../db/part-writer.ts";
import type { PartFile } from "../lake/types.ts";
import type { LakeAccess } from "../lake/lake-access.ts";
import { pinSnapshots } from "../lake/pins.ts";

/** 16 hex digits of SHA-256 over the canonical identity (JSON) and optional raw bytes: same inputs, same id. */
export function backtestRunId(identity: unknown, bytes?: Uint8Array): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify(identity));
  if (bytes !== undefined) hash.update(bytes);
  return hash.digest("hex").slice(0, 16);
}

export function backtestTable(kind: string, runId: string, name: string): string {
  return `backtests/${kind}/${runId}/${name}`;
}

export interface RunTable {
  /** The table's last key segment, e.g. `daily`. */
  readonly name: string;
  /** Columns without `run_id` (added first). */
  readonly columns: TableColumns;
  readonly rows: readonly Readonly<Record<string, unknown>>[];
  /** Manifest facts of the part: bounds (e.g. `date`), a symbol column. */
  readonly part?: Pick<PartSpec, "bounds" | "symbolColumn" | "maxSymbols">;
}

export interface WrittenRun {
  readonly runId: string;
  /** Name → lake table. */
  readonly tables: Readonly<Record<string, string>>;
  /** False when every table already existed (the same inputs were backtested before). */
  readonly written: boolean;
}

/**
 * Writes a run's tables. Every part is written before any commit, and the tables are committed in the order given:
 * a run whose last table exists is complete, and a run interrupted between commits is completed by the next
 * attempt, which commits only the tables still missing (their content is a function of the run id's inputs).
 */
export async function writeRunTables(
  lake: LakeAccess,
  kind: string,
  runId: string,
  tables: readonly RunTable[],
  snapshot: Readonly<Record<string, number>>,
): Promise<WrittenRun> {
  const names = Object.fromEntries(tables.map((t) => [t.name, backtestTable(kind, runId, t.name)]));
  const missing: RunTable[] = [];
  for (const table of tables) if ((await lake.readManifest(backtestTable(kind, runId, table.name))) === undefined) missing.push(table);
  if (missing.length === 0) return { runId, tables: names, written: false };
  if (Object.keys(snapshot).length > 0) {
    await pinSnapshots(lake.store, { kind: "backtest", id: `${kind}-${runId}`, tables: snapshot, note: `${kind} backtest ${runId}` });
  }
  const duck = await DuckSession.create({ kernels: false, memoryLimit: "512MB", threads: 1 });
  const writer = new PartWriter({ session: duck, store: lake.store, commit: lake.commitOptions });
  try {
    const parts: { folder: string; part: PartFile }[] = [];
    for (const table of missing) {
      const folder = backtestTable(kind, runId, table.name);
      const part = await writer.writeRows(
        [["run_id", "VARCHAR"], ...table.columns],
        table.rows.map((row) => ({ run_id: runId, ...row })),
        { ...table.part, folder },
      );
      parts.push({ folder, part });
    }
    for (const { folder, part } of parts) {
      if ((await lake.readManifest(folder)) === undefined) await writer.append(folder, [part]);
    }
    return { runId, tables: names, written: true };
  } finally {
    await writer.close();
    duck.close();
  }
}
