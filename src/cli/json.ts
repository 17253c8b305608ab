/**
 * JSON output of the commands. JSON has no Infinity or NaN (JSON.stringify writes null, which loses the sign and
 * differs from what the table shows), so non-finite numbers are written as the strings "Infinity", "-Infinity"
 * and "NaN": the same text the table prints.
 */
function finiteOrText(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? String(value) : value;
}

/** Pretty JSON with a trailing newline, non-finite numbers as strings. */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, finiteOrText, 2)}\n`;
}
