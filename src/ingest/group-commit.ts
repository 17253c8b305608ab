/**
 * Group commit per table: units that finish while a commit is in flight go into the next manifest together.
 * A manifest is a full snapshot, so each commit rewrites the table's file list; committing one unit at a time
 * would make a pass quadratic in its parts and keep workers waiting on the lake instead of fetching. Workers
 * hand their unit over and go back to fetching; they wait only when `maxPending` units are queued.
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

  /** Waits until everything submitted so far is committed or failed. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      const parts: PartFile[] = [];
      const written: Pending[] = [];
      // Uploads of a batch run concurrently: each create-only put waits on an fsync, and the filesystem
      // journals concurrent syncs together.
      const results = await Promise.allSettled(batch.map((item) => this.lake.writeUnitParts(item.unit)));
      results.forEach((result, i) => {
        const item = batch[i];
        if (!item) return;
        if (result.status === "fulfilled") {
          parts.push(...result.value);
          written.push(item);
        } else item.reject(result.reason);
      });
      if (written.length === 0) continue;
      try {
        const manifest = await this.lake.commit(this.table, parts, this.lease());
        this.latest = manifest;
        this.onCommit(written.length);
        for (const item of written) item.resolve(manifest);
      } catch (error) {
        for (const item of written) item.reject(error);
      }
    }
  }
}
