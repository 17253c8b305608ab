import { describe, expect, it } from "vitest";
import { commandGroups } from "../../src/cli/commands/index.ts";
import { runTrademl } from "../helpers/cli.ts";

const GROUPS = [
  "node", "trainer", "models", "demo", "doctor", "config", "lake", "audit", "backfill",
  "curate", "reference", "borrow", "calendar", "sql", "catalog", "calc", "bench",
];

describe("trademl CLI", () => {
  it("lists every command group in --help", async () => {
    const run = await runTrademl(["--help"]);
    expect(run.code).toBe(0);
    for (const group of GROUPS) expect(run.stdout).toMatch(new RegExp(`^  ${group} `, "m"));
  });

  it("prints the package version", async () => {
    const run = await runTrademl(["--version"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/trademl\/\d+\.\d+\.\d+/);
  });

  it("exits 2 for an unknown command, an unknown action and an unknown option", async () => {
    expect((await runTrademl(["frobnicate"])).code).toBe(2);
    const action = await runTrademl(["lake", "frobnicate"]);
    expect(action.code).toBe(2);
    expect(action.stderr).toContain("unknown action");
    const option = await runTrademl(["calendar", "--bogus-flag"]);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/bogus/i);
  });

  it("rejects a bad --log-level with exit 2", async () => {
    const run = await runTrademl(["--log-level", "loud", "demo"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--log-level");
  });

  it("says plainly why a model cannot train on this lake and exits non-zero", async () => {
    // Every trainer model is built; options_vol stops at the data gate on a lake without option surfaces.
    expect(commandGroups.some((g) => g.name === "trainer")).toBe(true);
    const surfaces = await runTrademl(["trainer", "run", "--model", "options_vol"]);
    expect(surfaces.code).toBe(3);
    expect(surfaces.stderr).toMatch(/lacks curated\/options_surfaces/);
  });
});
