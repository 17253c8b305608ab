import type { GroupSpec } from "../group.ts";
import { notBuilt } from "../not-built.ts";

export const calendarCommand: GroupSpec = {
  name: "calendar",
  summary: "Print NYSE trading sessions (date, open, close in New York time)",
  run: notBuilt("trademl calendar", "the single-source-of-truth issue"),
};
