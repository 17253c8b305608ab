/**
 * Turns zod validation issues into one ConfigError whose lines read `file:line:col: key.path: message`,
 * with a "did you mean" hint for a misspelt key. The error never quotes the offending value: a user who
 * pasted an API key into the wrong field must not see it echoed to a log.
 */
import { z } from "zod";
import { ConfigError } from "../domain/errors.ts";
import { closestName } from "./did-you-mean.ts";
import type { YamlSource } from "./yaml-source.ts";

/** Strips wrappers (defaults, optionals, pipes) to reach the schema that describes the value's shape. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (let depth = 0; depth < 16; depth++) {
    if (current instanceof z.ZodDefault || current instanceof z.ZodPrefault || current instanceof z.ZodOptional || current instanceof z.ZodNullable) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.in as z.ZodType;
    } else {
      return current;
    }
  }
  return current;
}

/** The keys a strict object at `path` accepts, for suggesting the right spelling. */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: z.ZodType | undefined = unwrap(schema);
  for (const segment of path) {
    if (current instanceof z.ZodObject) current = current.shape[String(segment)] as z.ZodType | undefined;
    else if (current instanceof z.ZodArray) current = current.element as z.ZodType;
    else if (current instanceof z.ZodRecord) current = current.valueType as z.ZodType;
    else return [];
    if (current === undefined) return [];
    current = unwrap(current);
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

export function keyPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? String(segment) : `.${String(segment)}`;
  }
  return out === "" ? "(top level)" : out;
}

/**
 * Parses kernel parameters given in code (not from a file) with their schema, the only source of defaults; a bad
 * one is a ConfigError `code` naming each key, e.g. "gbdt parameters: num_leaves: Too small: expected >= 2".
 */
export function parseParams<S extends z.ZodType>(schema: S, value: unknown, what: string, code: string): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => `${keyPath(issue.path)}: ${issue.message}`).join("; ");
  throw new ConfigError(code, `${what} parameters: ${issues}`);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const segment of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

interface Problem {
  readonly line: number;
  readonly col: number;
  readonly text: string;
}

function describe(issue: z.core.$ZodIssue, schema: z.ZodType, source: YamlSource): Problem[] {
  if (issue.code === "unrecognized_keys") {
    const known = knownKeysAt(schema, issue.path);
    return issue.keys.map((key) => {
      const pos = source.locate(issue.path, key);
      const hint = closestName(key, known);
      const advice = hint !== undefined ? `did you mean "${hint}"?` : `expected one of: ${known.join(", ")}`;
      return { ...pos, text: `${source.file}:${pos.line}:${pos.col}: ${keyPath([...issue.path, key])}: unknown key; ${advice}` };
    });
  }
  const pos = source.locate(issue.path);
  const missing = issue.code === "invalid_type" && valueAt(source.value, issue.path) === undefined;
  const message = missing ? `required key is missing (${issue.message.replace(/^Invalid input: /, "")})` : issue.message;
  return [{ ...pos, text: `${source.file}:${pos.line}:${pos.col}: ${keyPath(issue.path)}: ${message}` }];
}

/** Validates a parsed YAML source, throwing a positioned ConfigError on any issue. */
export function validateSource<S extends z.ZodType>(schema: S, source: YamlSource): z.output<S> {
  const result = schema.safeParse(source.value);
  if (result.success) return result.data;
  const problems = result.error.issues
    .flatMap((issue) => describe(issue, schema, source))
    .sort((a, b) => a.line - b.line || a.col - b.col);
  const lines = problems.map((problem) => problem.text);
  const firstPos = problems[0] ?? { line: 1, col: 1 };
  const headline = lines.length === 1 ? (lines[0] ?? "") : `${source.file}: ${lines.length} problems\n  ${lines.join("\n  ")}`;
  // The ZodError is not attached as `cause`: its message would carry the rejected values into debug logs.
  throw new ConfigError("config_invalid", headline, {
    details: { file: source.file, line: firstPos.line, col: firstPos.col, problems: lines.length },
  });
}
