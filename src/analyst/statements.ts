/**
 * Splits SQL text into statements at top-level semicolons, respecting '…' strings, "…" identifiers,
 * $tag$…$tag$ blocks, -- line comments and block comments. The REPL uses it to know when a statement is
 * complete; `--format parquet` uses it to wrap the final query in COPY.
 */
export interface SplitResult {
  /** Complete statements, trimmed, without their terminating semicolon. */
  readonly statements: string[];
  /** Text after the last semicolon (an unfinished statement, or ""). */
  readonly rest: string;
}

export function splitStatements(text: string): SplitResult {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    const next = text[i + 1];
    if (ch === "'" || ch === '"') {
      const close = text.indexOf(ch, i + 1);
      // Doubled quotes ('it''s') are two adjacent strings to this scanner, which is equivalent.
      i = close === -1 ? text.length : close + 1;
      continue;
    }
    if (ch === "-" && next === "-") {
      const end = text.indexOf("\n", i);
      i = end === -1 ? text.length : end + 1;
      continue;
    }
    if (ch === "/" && next === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end === -1 ? text.length : end + 2;
      continue;
    }
    if (ch === "$") {
      const tag = /^\$[A-Za-z_]*\$/.exec(text.slice(i));
      if (tag !== null) {
        const end = text.indexOf(tag[0], i + tag[0].length);
        i = end === -1 ? text.length : end + tag[0].length;
        continue;
      }
    }
    if (ch === ";") {
      const statement = text.slice(start, i).trim();
      if (statement !== "" && !isOnlyComments(statement)) statements.push(statement);
      start = i + 1;
    }
    i += 1;
  }
  return { statements, rest: text.slice(start) };
}

function isOnlyComments(sql: string): boolean {
  return sql.replace(/--[^\n]*/g, "").replace(/\/\*[\s\S]*?\*\//g, "").trim() === "";
}

/** All statements in `text`, including a final one without a semicolon. */
export function allStatements(text: string): string[] {
  const { statements, rest } = splitStatements(text);
  const tail = rest.trim();
  return tail === "" || isOnlyComments(tail) ? statements : [...statements, tail];
}
