/**
 * The collector's DuckDB: one session of the shared session type (src/db/session.ts), opened on first use and
 * kept small (one thread, 256 MB: the Pi collects while it curates), with the lake's part writer over it
 * (src/db/part-writer.ts). Units' parts are written through that writer; the Polygon QC and the ADV ranking
 * query local Parquet files on the same session, in turn with the writes.
 */
import { DuckSession } from "../db/session.ts";
import { PartWriter } from "../db/part-writer.ts";
import type { ObjectStore } from "../lake/types.ts";

/** DuckDB resources of the collector's session. */
const COLLECTOR_SESSION = { threads: 1, memoryLimit: "256MB", kernels: false } as const;

export class ParquetWriter {
  private readonly store: ObjectStore;
  private opened: Promise<PartWriter> | undefined;

  constructor(store: ObjectStore) {
    this.store = store;
  }

  /** The part writer of this collector (opens the session on first use). */
  parts(): Promise<PartWriter> {
    this.opened ??= DuckSession.create(COLLECTOR_SESSION).then((session) => new PartWriter({ session, store: this.store }));
    const opened = this.opened;
    // A failed open is not cached: the next unit tries again.
    opened.catch(() => {
      if (this.opened === opened) this.opened = undefined;
    });
    return opened;
  }

  /** Runs a query on the collector's session (QC and ADV over local part files). */
  async query(sql: string): Promise<Record<string, unknown>[]> {
    const writer = await this.parts();
    return writer.exclusive((session) => session.rowsJs(sql));
  }

  async close(): Promise<void> {
    const opened = this.opened;
    this.opened = undefined;
    if (opened === undefined) return;
    const writer = await opened.catch(() => undefined);
    if (writer === undefined) return;
    await writer.close();
    writer.session.close();
  }
}
