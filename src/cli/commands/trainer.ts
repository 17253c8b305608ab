import type { GroupSpec } from "../group.ts";
import { notBuilt } from "../not-built.ts";

export const trainerCommand: GroupSpec = {
  name: "trainer",
  summary: "Windows trainer: wait for GREEN data, train, CPCV, gate, shadow and promote",
  // Declared now (issue 14's interface) so scripts/trainer.mjs can already call `trainer run --model M`.
  options: [{ flags: "--model <name>", description: "equities_xs | intraday_xs | options_vol (see configs/training/)" }],
  actions: {
    run: { summary: "Run one training cycle", run: notBuilt("trademl trainer run", "the training issue") },
  },
};
