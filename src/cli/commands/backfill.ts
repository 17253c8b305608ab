import type { GroupSpec } from "../group.ts";
import { notBuilt } from "../not-built.ts";

export const backfillCommand: GroupSpec = {
  name: "backfill",
  summary: "Fill gaps from the ledger within vendor budgets",
  run: notBuilt("trademl backfill", "the single-source-of-truth issue"),
};
