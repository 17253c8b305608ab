import type { GroupSpec } from "../group.ts";
import { notBuilt } from "../not-built.ts";

export const sqlCommand: GroupSpec = {
  name: "sql",
  summary: "Run DuckDB SQL over the curated lake (REPL, -c, --file)",
  run: notBuilt("trademl sql", "the single-source-of-truth issue"),
};
