import type { GroupSpec } from "../group.ts";
import { notBuilt } from "../not-built.ts";

export const configCommand: GroupSpec = {
  name: "config",
  summary: "Validate configuration and print it with secrets redacted",
  actions: {
    check: { summary: "Validate configs/ and the environment; print the effective configuration", run: notBuilt("trademl config check", "the foundation issue") },
  },
};
