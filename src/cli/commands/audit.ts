import type { GroupSpec } from "../group.ts";
import { notBuilt } from "../not-built.ts";

export const auditCommand: GroupSpec = {
  name: "audit",
  summary: "Audit completeness into the partition_status ledger",
  run: notBuilt("trademl audit", "the single-source-of-truth issue"),
};
