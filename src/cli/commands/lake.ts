import type { GroupSpec } from "../group.ts";
import { notBuilt } from "../not-built.ts";

export const lakeCommand: GroupSpec = {
  name: "lake",
  summary: "Inspect and maintain the lake: tables, manifests, probe, garbage collection",
  actions: {
    gc: { summary: "Garbage-collect orphaned parts (dry-run by default)", run: notBuilt("trademl lake gc", "the lake issue") },
  },
};
