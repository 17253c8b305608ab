/**
 * The options tables' commit rule: one part per session under `<table>/date=YYYY-MM-DD/`, and re-curating a
 * session replaces its earlier part (a session re-curated when a vendor's chain for it arrives late is rewritten
 * whole), in one commit per table.
 */
import type { PartWriter, TableColumns } from "../db/part-writer.ts";
import type { LakeAccess } from "../lake/lake-access.ts";
import type { PartFile } from "../lake/types.ts";
import { sessionFolder } from "./options-tables.ts";

/** Writes each date's part (`write` returns undefined when the date has no rows), drops the dates' earlier parts;
 * returns the commit's seq, or undefined when there was nothing to add or remove. */
export async function replaceSessionParts(
  lake: LakeAccess, parts: PartWriter, table: string, dates: readonly string[], write: (date: string) => Promise<PartFile | undefined>,
): Promise<number | undefined> {
  const add: PartFile[] = [];
  for (const date of dates) {
    const part = await write(date);
    if (part !== undefined) add.push(part);
  }
  const previous = await lake.readManifest(table);
  const remove = (previous?.files ?? []).filter((f) => dates.some((d) => f.key.startsWith(`${sessionFolder(table, d)}/`))).map((f) => f.key);
  if (add.length === 0 && remove.length === 0) return undefined;
  return (await parts.commit(table, remove.length === 0 ? { kind: "append", add } : { kind: "replace", add, remove })).seq;
}

/** A `write` for replaceSessionParts from in-memory rows: each date's rows as one part (none when it has none). */
export function sessionRowsWriter(
  parts: PartWriter, table: string, columns: TableColumns, rows: readonly ({ readonly date: string } & Readonly<Record<string, unknown>>)[],
): (date: string) => Promise<PartFile | undefined> {
  return async (date) => {
    const mine = rows.filter((r) => r.date === date);
    return mine.length === 0 ? undefined : parts.writeRows(columns, mine, { folder: sessionFolder(table, date), symbolColumn: "underlying" });
  };
}
