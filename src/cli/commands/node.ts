import type { GroupSpec } from "../group.ts";
import { notBuilt } from "../not-built.ts";

export const nodeCommand: GroupSpec = {
  name: "node",
  summary: "Pi node: continuous edge collection and the nightly DAG",
  options: [{ flags: "--once", description: "Run one collection pass and exit" }],
  actions: {
    up: { summary: "Start the node loop (collection + nightly DAG)", run: notBuilt("trademl node up", "the ingestion issue") },
  },
};
