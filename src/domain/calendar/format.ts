/** Text renderings of a list of sessions for the `trademl calendar` command. */
import type { Session } from "./nyse.ts";

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;

function weekdayName(date: string): string {
  return WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()] ?? "";
}

/** `date,open,close` with a header; times are New York wall-clock. */
export function sessionsToCsv(list: readonly Session[]): string {
  return ["date,open,close", ...list.map((s) => `${s.date},${s.open},${s.close}`)].join("\n") + "\n";
}

/** A readable table with the weekday, minutes and the reason for any non-regular hours. */
export function sessionsToTable(list: readonly Session[]): string {
  const header = ["date", "day", "open", "close", "minutes", "note"];
  const rows = list.map((s) => [s.date, weekdayName(s.date), s.open, s.close, String(s.minutes), s.reason ?? ""]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  ").trimEnd();
  const footer = `${list.length} session${list.length === 1 ? "" : "s"} (times are New York local)`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line), footer].join("\n") + "\n";
}

export function sessionsToJson(list: readonly Session[]): string {
  return `${JSON.stringify(list.map(({ date, open, close, minutes, kind, reason }) => ({ date, open, close, minutes, kind, ...(reason === undefined ? {} : { reason }) })), null, 2)}\n`;
}

export function formatSessions(list: readonly Session[], format: "table" | "csv" | "json"): string {
  if (format === "csv") return sessionsToCsv(list);
  if (format === "json") return sessionsToJson(list);
  return sessionsToTable(list);
}
