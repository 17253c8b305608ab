/**
 * Group commit per table: units that finish while a commit is in flight go into the next manifest together.
 * A manifest is a full snapshot, so each commit rewrites the table's file list; committing one unit at a time
 * would make a pass quadratic in its parts and keep workers waiting on the lake instead of fetching. Workers
 * hand their unit over and go back to fetching; they wait only when `maxPending` units are queued.
 *
 * Units of a batch that asked for the same date range (the same day of minute bars for several symbols, the same
 * 30-day chunk of several series) are written as one part per folder, listing all their series: coverage is
 * per part (its series × its unit range), so this claims exactly what the units claimed. Writing each unit's
 * own parts serialised every unit through one DuckDB connection; at ×12 time compression that writer fell
 * behind the fetches and held the workers in back-pressure for about 40 % of the pass (measured on the build box).
 */
import type { LeaseHandle, Manifest, PartFile } from "../lake/types.ts";
import type { IngestLake, UnitCommit } from "./ingest-lake.ts";

interface Pending {
  readonly unit: UnitCommit;
  readonly resolve: (manifest: Manifest) => void;
  readonly reject: (error: unknown) => void;
}

export class TableCommitter {
  private readonly lake: IngestLake;
  private readonly table: string;
  private readonly lease: () => LeaseHandle | undefined;
  private readonly queue: Pending[] = [];
  private running: Promise<void> | undefined;
  private latest: Manifest | undefined;
  /** Workers waiting for the queue to be taken into a batch (back-pressure). */
  private roomWaiters: (() => void)[] = [];
  readonly maxPending: number;

  /** Called after each commit with how many units it carried (the usage file's `merges` = units − 1). */
  private readonly onCommit: (units: number) => void;

  constructor(lake: IngestLake, table: string, lease: () => LeaseHandle | undefined, options: { maxPending?: number; onCommit?: (units: number) => void } = {}) {
    this.lake = lake;
    this.table = table;
    this.lease = lease;
    this.maxPending = options.maxPending ?? 16;
    this.onCommit = options.onCommit ?? (() => undefined);
  }

  get pending(): number {
    return this.queue.length;
  }

  /** The newest manifest this committer produced. */
  get manifest(): Manifest | undefined {
    return this.latest;
  }

  /** Queues a unit; the promise settles when the commit that holds it lands (or fails). */
  submit(unit: UnitCommit): Promise<Manifest> {
    const done = new Promise<Manifest>((resolve, reject) => this.queue.push({ unit, resolve, reject }));
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
    return done;
  }

  /**
   * Back-pressure: resolves once the queued units have been taken into a batch. A worker that waits here is held
   * until its unit is being written, not until its whole batch is committed: the writes, not the commits, are
   * what the queue must not outrun.
   */
  room(): Promise<void> {
    if (this.queue.length < this.maxPending) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** Waits until everything submitted so far is committed or failed. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      for (const wake of this.roomWaiters.splice(0)) wake();
      const parts: PartFile[] = [];
      const written: Pending[] = [];
      // Uploads of a batch run concurrently: each create-only put waits on an fsync, and the filesystem
      // journals concurrent syncs together.
      const groups = sameRange(batch);
      const results = await Promise.allSettled(groups.map((group) => this.lake.writeUnitParts(merged(group))));
      results.forEach((result, i) => {
        const group = groups[i] ?? [];
        if (result.status === "fulfilled") {
          parts.push(...result.value);
          written.push(...group);
        } else for (const item of group) item.reject(result.reason);
      });
      if (written.length === 0) continue;
      try {
        const remove = [...new Set(written.flatMap((item) => item.unit.supersedes ?? []))];
        const manifest = await this.lake.commit(this.table, parts, this.lease(), remove);
        this.latest = manifest;
        this.onCommit(written.length);
        for (const item of written) item.resolve(manifest);
      } catch (error) {
        for (const item of written) item.reject(error);
      }
    }
  }
}

/** Units with the same table, range and cursor, in submission order (cursor listings are never merged). */
function sameRange(batch: readonly Pending[]): Pending[][] {
  const groups = new Map<string, Pending[]>();
  batch.forEach((item, i) => {
    const u = item.unit;
    const key = u.cursorNext === undefined ? `${u.table}|${u.unitStart}|${u.unitEnd}` : `cursor|${i}`;
    (groups.get(key) ?? groups.set(key, []).get(key) ?? []).push(item);
  });
  return [...groups.values()];
}

/** One unit covering every series of the group, with all their records. */
function merged(group: readonly Pending[]): UnitCommit {
  const [first, ...rest] = group.map((item) => item.unit);
  if (first === undefined) throw new Error("an empty commit group");
  if (rest.length === 0) return first;
  const all = [first, ...rest];
  return { ...first, series: [...new Set(all.flatMap((u) => u.series))], records: all.flatMap((u) => u.records) };
}
