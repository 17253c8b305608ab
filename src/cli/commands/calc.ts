import type { GroupSpec } from "../group.ts";
import { notBuilt } from "../not-built.ts";

export const calcCommand: GroupSpec = {
  name: "calc",
  summary: "Price one option and its Greeks, or solve its implied volatility",
  actions: {
    bsm: { summary: "Black-Scholes-Merton price and Greeks", run: notBuilt("trademl calc bsm", "the kernels issue") },
    iv: { summary: "Implied volatility from a price", run: notBuilt("trademl calc iv", "the kernels issue") },
  },
};
