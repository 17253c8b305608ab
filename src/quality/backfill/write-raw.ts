/**
 * Backfill's raw writes: fetched rows become the raw table's records (src/db/raw-tables.ts, the collector's own
 * mapping), are written through the one write path as parts of the table's partition layout, recording the
 * task's range and symbols (`PartFile.unit`, so the collector does not ask for it again), and committed in one
 * append. Parts are uploaded create-only before the commit, so a crash leaves at most orphaned parts (collected
 * by `lake gc`), never a half-visible batch.
 */
import type { PartWriter } from "../../db/part-writer.ts";
import { writeRawParts, type RawUnit } from "../../db/raw-parts.ts";
import { actionRecord, barRecord, type RawDataset } from "../../db/raw-tables.ts";
import type { LeaseHandle, Manifest, PartFile } from "../../lake/types.ts";
import type { CorporateActionRow, EquityBarRow } from "../../vendors/rows.ts";

export interface WrittenRows {
  readonly parts: readonly PartFile[];
  readonly manifest: Manifest | undefined;
}

interface WriteArgs {
  readonly lakeTable: string;
  /** The range and symbols the task asked for. */
  readonly unit: RawUnit;
  readonly lease?: LeaseHandle;
  readonly writer?: string;
}

async function writeAndCommit(parts: PartWriter, args: WriteArgs & { dataset: RawDataset; records: readonly Record<string, unknown>[] }): Promise<WrittenRows> {
  if (args.records.length === 0) return { parts: [], manifest: undefined };
  const written = await writeRawParts(parts, { table: args.lakeTable, dataset: args.dataset, records: args.records, unit: args.unit });
  // The lease is checked, not written as the commit's epoch: raw tables are also appended to by the edge
  // collector under its own lease, whose epochs are an independent counter (see RunAuditOptions.lease).
  args.lease?.assertHeld();
  const manifest = await parts.append(args.lakeTable, written, args.writer === undefined ? {} : { writer: args.writer });
  return { parts: written, manifest };
}

/** Writes and commits bars (already validated by the connector) of a daily or minute table. No rows → no commit. */
export function writeRawBars(parts: PartWriter, args: WriteArgs & { rows: readonly EquityBarRow[]; granularity: "daily" | "minute" }): Promise<WrittenRows> {
  return writeAndCommit(parts, { ...args, dataset: args.granularity === "daily" ? "equities_bars" : "equities_minute", records: args.rows.map(barRecord) });
}

/** Writes and commits corporate actions. No rows → no commit. */
export function writeRawActions(parts: PartWriter, args: WriteArgs & { rows: readonly CorporateActionRow[] }): Promise<WrittenRows> {
  return writeAndCommit(parts, { ...args, dataset: "corporate_actions", records: args.rows.map(actionRecord) });
}
