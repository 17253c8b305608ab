// The defects of issue 11 item 8 in option parsing (each test failed before the fix), and the shared option
// parsers of src/cli/option-parsers.ts that every command can use.
import { describe, expect, it } from "vitest";
import { dateOption, enumOption, integerOption, numberOption, optionalNumber, stringOption } from "../../src/cli/option-parsers.ts";
import { runTrademl } from "../helpers/cli.ts";

const BSM = ["calc", "bsm", "--strike", "100", "--t", "0.5", "--vol", "0.2"];

describe("negative numbers as option values", () => {
  it("reads `--spot -100` as the value -100 and reports the rule it breaks, not an unknown option -0", async () => {
    const run = await runTrademl([...BSM, "--spot", "-100"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--spot must be > 0");
    expect(run.stderr).not.toMatch(/unknown option/i);
  });

  it("accepts a negative rate given as `--rate -0.01` (same result as `--rate=-0.01`)", async () => {
    const spaced = await runTrademl([...BSM, "--spot", "100", "--rate", "-0.01", "--json"]);
    const joined = await runTrademl([...BSM, "--spot", "100", "--rate=-0.01", "--json"]);
    expect(spaced.code).toBe(0);
    expect(spaced.stdout).toBe(joined.stdout);
    expect((JSON.parse(spaced.stdout) as { input: { rate: number } }).input.rate).toBe(-0.01);
  });

  it("keeps `-.5` and `-1e-3` as values too", async () => {
    const run = await runTrademl([...BSM, "--spot", "100", "--rate", "-.5", "--div", "-1e-3", "--json"]);
    expect(run.code).toBe(0);
    const input = (JSON.parse(run.stdout) as { input: { rate: number; div: number } }).input;
    expect(input).toMatchObject({ rate: -0.5, div: -0.001 });
  });
});

describe("unknown global flags", () => {
  it("`trademl --verbose curate` exits 2 with the error on stderr and prints no help", async () => {
    const run = await runTrademl(["--verbose", "curate"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--verbose");
    expect(run.stdout).toBe("");
  });

  it("an unknown flag alone also fails", async () => {
    const run = await runTrademl(["--frobnicate"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--frobnicate");
  });

  it("known globals before the command still work", async () => {
    const run = await runTrademl(["--log-level", "warn", ...BSM, "--spot", "100", "--json"]);
    expect(run.code).toBe(0);
  });
});

describe("calc quirks", () => {
  it("rejects hexadecimal and other non-decimal numbers (`0x10` was read as 16)", async () => {
    for (const text of ["0x10", "0b11", "1_000", "Infinity", " 5", ""]) {
      const run = await runTrademl([...BSM, `--spot=${text}`]);
      expect(run.code, text).toBe(2);
      expect(run.stderr, text).toContain("--spot");
    }
  });

  it("`calc iv` refuses --vol instead of silently ignoring it", async () => {
    const run = await runTrademl(["calc", "iv", "--price", "5", "--spot", "100", "--strike", "100", "--t", "0.5", "--vol", "0.2"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--vol");
    expect(run.stderr).toContain("calc iv");
  });

  it("`calc bsm` refuses --price", async () => {
    const run = await runTrademl([...BSM, "--spot", "100", "--price", "3"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--price");
  });

  it("shows an infinite Greek the same way in the table and in JSON at t = 0", async () => {
    const args = ["calc", "bsm", "--spot", "100", "--strike", "100", "--t", "0", "--vol", "0.2"];
    const table = await runTrademl(args);
    const json = await runTrademl([...args, "--json"]);
    expect(table.code).toBe(0);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(parsed["gamma"]).toBe("Infinity");
    expect(parsed["theta"]).toBe("-Infinity");
    expect(table.stdout).toMatch(/^gamma\s+Infinity$/m);
    expect(table.stdout).toMatch(/^theta\s+-Infinity$/m);
  });
});

describe("shared option parsers", () => {
  it("numberOption: strict decimal syntax, bounds, defaults and the flag's name in errors", () => {
    expect(numberOption({ skew: "-3" }, "skew")).toBe(-3);
    expect(numberOption({}, "rate", { default: 0 })).toBe(0);
    expect(() => numberOption({}, "vol")).toThrow(/--vol is required/);
    expect(() => numberOption({ spot: "0" }, "spot", { greaterThan: 0 })).toThrow(/--spot must be > 0/);
    expect(() => numberOption({ p: "1.5" }, "p", { min: 0, max: 1 })).toThrow(/--p must be <= 1/);
    expect(() => numberOption({ tradingDays: "1e999" }, "tradingDays")).toThrow(/--trading-days/);
    expect(() => numberOption({ x: ["1", "2"] }, "x")).toThrow(/once/);
    expect(optionalNumber({}, "x")).toBeUndefined();
  });

  it("integerOption rejects fractions and unsafe integers", () => {
    expect(integerOption({ n: "20" }, "n", { min: 1 })).toBe(20);
    expect(() => integerOption({ n: "2.5" }, "n")).toThrow(/--n must be an integer/);
    expect(() => integerOption({ n: "1e300" }, "n")).toThrow(/--n must be an integer/);
    expect(() => integerOption({ folds: "2" }, "folds", { min: 3 })).toThrow(/--folds must be >= 3/);
  });

  it("dateOption accepts real calendar dates only", () => {
    expect(dateOption({ from: "2024-02-29" }, "from")).toBe("2024-02-29");
    expect(() => dateOption({ from: "2023-02-29" }, "from")).toThrow(/--from/);
    expect(() => dateOption({ from: "2024-2-1" }, "from")).toThrow(/YYYY-MM-DD/);
    expect(dateOption({}, "from")).toBeUndefined();
  });

  it("enumOption lists the allowed values", () => {
    expect(enumOption({ format: "json" }, "format", ["table", "json"], "table")).toBe("json");
    expect(enumOption({}, "format", ["table", "json"], "table")).toBe("table");
    expect(() => enumOption({ format: "xml" }, "format", ["table", "json"], "table")).toThrow(/--format must be one of table, json/);
  });

  it("stringOption refuses a flag given without a value", () => {
    expect(stringOption({ file: "a.csv" }, "file")).toBe("a.csv");
    expect(() => stringOption({ file: true }, "file")).toThrow(/--file needs a value/);
  });
});
