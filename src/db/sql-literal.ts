/**
 * SQL literal quoting for DuckDB, the one place paths, keys and names are turned into SQL text. DuckDB follows
 * the SQL standard here (DuckDB docs, "Literal Types" / "Keywords and Identifiers"): a single quote inside a
 * string literal is written twice, a double quote inside a quoted identifier is written twice.
 */

/** A SQL string literal. Paths and keys always pass through here, never raw interpolation. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A quoted SQL identifier. */
export function sqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A DuckDB list literal of strings, e.g. for `read_parquet([...])`. */
export function sqlList(values: readonly string[]): string {
  return `[${values.map(sqlString).join(", ")}]`;
}
