/**
 * The read-only guard of `trademl sql`: which statements an analyst may run, decided by DuckDB's own parser
 * (the prepared statement's type), never by matching the SQL text.
 *
 * Allowed: queries, and DDL/DML whose effect stays in the session's in-memory catalog (temp tables, views,
 * macros, INSERT into them, transactions). Refused: everything that writes files or reaches outside the lake's
 * views (COPY, EXPORT, ATTACH/DETACH, INSTALL/LOAD, extension updates), changes settings (SET/RESET/USE, PRAGMA),
 * or hides a statement from this check (PREPARE/EXECUTE, CALL). Two holes are closed by looking one level deeper:
 * - EXPLAIN ANALYZE executes the statement it explains (an `EXPLAIN ANALYZE COPY … TO '<part>'` overwrote a
 *   committed part), so the explained statement is parsed and checked like any other;
 * - a few table functions change the session from inside a SELECT (`enable_logging` ignores
 *   lock_configuration) or run SQL text this guard cannot see (`query`); a SELECT is serialised by DuckDB
 *   (`json_serialize_sql`) and refused when it calls one of them. This one is best effort: DuckDB cannot serialise
 *   every SELECT (`PRAGMA version`, a PIVOT with computed columns, a call hidden in a view), and what slips
 *   through can only upset the analyst's own session, since the file sandbox still holds.
 * The guard is the first wall; the second is the session's file sandbox (session.ts): external access off, only
 * the views' part files allowed, configuration locked.
 */
import { StatementType, type DuckDBConnection } from "@duckdb/node-api";
import { UsageError } from "../domain/errors.ts";
import { sqlString } from "../db/session.ts";

export const UNRESTRICTED_FLAG = "--unsafe-unrestricted";

/** Statement types whose effect stays inside the session. */
const ALLOWED: ReadonlySet<StatementType> = new Set([
  StatementType.SELECT,
  StatementType.INSERT,
  StatementType.UPDATE,
  StatementType.DELETE,
  StatementType.MERGE_INTO,
  StatementType.CREATE,
  StatementType.ALTER,
  StatementType.DROP,
  StatementType.TRANSACTION,
  StatementType.EXPLAIN,
]);

/** How the refusal names a statement type (LOAD covers INSTALL; SET covers RESET and USE). */
const LABELS: Partial<Record<StatementType, string>> = {
  [StatementType.COPY]: "COPY",
  [StatementType.COPY_DATABASE]: "COPY FROM DATABASE",
  [StatementType.EXPORT]: "EXPORT",
  [StatementType.ATTACH]: "ATTACH",
  [StatementType.DETACH]: "DETACH",
  [StatementType.LOAD]: "INSTALL/LOAD",
  [StatementType.EXTENSION]: "extension",
  [StatementType.UPDATE_EXTENSIONS]: "UPDATE EXTENSIONS",
  [StatementType.SET]: "SET/RESET/USE",
  [StatementType.VARIABLE_SET]: "SET",
  [StatementType.PRAGMA]: "PRAGMA",
  [StatementType.PREPARE]: "PREPARE",
  [StatementType.EXECUTE]: "EXECUTE",
  [StatementType.CALL]: "CALL",
  [StatementType.VACUUM]: "VACUUM/ANALYZE",
};

/** Table functions that change the session from inside a SELECT, or run SQL text the guard cannot see. */
const SESSION_CHANGING_FUNCTIONS: ReadonlySet<string> = new Set([
  "enable_logging",
  "disable_logging",
  "truncate_duckdb_logs",
  "enable_profiling",
  "disable_profiling",
  "enable_peg_parser",
  "disable_peg_parser",
  "query",
  "query_table",
  "json_execute_serialized_sql",
]);

const WHY = "trademl sql is read-only: it may not write files, read outside the lake's views, attach databases, load extensions or change settings";

function refused(what: string): UsageError {
  return new UsageError("statement_refused", `${what} is refused: ${WHY}. Rerun with ${UNRESTRICTED_FLAG} to allow it`, { details: { statement: what } });
}

function typeLabel(type: StatementType): string {
  return LABELS[type] ?? `a ${String(StatementType[type] ?? type)} statement`;
}

/** Comments and whitespace before the first keyword. */
function skipLeadingComments(text: string): string {
  let rest = text.trimStart();
  for (;;) {
    if (rest.startsWith("--")) {
      const end = rest.indexOf("\n");
      rest = end === -1 ? "" : rest.slice(end + 1).trimStart();
    } else if (rest.startsWith("/*")) {
      const end = rest.indexOf("*/");
      rest = end === -1 ? "" : rest.slice(end + 2).trimStart();
    } else {
      return rest;
    }
  }
}

/**
 * The statement an EXPLAIN wraps: the text after `EXPLAIN`, `ANALYZE` and option lists such as `(FORMAT json)`.
 * Only the keywords are stripped here; what remains is parsed by DuckDB and checked by type. Undefined when the
 * text does not start that way (the caller then refuses: fail closed).
 */
function explainedText(text: string): string | undefined {
  const match = /^explain(?:\s+analy[sz]e\b|\s*\([^)]*\))*\s+/i.exec(skipLeadingComments(text));
  return match === null ? undefined : skipLeadingComments(text).slice(match[0].length);
}

/** Every `function_name` in DuckDB's JSON parse tree of a SELECT. */
function functionNames(node: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) functionNames(item, into);
  } else if (typeof node === "object" && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "function_name" && typeof value === "string") into.add(value.toLowerCase());
      else functionNames(value, into);
    }
  }
  return into;
}

async function checkSelect(connection: DuckDBConnection, text: string): Promise<void> {
  const reader = await connection.runAndReadAll(`SELECT json_serialize_sql(${sqlString(text)})::VARCHAR`);
  const serialized = reader.getRowsJson()[0]?.[0];
  if (typeof serialized !== "string") throw refused("a statement DuckDB cannot serialise");
  const tree: unknown = JSON.parse(serialized);
  // DuckDB serialises plain SELECTs only; the rest is left to the sandbox (see the top of this file).
  if (typeof tree !== "object" || tree === null || !("error" in tree) || tree.error !== false) return;
  const called = [...functionNames(tree, new Set())].filter((name) => SESSION_CHANGING_FUNCTIONS.has(name));
  if (called.length > 0) throw refused(`calling ${called.join(", ")}()`);
}

/**
 * Throws UsageError "statement_refused" unless a statement of type `type` (from DuckDB's prepared statement) may
 * run in a read-only session. `text` is the statement's SQL, as split by statements.ts; it is read only by DuckDB
 * (the SELECT's function calls, the statement an EXPLAIN wraps).
 */
export async function assertReadOnly(connection: DuckDBConnection, type: StatementType, text: string): Promise<void> {
  if (!ALLOWED.has(type)) throw refused(typeLabel(type));
  if (type === StatementType.SELECT) await checkSelect(connection, text);
  if (type === StatementType.EXPLAIN) {
    const inner = explainedText(text);
    if (inner === undefined) throw refused("an EXPLAIN this guard cannot read");
    const extracted = await connection.extractStatements(inner);
    if (extracted.count !== 1) throw refused("an EXPLAIN this guard cannot read");
    const prepared = await extracted.prepare(0);
    const innerType = prepared.statementType;
    prepared.destroySync();
    if (innerType === StatementType.EXPLAIN) throw refused("a nested EXPLAIN");
    await assertReadOnly(connection, innerType, inner);
  }
}
