// docs/validation.md stays true: every command it shows is run, and the lines it quotes appear in the output.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runTrademl } from "../helpers/cli.ts";

const doc = readFileSync(new URL("../../docs/validation.md", import.meta.url), "utf8");

/** The `$ trademl …` commands of the doc's sh blocks, with the output lines shown under each (without "..."). */
function examples(): { argv: string[]; shown: string[] }[] {
  const out: { argv: string[]; shown: string[] }[] = [];
  for (const block of doc.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const lines = (block[1] ?? "").replace(/ \\\n\s+/g, " ").split("\n");
    const command = lines[0]?.replace(/^\$ trademl /, "") ?? "";
    const argv = command.split(/\s+/).filter((word) => word !== "" && !word.startsWith("--plot") && !word.endsWith(".png"));
    out.push({ argv, shown: lines.slice(1).filter((line) => line.trim() !== "" && line.trim() !== "...") });
  }
  return out;
}

describe("docs/validation.md", () => {
  it("shows the output its commands really print", async () => {
    const all = examples();
    expect(all.length).toBe(4);
    for (const { argv, shown } of all) {
      const run = await runTrademl(argv);
      expect(run.code, `${argv.join(" ")}: ${run.stderr}`).toBe(0);
      for (const line of shown) expect(run.stdout, argv.join(" ")).toContain(line.trimEnd());
    }
  }, 60_000);
});
