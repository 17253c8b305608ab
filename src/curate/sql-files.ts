/**
 * Loads the SQL files under `sql/` by name (`curate/merge_bars`), one purpose per file, cached after the
 * first read. The files ship with the package, so they resolve relative to this module, not the cwd.
 */
import { readFile } from "node:fs/promises";
import { UsageError } from "../domain/errors.ts";

const SQL_ROOT = new URL("../../sql/", import.meta.url);
const cache = new Map<string, string>();

export async function loadSql(name: string): Promise<string> {
  if (!/^[a-z_]+\/[a-z0-9_]+$/.test(name)) throw new UsageError("bad_sql_name", `SQL file names are folder/snake_case, got "${name}"`);
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  const text = await readFile(new URL(`${name}.sql`, SQL_ROOT), "utf8");
  cache.set(name, text);
  return text;
}
