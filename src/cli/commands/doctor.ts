import type { GroupSpec } from "../group.ts";
import { notBuilt } from "../not-built.ts";

export const doctorCommand: GroupSpec = {
  name: "doctor",
  summary: "Self-check: runtime, kernels, configuration and the lake's conditional writes",
  run: notBuilt("trademl doctor", "the foundation issue"),
};
