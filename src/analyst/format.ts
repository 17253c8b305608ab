/**
 * Result formatting for `trademl sql`: an aligned text table for people, CSV (RFC 4180 quoting) and JSON
 * (an array of row objects) for programs. Values arrive as DuckDB's JSON-safe conversion (strings for
 * dates, decimals and 64-bit integers; numbers for doubles), so nothing loses precision on the way.
 */
export type OutputFormat = "table" | "csv" | "json" | "parquet";
export const OUTPUT_FORMATS: readonly OutputFormat[] = ["table", "csv", "json", "parquet"];

export interface ResultSet {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

function isNumeric(value: unknown): boolean {
  return typeof value === "number" || (typeof value === "string" && /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(value));
}

export function formatTable(result: ResultSet): string {
  const cells = result.rows.map((row) => row.map(cellText));
  const widths = result.columns.map((name, c) => Math.max(name.length, ...cells.map((row) => (row[c] ?? "").length)));
  const line = `+${widths.map((w) => "-".repeat(w + 2)).join("+")}+`;
  const render = (values: readonly string[], numeric: readonly boolean[]) =>
    `| ${values.map((v, c) => (numeric[c] ? v.padStart(widths[c] ?? 0) : v.padEnd(widths[c] ?? 0))).join(" | ")} |`;
  const numericColumns = result.columns.map((_, c) => result.rows.length > 0 && result.rows.every((row) => row[c] === null || isNumeric(row[c])));
  const out = [line, render(result.columns, result.columns.map(() => false)), line];
  for (const row of cells) out.push(render(row, numericColumns));
  out.push(line);
  out.push(`(${result.rows.length} row${result.rows.length === 1 ? "" : "s"})`);
  return `${out.join("\n")}\n`;
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = cellText(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function formatCsv(result: ResultSet): string {
  const lines = [result.columns.map(csvField).join(","), ...result.rows.map((row) => row.map(csvField).join(","))];
  return `${lines.join("\n")}\n`;
}

export function formatJson(result: ResultSet): string {
  const objects = result.rows.map((row) => Object.fromEntries(result.columns.map((name, c) => [name, row[c] ?? null])));
  return `${JSON.stringify(objects, null, 2)}\n`;
}

export function formatResult(result: ResultSet, format: Exclude<OutputFormat, "parquet">): string {
  if (format === "csv") return formatCsv(result);
  if (format === "json") return formatJson(result);
  return formatTable(result);
}
