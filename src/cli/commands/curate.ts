import type { GroupSpec } from "../group.ts";
import { notBuilt } from "../not-built.ts";

export const curateCommand: GroupSpec = {
  name: "curate",
  summary: "Curate raw bars into adjusted tables with DuckDB SQL",
  run: notBuilt("trademl curate", "the single-source-of-truth issue"),
};
