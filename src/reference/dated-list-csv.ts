/**
 * The CSV shape of every user-supplied reference list (borrow tiers, index constituents, the tick-size pilot):
 * a header naming its columns, one row per symbol and date range (`from`, optionally `to`, empty = open-ended).
 * Any bad line stops the whole import with its line number: a half-imported list would silently leave the
 * missing names to an approximation. Rows are checked for overlapping ranges of the same key.
 */
import { isIsoDate } from "../domain/calendar/dates.ts";
import { DataError } from "../domain/errors.ts";
import { keySegmentProblem } from "../lake/keys.ts";

export interface DatedListRow {
  readonly symbol: string;
  readonly from: string;
  /** Last day covered; undefined = open-ended. */
  readonly to: string | undefined;
  /** The other columns' cells by header name (trimmed). */
  readonly cells: Readonly<Record<string, string>>;
}

export interface DatedListSpec {
  /** Error codes are `<prefix>_header`, `_row`, `_empty`, `_overlap`. */
  readonly codePrefix: string;
  /** Columns besides symbol, from and to that every row must have. */
  readonly required: readonly string[];
  readonly optional?: readonly string[];
  /** Checks a row's own cells; returns the problem, or undefined. */
  readonly checkRow?: (row: DatedListRow) => string | undefined;
  /** Rows with the same key may not overlap (default: the symbol). */
  readonly overlapKey?: (row: DatedListRow) => string;
}

export function parseDatedListCsv(text: string, file: string, spec: DatedListSpec): DatedListRow[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? "").split(",").map((cell) => cell.trim().toLowerCase());
  const column = (name: string): number => header.indexOf(name);
  const needed = ["symbol", ...spec.required, "from"];
  if (needed.some((name) => column(name) < 0)) {
    const optional = ["to", ...(spec.optional ?? [])].join(", ");
    throw new DataError(`${spec.codePrefix}_header`, `${file}:1: the header must name the columns ${needed.join(", ")} (and optionally ${optional}), not "${lines[0] ?? ""}"`);
  }
  const iTo = column("to");
  const extra = [...spec.required, ...(spec.optional ?? [])];
  const rowError = (line: number, problem: string): DataError => new DataError(`${spec.codePrefix}_row`, `${file}:${line}: ${problem}`, { details: { file, line } });
  const out: DatedListRow[] = [];
  lines.slice(1).forEach((line, index) => {
    if (line.trim() === "") return;
    const at = index + 2;
    const cells = line.split(",").map((cell) => cell.trim());
    if (cells.length > header.length) throw rowError(at, `${cells.length} cells for ${header.length} columns (a comma inside a value is not supported)`);
    const symbol = (cells[column("symbol")] ?? "").toUpperCase();
    const from = cells[column("from")] ?? "";
    const to = iTo < 0 ? "" : (cells[iTo] ?? "");
    const problem = symbol === "" ? "empty symbol" : keySegmentProblem(symbol);
    if (problem !== undefined) throw rowError(at, `symbol "${symbol}": ${problem}`);
    if (!isIsoDate(from)) throw rowError(at, `from "${from}" is not a YYYY-MM-DD date`);
    if (to !== "" && (!isIsoDate(to) || to < from)) throw rowError(at, `to "${to}" is not a YYYY-MM-DD date on or after from`);
    const row: DatedListRow = { symbol, from, to: to === "" ? undefined : to, cells: Object.fromEntries(extra.map((name) => [name, cells[column(name)] ?? ""])) };
    const bad = spec.checkRow?.(row);
    if (bad !== undefined) throw rowError(at, bad);
    out.push(row);
  });
  if (out.length === 0) throw new DataError(`${spec.codePrefix}_empty`, `${file} has no rows`);
  const key = spec.overlapKey ?? ((row: DatedListRow) => row.symbol);
  const sorted = [...out].sort((a, b) => key(a).localeCompare(key(b)) || a.from.localeCompare(b.from));
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1];
    const b = sorted[i];
    if (a !== undefined && b !== undefined && key(a) === key(b) && (a.to === undefined || a.to >= b.from)) {
      throw new DataError(`${spec.codePrefix}_overlap`, `${file}: ${key(a)} has overlapping ranges starting ${a.from} and ${b.from}`);
    }
  }
  return sorted;
}
