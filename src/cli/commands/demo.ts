import type { GroupSpec } from "../group.ts";
import { notBuilt } from "../not-built.ts";

export const demoCommand: GroupSpec = {
  name: "demo",
  summary: "Run the pipeline against the built-in vendor simulator into ./lake-demo",
  run: notBuilt("trademl demo", "the ingestion issue"),
};
