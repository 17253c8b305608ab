// scripts/trainer.mjs (the Windows trainer's one-click entry, all its logic in Node so it is tested on Linux):
// --dry-run prints each step it would run, the DAG's trainer step shadow_score after training included.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runScript } from "./run-script.ts";

const REPO = fileURLToPath(new URL("../..", import.meta.url));

describe("scripts/trainer.mjs --dry-run", () => {
  it("trains each configured model but options_vol, then runs the DAG's shadow_score step", async () => {
    const run = await runScript("node", ["scripts/trainer.mjs", "--dry-run", "--no-open"], {}, REPO);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split("\n").filter((line) => line.startsWith("would run:"));
    const train = lines.findIndex((line) => line.endsWith("trainer run --model equities_xs"));
    const shadow = lines.findIndex((line) => line.endsWith("dag run --role trainer --steps shadow_score"));
    expect(train).toBeGreaterThanOrEqual(0);
    expect(shadow).toBeGreaterThan(train);
    expect(lines.some((line) => line.includes("--model options_vol"))).toBe(false);
    expect(run.stdout).toContain("[trainer] done");
  }, 60_000);
});
