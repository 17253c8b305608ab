/**
 * A content fingerprint of a DuckDB relation, independent of row order: two relations with the same rows have the
 * same fingerprint. Pipelines that replace a whole table compare it with the committed table's (or the one they
 * recorded) and skip the commit when nothing changed, so re-running them commits nothing.
 */
import type { DuckSession } from "./session.ts";

export async function fingerprint(duck: DuckSession, relation: string): Promise<string> {
  const rows = await duck.rows<{ h: string | null }>(
    `SELECT md5(coalesce(string_agg(CAST(t AS VARCHAR), chr(10) ORDER BY CAST(t AS VARCHAR)), '')) AS h FROM ${relation} t`,
  );
  return rows[0]?.h ?? "";
}
