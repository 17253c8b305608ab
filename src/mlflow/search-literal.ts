/** Values inside MLflow search filters (runs/search, model-versions/search). */
import { DataError } from "../domain/errors.ts";

/**
 * A string literal for MLflow's search syntax. MLflow strips the outer quotes and has no escapes
 * (SearchUtils._strip_quotes in mlflow/utils/search_utils.py), so a value holding both quote kinds cannot be said.
 */
export function searchLiteral(value: string): string {
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"')) return `"${value}"`;
  throw new DataError("mlflow_bad_search_value", `${JSON.stringify(value.slice(0, 80))} holds both quote characters and cannot be searched for in MLflow`);
}
