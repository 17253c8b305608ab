/** Turns a learn kernel's status code into the error a caller can act on. */
import { AppError, ConfigError, DataError, KernelError, UsageError } from "../../domain/errors.ts";
import { learnStatusName } from "./layout.ts";

const MEANING: Record<string, string> = {
  bad_params: "a parameter is out of range",
  bad_shape: "the panel's shape or a row index is out of range",
  non_finite_label: "a label or weight is not finite, or a weight is negative",
  overlap: "a row is in both the train and the validation set",
  groups_unsorted: "group (date) ids decrease along the rows of an index set: sort the panel by date",
  too_few_rows: "too few train rows for two leaves of min_data_in_leaf rows",
  singular: "the normal equations are singular (collinear features and lambda 0?)",
  non_finite_feature: "a feature value is missing or not finite (ridge takes complete rows only)",
  zero_weight: "the train rows' weights sum to 0",
};

export function learnError(status: number, what: string): AppError {
  const name = learnStatusName(status);
  const message = `${what}: ${MEANING[name] ?? `kernel status ${status}`} (${name})`;
  const code = `learn_${name}`;
  if (name === "bad_params") return new ConfigError(code, message);
  if (name === "bad_shape" || name === "overlap" || name === "groups_unsorted") return new UsageError(code, message);
  if (name.startsWith("unknown_")) return new KernelError(code, message);
  return new DataError(code, message);
}
