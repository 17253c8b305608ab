import { describe, expect, it } from "vitest";
import { runTrademl } from "../helpers/cli.ts";

describe("trademl calendar", () => {
  it("prints date,open,close as CSV in New York time", async () => {
    const run = await runTrademl(["calendar", "--from", "2024-01-01", "--to", "2024-12-31", "--format", "csv"]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines[0]).toBe("date,open,close");
    expect(lines).toHaveLength(1 + 252);
    expect(lines).toContain("2024-07-03,09:30,13:00");
    expect(lines).toContain("2024-07-05,09:30,16:00");
    expect(lines.some((line) => line.startsWith("2024-07-04"))).toBe(false);
  });

  it("prints a readable table by default", async () => {
    const run = await runTrademl(["calendar", "--from", "2024-11-25", "--to", "2024-12-02"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/2024-11-29\s+Fri\s+09:30\s+13:00\s+210\s+Day after Thanksgiving/);
    expect(run.stdout).not.toContain("2024-11-28");
    expect(run.stdout).toContain("5 sessions");
  });

  it("exits 2 on a bad date, a reversed range or an unknown format", async () => {
    for (const argv of [
      ["calendar", "--from", "2024-02-30"],
      ["calendar", "--from", "2024-03-01", "--to", "2024-02-01"],
      ["calendar", "--from", "1980-01-01", "--to", "1980-12-31"],
      ["calendar", "--format", "xml"],
    ]) {
      const run = await runTrademl(argv);
      expect(run.code, argv.join(" ")).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(/trademl: /);
    }
  });
});
