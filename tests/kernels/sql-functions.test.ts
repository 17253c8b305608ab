import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKernels, type Kernels } from "../../src/kernels/index.ts";
import { registerKernelFunctions } from "../../src/kernels/sql-functions.ts";

describe("DuckDB kernel functions", () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  let kernels: Kernels;

  beforeAll(async () => {
    kernels = await createKernels({ engine: "wasm" });
    instance = await DuckDBInstance.create(":memory:");
    connection = await instance.connect();
    registerKernelFunctions(connection, kernels);
  });

  afterAll(() => {
    connection.closeSync();
    instance.closeSync();
  });

  it("prices Haug's example in SQL and matches the kernel API", async () => {
    const reader = await connection.runAndReadAll(
      "SELECT bs_price(60, 65, 0.25, 0.08, 0, 0.30, true) AS p, bs_delta(60, 65, 0.25, 0.08, 0, 0.30, true) AS d",
    );
    const [row] = reader.getRowObjectsJS();
    const direct = kernels.bsmOne({ spot: 60, strike: 65, t: 0.25, rate: 0.08, div: 0, vol: 0.3, type: "call" });
    expect(row?.["p"]).toBe(direct.price);
    expect(row?.["d"]).toBe(direct.delta);
    expect(Math.abs(Number(row?.["p"]) - 2.1334)).toBeLessThan(5e-5);
  });

  it("evaluates implied_vol over a table of several chunks, NULL for NULL inputs and unsolvable rows", async () => {
    await connection.run(`
      CREATE TABLE chains AS
      SELECT i, 100.0 AS spot, 90 + (i % 21) AS strike, 0.1 + (i % 7) * 0.2 AS t, 0.03 AS rate, 0.01 AS div,
             0.15 + (i % 11) * 0.03 AS vol, (i % 2 = 0) AS is_call
      FROM range(5000) r(i)`);
    await connection.run("ALTER TABLE chains ADD COLUMN mid DOUBLE");
    await connection.run("UPDATE chains SET mid = bs_price(spot, strike, t, rate, div, vol, is_call)");
    const reader = await connection.runAndReadAll(
      "SELECT max(abs(implied_vol(mid, spot, strike, t, rate, div, is_call) - vol) / vol) AS worst, count(*) AS n FROM chains",
    );
    const [row] = reader.getRowObjectsJS();
    expect(Number(row?.["n"])).toBe(5000);
    expect(Number(row?.["worst"])).toBeLessThan(1e-9);

    const edge = await connection.runAndReadAll(`
      SELECT implied_vol(NULL, 100, 100, 1, 0, 0, true) AS null_in,
             implied_vol(-1, 100, 100, 1, 0, 0, true) AS below,
             implied_vol(5, 100, 100, 1, 0, 0, NULL) AS null_flag,
             bs_price(100, -5, 1, 0, 0, 0.2, true) AS bad_strike`);
    expect(edge.getRowObjectsJS()[0]).toEqual({ null_in: null, below: null, null_flag: null, bad_strike: null });
  });

  it("registers every function the issue names", async () => {
    const reader = await connection.runAndReadAll(
      "SELECT DISTINCT function_name FROM duckdb_functions() WHERE function_name IN ('bs_price','bs_delta','bs_gamma','bs_vega','bs_theta','bs_rho','implied_vol') ORDER BY 1",
    );
    expect(reader.getRowObjectsJS().map((r) => r["function_name"])).toEqual(
      ["bs_delta", "bs_gamma", "bs_price", "bs_rho", "bs_theta", "bs_vega", "implied_vol"],
    );
  });
});
