import type { GroupSpec } from "../group.ts";
import { notBuilt } from "../not-built.ts";

export const trainerCommand: GroupSpec = {
  name: "trainer",
  summary: "Windows trainer: wait for GREEN data, train, CPCV, gate, shadow and promote",
  actions: {
    run: { summary: "Run one training cycle", run: notBuilt("trademl trainer run", "the training issue") },
  },
};
