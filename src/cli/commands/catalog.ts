import type { GroupSpec } from "../group.ts";
import { notBuilt } from "../not-built.ts";

export const catalogCommand: GroupSpec = {
  name: "catalog",
  summary: "Export a DuckDB database of views over the lake",
  run: notBuilt("trademl catalog", "the single-source-of-truth issue"),
};
