/**
 * Every SQL function of the kernels (docs/kernels.md "SQL", docs/volatility-surfaces.md "SQL") works in
 * `trademl sql`: with -c, with --file and through the REPL's piped input.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.ts";
import { CONFIGS, createThreeTableLake, type SmallLake } from "./small-lake.ts";

let lake: SmallLake;

beforeAll(async () => {
  lake = await createThreeTableLake();
});

afterAll(async () => {
  await lake.close();
});

// Hull, "Options, Futures and Other Derivatives", Example 15.6: S=42, K=40, r=10%, σ=20%, T=0.5 → c=4.76, p=0.81.
const HULL = "42.0, 40.0, 0.5, 0.1, 0.0, 0.2";
const SVI = { a: 0.04, b: 0.1, rho: -0.3, m: 0.05, sigma: 0.2, k: 0.1, t: 0.5 };
const sviW = (p: typeof SVI): number => p.a + p.b * (p.rho * (p.k - p.m) + Math.sqrt((p.k - p.m) ** 2 + p.sigma ** 2));
const SVI_ARGS = `${SVI.a}, ${SVI.b}, ${SVI.rho}, ${SVI.m}, ${SVI.sigma}, ${SVI.k}`;

const QUERY = `select bs_price(${HULL}, true) as call, bs_price(${HULL}, false) as put,
  bs_delta(${HULL}, true) as delta, bs_gamma(${HULL}, true) as gamma, bs_vega(${HULL}, true) as vega,
  bs_theta(${HULL}, true) as theta, bs_rho(${HULL}, true) as rho,
  implied_vol(bs_price(${HULL}, true), 42.0, 40.0, 0.5, 0.1, 0.0, true) as iv,
  svi_w(${SVI_ARGS}) as w, svi_g(${SVI_ARGS}) as g, svi_vol(${SVI_ARGS}, ${SVI.t}) as vol,
  (select count(*) from alpha) as alpha_rows`;

function checkRow(row: Record<string, unknown>): void {
  expect(Number(row["call"])).toBeCloseTo(4.76, 2);
  expect(Number(row["put"])).toBeCloseTo(0.81, 2);
  for (const greek of ["delta", "gamma", "vega", "theta", "rho"]) expect(Number.isFinite(Number(row[greek]))).toBe(true);
  expect(Number(row["delta"])).toBeGreaterThan(0.5);
  expect(Number(row["iv"])).toBeCloseTo(0.2, 10);
  expect(Number(row["w"])).toBeCloseTo(sviW(SVI), 14);
  expect(Number(row["vol"])).toBeCloseTo(Math.sqrt(sviW(SVI) / SVI.t), 14);
  expect(Number.isFinite(Number(row["g"]))).toBe(true);
  expect(row["alpha_rows"]).toBe("3");
}

describe("kernel SQL functions in trademl sql", () => {
  it("-c evaluates the BSM, implied-vol and SVI functions", async () => {
    const run = await lake.sql(["-c", QUERY, "--format", "json"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout) as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    checkRow(rows[0] ?? {});
  });

  it("--file evaluates them too", async () => {
    const file = join(lake.root, "kernels.sql");
    await writeFile(file, `${QUERY};\n`);
    const run = await lake.sql(["--file", file, "--format", "json"]);
    expect(run.stderr).toBe("");
    checkRow((JSON.parse(run.stdout) as Record<string, unknown>[])[0] ?? {});
  });

  it("the REPL (piped input) evaluates them too", async () => {
    let stdout = "";
    let stderr = "";
    const code = await runCli(["sql", "--config-dir", CONFIGS, "--format", "json"], {
      stdout: (text) => (stdout += text),
      stderr: { write: (line) => (stderr += line) },
      env: lake.env,
      cwd: lake.root,
      stdin: Readable.from([`${QUERY};\n`]),
    });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    checkRow((JSON.parse(stdout) as Record<string, unknown>[])[0] ?? {});
  });
});
