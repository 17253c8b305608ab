import { describe, expect, it } from "vitest";
import { createKernels } from "../../src/kernels/index.ts";
import { runTrademl } from "../helpers/cli.ts";

describe("trademl calc", () => {
  it("prints price and Greeks as a table and as JSON that match the kernel API", async () => {
    const argv = ["calc", "bsm", "--spot", "100", "--strike", "105", "--t", "0.5", "--rate", "0.03", "--div", "0.01", "--vol", "0.25", "--type", "call"];
    const table = await runTrademl(argv);
    expect(table.code).toBe(0);
    for (const key of ["price", "delta", "gamma", "vega", "theta", "rho", "vanna", "volga", "charm"]) {
      expect(table.stdout).toMatch(new RegExp(`^${key}\\s+-?\\d`, "m"));
    }
    const json = await runTrademl([...argv, "--json"]);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as { price: number; delta: number; status: string };
    const k = await createKernels();
    const direct = k.bsmOne({ spot: 100, strike: 105, t: 0.5, rate: 0.03, div: 0.01, vol: 0.25, type: "call" });
    expect(parsed.price).toBe(direct.price);
    expect(parsed.delta).toBe(direct.delta);
    expect(parsed.status).toBe("ok");
  });

  it("solves a real-looking option's implied vol to 1e-12", async () => {
    const k = await createKernels();
    const price = k.bsmOne({ spot: 512.3, strike: 520, t: 30 / 365, rate: 0.045, div: 0.013, vol: 0.1834, type: "put" }).price;
    const run = await runTrademl(["calc", "iv", "--price", String(price), "--spot", "512.3", "--strike", "520", "--t", String(30 / 365), "--rate", "0.045", "--div", "0.013", "--type", "put", "--json"]);
    expect(run.code).toBe(0);
    const parsed = JSON.parse(run.stdout) as { vol: number; status: string };
    expect(parsed.status).toBe("ok");
    expect(Math.abs(parsed.vol - 0.1834)).toBeLessThan(1e-12);
  });

  it("exits 2 for missing or malformed options and 3 for a price below intrinsic", async () => {
    const missing = await runTrademl(["calc", "bsm", "--spot", "100", "--strike", "105", "--t", "0.5"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--vol");
    const badType = await runTrademl(["calc", "bsm", "--spot", "100", "--strike", "105", "--t", "0.5", "--vol", "0.2", "--type", "straddle"]);
    expect(badType.code).toBe(2);
    const negative = await runTrademl(["calc", "bsm", "--spot", "100", "--strike", "105", "--t", "0.5", "--vol=-0.2"]);
    expect(negative.code).toBe(2);
    const below = await runTrademl(["calc", "iv", "--price", "1", "--spot", "100", "--strike", "80", "--t", "0.5", "--type", "call"]);
    expect(below.code).toBe(3);
    expect(below.stderr).toContain("intrinsic");
  });
});

describe("trademl bench", () => {
  it("runs bench/run.ts and passes its exit code through (2 when no benchmark matches)", async () => {
    const run = await runTrademl(["bench", "no-such-benchmark-name"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("no bench/*.bench.ts matches");
  });
});
