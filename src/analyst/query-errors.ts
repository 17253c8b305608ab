/**
 * What a failed `trademl sql` statement tells the analyst. DuckDB's own message stays the cause; the message
 * says what it means for the lake:
 * - an unknown table: a view of a damaged table (its error, naming the table), or the lake's views, or that the
 *   lake is missing or empty (DuckDB would suggest "sqlite_schema");
 * - a file error on one of the views' parts: the table and key, since other tables are unaffected;
 * - a permission error: the read-only session opens only the views' parts (and the --out temp file).
 */
import { AppError, DataError, UsageError } from "../domain/errors.ts";
import type { LakeView, UnavailableView } from "./lake-views.ts";
import { UNRESTRICTED_FLAG } from "./statement-guard.ts";

export interface LakeFacts {
  readonly views: readonly LakeView[];
  readonly unavailable: readonly UnavailableView[];
  /** The lake's location without secrets (ObjectStore.description). */
  readonly description: string;
  /** False when a local lake's root folder does not exist. */
  readonly exists: boolean;
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}

function whatTheLakeHas(facts: LakeFacts): string {
  if (!facts.exists) return `the lake at ${facts.description} does not exist (check LAKE_ROOT or S3_BUCKET)`;
  const names = [...facts.views.map((v) => v.view), ...facts.unavailable.map((v) => v.view)].sort();
  if (names.length === 0) {
    return `the lake at ${facts.description} has no tables yet (no curated, reference, quarantine or QC table is committed; \`trademl curate\` or \`trademl demo\` writes them)`;
  }
  return `the lake's views are ${names.join(", ")} (.tables in the REPL lists them)`;
}

export function explainQueryError(cause: unknown, facts: LakeFacts): AppError {
  if (cause instanceof AppError) return cause;
  const message = cause instanceof Error ? cause.message : String(cause);
  const missing = /Table with name (\S+?) does not exist/.exec(message)?.[1];
  if (missing !== undefined) {
    const broken = facts.unavailable.find((v) => v.view.toLowerCase() === missing.toLowerCase());
    if (broken !== undefined) return broken.error;
    return new UsageError("no_such_table", `no table or view "${missing}": ${whatTheLakeHas(facts)}`, { cause });
  }
  for (const view of facts.views) {
    const index = view.paths.findIndex((path) => message.includes(path));
    if (index !== -1) {
      return new DataError(
        "part_unreadable",
        `table "${view.table}" (view ${view.view}): part "${view.keys[index] ?? view.paths[index] ?? ""}" cannot be read (${firstLine(message)}); other tables are unaffected, and \`trademl lake verify --table ${view.table}\` checks its parts`,
        { cause, details: { table: view.table } },
      );
    }
  }
  if (message.startsWith("Permission Error")) {
    // DuckDB's file sandbox refused while binding, before the statement's type is known (a COPY or EXPORT to
    // another path, read_csv('/etc/passwd'), a glob over the lake's folders).
    return new UsageError(
      "outside_lake",
      `refused: trademl sql is read-only and opens only the parts of the lake's views, so no statement may write files or read others (${firstLine(message)}). Rerun with ${UNRESTRICTED_FLAG} to allow it`,
      { cause },
    );
  }
  return new UsageError("sql_error", `query failed: ${message}`, { cause });
}
