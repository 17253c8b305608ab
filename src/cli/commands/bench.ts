import type { GroupSpec } from "../group.ts";
import { notBuilt } from "../not-built.ts";

export const benchCommand: GroupSpec = {
  name: "bench",
  summary: "Run the benchmarks in bench/ and print ratios",
  run: notBuilt("trademl bench", "the kernels issue"),
};
