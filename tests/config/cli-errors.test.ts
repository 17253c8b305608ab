// A bad configuration stops `trademl config check` with exit 2 and names file:line:col and the key.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runTrademl } from "../helpers/cli.ts";
import { copyOfShippedConfigs, positionOf, type TempDir } from "./fixtures.ts";

let temp: (TempDir & { configDir: string }) | undefined;
afterEach(async () => {
  await temp?.cleanup();
  temp = undefined;
});

async function breakFile(file: string, from: string, to: string): Promise<{ text: string; shown: string }> {
  if (temp === undefined) throw new Error("no temp dir");
  const full = path.join(temp.configDir, file);
  const original = await readFile(full, "utf8");
  expect(original).toContain(from);
  const text = original.replace(from, to);
  await temp.write(path.join("configs", file), text);
  return { text, shown: path.join("configs", file) };
}

const check = (cwd: string) => runTrademl(["--config-dir", "configs", "config", "check"], {}, cwd);

describe("trademl config check on a bad configuration", () => {
  it("exits 2 naming file:line:col and suggesting the right key for a misspelt key", async () => {
    temp = await copyOfShippedConfigs();
    const { text, shown } = await breakFile("backfill.yml", "  green_min_ratio: 0.98", "  green_min_ratoi: 0.98");
    const pos = positionOf(text, "green_min_ratoi");
    const run = await check(temp.dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${shown}:${pos.line}:${pos.col}: qc.green_min_ratoi: unknown key`);
    expect(run.stderr).toContain('did you mean "green_min_ratio"');
    expect(run.stdout).toBe("");
  });

  it("exits 2 naming file:line:col, the key and the expected type for a wrong type", async () => {
    temp = await copyOfShippedConfigs();
    const { text, shown } = await breakFile("node.yml", "threads: 2", "threads: two");
    const key = positionOf(text, "threads: two");
    const pos = { line: key.line, col: key.col + "threads: ".length };
    const run = await check(temp.dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${shown}:${pos.line}:${pos.col}: duckdb.threads:`);
    expect(run.stderr).toMatch(/expected number/);
  });

  it("points into nested lists (training regime masks) and flow mappings", async () => {
    temp = await copyOfShippedConfigs();
    const { text, shown } = await breakFile("training/equities_xs.yml", "use_for: monitor_only", "use_for: monitor");
    const pos = positionOf(text, "monitor }");
    const run = await check(temp.dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${shown}:${pos.line}:${pos.col}: regime_masks[3].use_for: Invalid option`);
    expect(run.stderr).toContain("fit_and_validate");
  });

  it("reports every problem in a file, in file order", async () => {
    temp = await copyOfShippedConfigs();
    const text = "stacker:\n  foldz: 3\n  model: lightgbm\nfallback: 7\n";
    await temp.write("configs/router.yml", text);
    const run = await check(temp.dir);
    expect(run.code).toBe(2);
    const lines = run.stderr.split("\n").filter((line) => /configs\/router\.yml:\d+:/.test(line));
    expect(lines.map((line) => /router\.yml:(\d+):/.exec(line)?.[1])).toEqual(["2", "3", "4"]);
    expect(run.stderr).toContain('stacker.foldz: unknown key; did you mean "folds"?');
  });

  it("exits 2 with the position of malformed YAML", async () => {
    temp = await copyOfShippedConfigs();
    await temp.write("configs/edge.yml", "tasks:\n  - alpaca_bars\n daily_budget: {alpaca: 5\n");
    const run = await check(temp.dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/configs\/edge\.yml:\d+:\d+: malformed YAML/);
  });

  it("rejects a duplicated key, which plain YAML loaders silently overwrite", async () => {
    temp = await copyOfShippedConfigs();
    await temp.write("configs/router.yml", "fallback: none\nfallback: best_available\n");
    const run = await check(temp.dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/configs\/router\.yml:2:1: malformed YAML/);
  });

  it("rejects a misspelt file name instead of ignoring it", async () => {
    temp = await copyOfShippedConfigs();
    await temp.write("configs/curater.yml", "jobs: []\n");
    const run = await check(temp.dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("curater.yml: not a trademl configuration file; did you mean curator.yml?");
  });

  it("rejects a daily budget above the vendor's total, pointing at the budget", async () => {
    temp = await copyOfShippedConfigs();
    const { text, shown } = await breakFile("edge.yml", "polygon: 3500", "polygon: 9000");
    const pos = positionOf(text, "9000");
    const run = await check(temp.dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${shown}:${pos.line}:${pos.col}: daily_budget.polygon: 9000 exceeds`);
  });

  it("exits 2 when the configuration folder does not exist", async () => {
    temp = await copyOfShippedConfigs();
    const run = await runTrademl(["--config-dir", "no-such-folder", "config", "check"], {}, temp.dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("no-such-folder does not exist");
  });

  it("exits 2 naming the file for a YAML alias bomb, without an internal error or a stack trace", async () => {
    temp = await copyOfShippedConfigs();
    // "Billion laughs": nine levels of nine aliases expand to 9^9 strings.
    const levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array.from({ length: 9 }, () => `*${prev}`).join(", ")}]`);
    }
    await temp.write(path.join("configs", "router.yml"), `${levels.join("\n")}\n`);
    const run = await check(temp.dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${path.join("configs", "router.yml")}: refused: its YAML aliases (*name) expand more than 100 times`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).toBe("");
  });
});
