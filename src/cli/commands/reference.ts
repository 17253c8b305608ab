import type { GroupSpec } from "../group.ts";
import { notBuilt } from "../not-built.ts";

export const referenceCommand: GroupSpec = {
  name: "reference",
  summary: "Build reference data: universe, index membership, tick-size regime",
  run: notBuilt("trademl reference", "the single-source-of-truth issue"),
};
