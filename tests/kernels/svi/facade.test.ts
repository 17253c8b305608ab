import { describe, expect, it } from "vitest";
import { createKernels } from "../../../src/kernels/index.ts";
import { linspace, sviW } from "./engines.ts";

describe("the kernel façade carries the SVI family", () => {
  it.each(["wasm", "ts"] as const)("createKernels({ engine: %s }) fits and checks SVI slices", async (engine) => {
    const k = await createKernels({ engine });
    const p = { a: 0.04, b: 0.1, rho: -0.7, m: 0.05, sigma: 0.2 };
    const ks = linspace(-0.5, 0.5, 25);
    const fit = k.sviFit({ k: ks, w: ks.map((x) => sviW(p, x)) });
    expect(fit.status).toBe("ok");
    expect(fit.rho).toBeCloseTo(-0.7, 6);
    expect(k.sviButterflyCheck(p).butterflyFree).toBe(true);
    expect(k.engine).toBe(engine);
  });
});
