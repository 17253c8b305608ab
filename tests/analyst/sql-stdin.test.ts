/**
 * `trademl sql` reads its REPL input from the CLI context's stdin (CliIo.stdin), so the interactive path runs
 * in-process with any stream, and says clearly when there is no stdin at all.
 */
import { join, resolve } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.ts";
import { curateEquities } from "../../src/curate/curate-equities.ts";
import { buildReference } from "../../src/reference/index.ts";
import { createTestLake, type TestLake } from "../curate/lake-fixture.ts";

const CONFIGS = resolve(import.meta.dirname ?? ".", "../../configs");
let t: TestLake;
let env: Record<string, string>;

beforeAll(async () => {
  t = await createTestLake();
  env = { LAKE_ROOT: join(t.root, "lake"), TRADEML_LOG_LEVEL: "warn", HOME: t.root };
  await t.putBars("alpaca", [{ symbol: "XYZ", date: "2024-06-03", close: 10, volume: 100 }, { symbol: "XYZ", date: "2024-06-04", close: 11, volume: 100 }]);
  await t.putDelistings("polygon", [{ symbol: "OLD", delist_date: "2023-12-29", reason: "bankruptcy" }]);
  await curateEquities({ lake: t.lake, sourcePriority: ["alpaca", "polygon"] });
  await buildReference({ lake: t.lake, tickSize: [{ id: "reg_nms_612", effective_from: "2006-01-31", rules: [{ min_price: 0, tick: 0.01 }] }] });
});

afterAll(async () => {
  await t.close();
});

async function run(stdin: Readable | undefined): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(["sql", "--config-dir", CONFIGS, "--format", "csv"], {
    stdout: (text) => (stdout += text),
    stderr: { write: (line) => (stderr += line) },
    env,
    cwd: t.root,
    ...(stdin === undefined ? {} : { stdin }),
  });
  return { code, stdout, stderr };
}

describe("trademl sql reads the context's stdin", () => {
  it("answers statements piped through a stream given to runCli", async () => {
    const result = await run(Readable.from(["select symbol from delistings;\n", "select count(*) as n from delistings;\n"]));
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("symbol\nOLD\nn\n1\n");
  });

  it("without a stdin and without -c or --file, fails with a usage error", async () => {
    const result = await run(undefined);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no_stdin");
  });
});
