/**
 * Loads `sql/<dir>/<name>.sql` by name ("curate/dedupe" → sql/curate/dedupe.sql). One purpose per file, named
 * in snake_case (DESIGN.md "Layers"). Names are validated so a name can never reach outside sql/.
 */
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DataError, UsageError } from "../domain/errors.ts";

const NAME = /^[a-z0-9_]+(\/[a-z0-9_]+)+$/;
const cache = new Map<string, Promise<string>>();

/** The project's sql/ folder (src/db/ → ../../sql; dist/db/ → ../../sql likewise). */
export function defaultSqlRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "sql");
}

export function loadSqlFile(name: string, root: string = defaultSqlRoot()): Promise<string> {
  if (!NAME.test(name)) {
    throw new UsageError("invalid_sql_name", `SQL file name "${name}" must look like "<dir>/<name>" in snake_case (e.g. "curate/dedupe")`);
  }
  const path = join(root, ...name.split("/")) + ".sql";
  let text = cache.get(path);
  if (text === undefined) {
    text = readFile(path, "utf8").catch((cause: unknown) => {
      cache.delete(path);
      throw new DataError("sql_file_missing", `SQL file "${name}" not found at ${path}`, { cause });
    });
    cache.set(path, text);
  }
  return text;
}
