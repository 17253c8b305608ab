// `trademl validate …` as a user runs it on their own CSVs: the JSON shapes of the issue, tables, and clear errors
// that name the file and the line.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mulberry32 } from "../../src/sim/random.ts";
import { cpcvSplits } from "../../src/validate/cpcv.ts";
import { runTrademl } from "../helpers/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "trademl-validate-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function returnsCsv(name: string, rows: number, cols: number, seed: number): string {
  const rng = mulberry32(seed);
  const header = Array.from({ length: cols }, (_, c) => `trial_${c}`).join(",");
  const lines = Array.from({ length: rows }, () => Array.from({ length: cols }, () => ((rng() - 0.5) * 0.02).toFixed(6)).join(","));
  return write(name, `${header}\n${lines.join("\n")}\n`);
}

describe("trademl validate cpcv", () => {
  it("prints the issue's JSON shape: splits of train and test row indices, one path_ids row per split", async () => {
    const run = await runTrademl(["validate", "cpcv", "--n", "20", "--folds", "4", "--test-folds", "2", "--purge", "1", "--embargo", "1", "--format", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const parsed = JSON.parse(run.stdout) as { splits: { train: number[]; test: number[][] }[]; path_ids: number[][] };
    expect(Object.keys(parsed)).toEqual(["splits", "path_ids"]);
    const direct = cpcvSplits(20, { folds: 4, testFolds: 2, purge: 1, embargo: 1 });
    expect(parsed.splits).toEqual(direct.splits.map((s) => ({ train: s.train, test: s.test })));
    expect(parsed.path_ids).toEqual(direct.plan.pathIds);
    expect(parsed.splits[0]).toEqual({ train: [11, 12, 13, 14, 15, 16, 17, 18, 19].filter((i) => i > 11), test: [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]] });
  });

  it("prints a table by default", async () => {
    const run = await runTrademl(["validate", "cpcv", "--n", "20", "--folds", "4", "--test-folds", "2"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("6 splits, 3 paths");
    expect(run.stdout).toMatch(/^\s+0\s+0,1\s+0,0\s+10\s+0\s+0-4 \| 5-9$/m);
  });

  it("refuses too few rows for the folds and one test fold, with exit 2", async () => {
    const few = await runTrademl(["validate", "cpcv", "--n", "5", "--folds", "4"]);
    expect(few.code).toBe(2);
    expect(few.stderr).toContain("size of a train fold which is 1");
    const one = await runTrademl(["validate", "cpcv", "--n", "50", "--folds", "4", "--test-folds", "1"]);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain("n_test_folds");
  });
});

describe("trademl validate dsr", () => {
  it("reproduces the paper's worked example with negative numbers given as option values", async () => {
    const args = ["validate", "dsr", "--sharpe", "2.5", "--periods", "1250", "--trials", "100", "--skew", "-3", "--kurtosis", "10", "--trials-sharpe-var", "0.5"];
    const at250 = await runTrademl([...args, "--periods-per-year", "250", "--format", "json"]);
    expect(at250.code, at250.stderr).toBe(0);
    const parsed = JSON.parse(at250.stdout) as { dsr: number; sr0: number; sr0_annualised: number };
    expect(Object.keys(parsed)).toEqual(["dsr", "sr0", "sr0_annualised"]);
    expect(parsed.dsr.toFixed(4)).toBe("0.9004");
    const at252 = JSON.parse((await runTrademl([...args, "--periods-per-year", "252", "--format", "json"])).stdout) as { dsr: number };
    expect(at252.dsr.toFixed(4)).toBe("0.8997");
    const tableRun = await runTrademl([...args, "--periods-per-year", "250"]);
    expect(tableRun.stdout).toMatch(/^deflated Sharpe ratio\s+0\.900397$/m);
  });

  it("refuses an option of another action", async () => {
    const run = await runTrademl(["validate", "dsr", "--sharpe", "1", "--periods", "100", "--trials", "5", "--trials-sharpe-var", "1", "--bins", "3"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--bins is not an option of validate dsr");
  });
});

describe("trademl validate pbo", () => {
  it("prints {pbo, …} for a T × N returns CSV", async () => {
    const file = returnsCsv("noise.csv", 320, 12, 5);
    const run = await runTrademl(["validate", "pbo", "--file", file, "--splits", "8", "--format", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const parsed = JSON.parse(run.stdout) as { pbo: number; combinations: number; logits: number[] };
    expect(Object.keys(parsed)[0]).toBe("pbo");
    expect(parsed.combinations).toBe(70);
    expect(parsed.logits).toHaveLength(70);
    expect(parsed.pbo).toBeGreaterThanOrEqual(0);
    expect(parsed.pbo).toBeLessThanOrEqual(1);
  });

  it("refuses an odd S (exit 2), too few rows and a ragged CSV (exit 3, naming the file and line)", async () => {
    const file = returnsCsv("short.csv", 20, 4, 6);
    const odd = await runTrademl(["validate", "pbo", "--file", file, "--splits", "7"]);
    expect(odd.code).toBe(2);
    expect(odd.stderr).toContain("even");
    const few = await runTrademl(["validate", "pbo", "--file", file, "--splits", "16"]);
    expect(few.code).toBe(3);
    expect(few.stderr).toContain(`${file}: 20 rows are too few for 16 splits`);
    const ragged = write("ragged.csv", "a,b,c\n0.1,0.2,0.3\n0.1,0.2\n");
    const bad = await runTrademl(["validate", "pbo", "--file", ragged, "--splits", "2"]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain(`${ragged}:3: 2 fields where the header has 3`);
    const text = write("text.csv", "a,b\n0.1,0.2\n0.1,oops\n");
    const word = await runTrademl(["validate", "pbo", "--file", text, "--splits", "2"]);
    expect(word.stderr).toContain(`${text}:3: column b holds "oops"`);
  });
});

describe("trademl validate calibration", () => {
  const rng = mulberry32(8);
  const rows = Array.from({ length: 500 }, () => {
    const p = rng();
    return `${rng() < p ? 1 : 0},${p.toFixed(4)}`;
  });
  const preds = write("preds.csv", `y,p\n${rows.join("\n")}\n`);

  it("prints {brier, log_loss, ece, …} and writes the reliability diagram as PNG and SVG", async () => {
    const png = join(dir, "reliability.png");
    const run = await runTrademl(["validate", "calibration", "--file", preds, "--bins", "10", "--plot", png, "--format", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const parsed = JSON.parse(run.stdout) as { brier: number; log_loss: number; ece: number; bins: unknown[] };
    expect(Object.keys(parsed).slice(0, 3)).toEqual(["brier", "log_loss", "ece"]);
    expect(parsed.bins).toHaveLength(10);
    expect([...readFileSync(png).subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const svg = join(dir, "reliability.svg");
    const table = await runTrademl(["validate", "calibration", "--file", preds, "--plot", svg]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^Brier score\s+0\.\d+$/m);
    expect(readFileSync(svg, "utf8")).toContain("observed frequency");
  }, 60_000);

  it("names the file and line of a probability outside [0, 1] and of a label that is not 0/1 (exit 3)", async () => {
    const bad = write("bad-p.csv", "y,p\n1,0.4\n0,1.5\n");
    const run = await runTrademl(["validate", "calibration", "--file", bad]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`${bad}:3: p must be a probability in [0, 1], not 1.5`);
    const label = write("bad-y.csv", "y,p\n1,0.4\n\n2,0.5\n");
    const second = await runTrademl(["validate", "calibration", "--file", label]);
    expect(second.stderr).toContain(`${label}:4: y must be 0 or 1`);
    const missing = write("no-p.csv", "y,q\n1,0.4\n");
    expect((await runTrademl(["validate", "calibration", "--file", missing])).stderr).toContain('no column "p"');
  });
});
