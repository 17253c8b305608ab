import { UsageError } from "../../domain/errors.ts";
import type { GroupSpec } from "../group.ts";

const FORMATS = ["table", "csv", "json"] as const;
type CalendarFormat = (typeof FORMATS)[number];

function optionText(value: unknown, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" && typeof value !== "number") throw new UsageError("bad_option", `${flag} needs a value`);
  return String(value);
}

export const calendarCommand: GroupSpec = {
  name: "calendar",
  summary: "Print NYSE trading sessions (date, open, close in New York time)",
  options: [
    { flags: "--from <date>", description: "First date, YYYY-MM-DD (default: January 1 of this year)" },
    { flags: "--to <date>", description: "Last date, YYYY-MM-DD (default: December 31 of --from's year)" },
    { flags: "--format <format>", description: "table (default), csv or json" },
  ],
  examples: ["trademl calendar --from 2024-01-01 --to 2024-12-31 --format csv"],
  run: async (args, options, ctx) => {
    if (args.length > 0) throw new UsageError("unexpected_argument", `calendar takes no positional arguments, got "${args.join(" ")}"`);
    const { sessions } = await import("../../domain/calendar/index.ts");
    const { formatSessions } = await import("../../domain/calendar/format.ts");
    const from = optionText(options["from"], "--from") ?? `${new Date().getUTCFullYear()}-01-01`;
    const to = optionText(options["to"], "--to") ?? `${from.slice(0, 4)}-12-31`;
    const format = optionText(options["format"], "--format") ?? "table";
    if (!FORMATS.includes(format as CalendarFormat)) {
      throw new UsageError("bad_format", `--format must be one of ${FORMATS.join(", ")}, not "${format}"`);
    }
    ctx.out(formatSessions(sessions(from, to), format as CalendarFormat));
  },
};
