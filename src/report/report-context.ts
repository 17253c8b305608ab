/**
 * What every section of the daily report reads through: the lake (manifests, state objects, parts as DuckDB
 * views), the report's day, the configuration when the caller has one, and an MLflow client when one is
 * configured. It records the manifest seq of every table a section read, so the report can say what it was built
 * from (and the DAG can skip a report whose inputs did not change).
 */
import type { TrademlConfig } from "../config/index.ts";
import { sqlIdentifier, sqlList, type DuckSession } from "../db/session.ts";
import type { LakeAccess } from "../lake/lake-access.ts";
import type { Manifest, ObjectStore, PartFile } from "../lake/types.ts";
import type { MlflowClient } from "../mlflow/client.ts";

export class ReportContext {
  readonly store: ObjectStore;
  readonly lake: LakeAccess;
  readonly duck: DuckSession;
  /** The report's UTC day, YYYY-MM-DD. */
  readonly date: string;
  readonly config: TrademlConfig | undefined;
  readonly mlflow: MlflowClient | undefined;
  readonly signal: AbortSignal | undefined;
  private readonly seqs = new Map<string, number>();

  constructor(args: {
    store: ObjectStore;
    lake: LakeAccess;
    duck: DuckSession;
    date: string;
    config: TrademlConfig | undefined;
    mlflow: MlflowClient | undefined;
    signal: AbortSignal | undefined;
  }) {
    this.store = args.store;
    this.lake = args.lake;
    this.duck = args.duck;
    this.date = args.date;
    this.config = args.config;
    this.mlflow = args.mlflow;
    this.signal = args.signal;
  }

  /** Table → manifest seq, for every table read so far. */
  inputs(): Record<string, number> {
    return Object.fromEntries([...this.seqs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /** Records that `manifest` was read (the highest seq read of a table wins). */
  noteRead(manifest: Manifest | undefined): void {
    if (manifest === undefined) return;
    this.seqs.set(manifest.table, Math.max(this.seqs.get(manifest.table) ?? 0, manifest.seq));
  }

  /** The table's latest manifest, or undefined when it has none; recorded as an input. */
  async manifest(table: string): Promise<Manifest | undefined> {
    const manifest = await this.lake.readManifest(table);
    this.noteRead(manifest);
    return manifest;
  }

  /**
   * A DuckDB view `name` over `parts` of `table` (every read checked against its manifest entry by the read
   * cache). False when there are no parts: the caller says "no data yet" instead of querying an empty list.
   */
  async view(name: string, table: string, parts: readonly PartFile[]): Promise<boolean> {
    if (parts.length === 0) return false;
    const paths = await this.lake.localPaths(parts, table);
    // hive_partitioning off: the folder names (date=…, symbol=…) repeat columns the parts already hold.
    await this.duck.run(`CREATE OR REPLACE TEMP VIEW ${sqlIdentifier(name)} AS SELECT * FROM read_parquet(${sqlList(paths)}, union_by_name = true, hive_partitioning = false)`);
    return true;
  }

  /** A view over the table's latest snapshot; false when the table has no data yet. */
  async tableView(name: string, table: string): Promise<{ manifest: Manifest } | undefined> {
    const manifest = await this.manifest(table);
    if (manifest === undefined || !(await this.view(name, table, manifest.files))) return undefined;
    return { manifest };
  }

  /** The column names of a view (to tell a table of another shape from one without data). */
  async columns(view: string): Promise<Set<string>> {
    const rows = await this.duck.rows<{ column_name: string }>(`DESCRIBE SELECT * FROM ${sqlIdentifier(view)}`);
    return new Set(rows.map((row) => row.column_name));
  }
}
