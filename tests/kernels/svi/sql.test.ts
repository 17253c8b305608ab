import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { registerSviFunctions } from "../../../src/kernels/svi/sql.ts";
import { analyticG, sviW } from "./engines.ts";

describe("DuckDB SVI functions", () => {
  it("evaluates stored surfaces with svi_w, svi_g and svi_vol, NULL in -> NULL out", async () => {
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    try {
      await registerSviFunctions(connection);
      await connection.run(`CREATE TABLE surface AS SELECT * FROM (VALUES
        ('2026-12-18', 0.25, 0.04, 0.1, -0.7, 0.05, 0.2),
        ('2027-06-18', 1.0, -0.041, 0.1331, 0.306, 0.3586, 0.4153),
        ('broken', 1.0, NULL, 0.1, 0.0, 0.0, 0.1)) AS t(expiry, t, a, b, rho, m, sigma)`);
      const reader = await connection.runAndReadAll(`
        SELECT expiry, k, svi_w(a, b, rho, m, sigma, k) AS w, svi_g(a, b, rho, m, sigma, k) AS g,
               svi_vol(a, b, rho, m, sigma, k, t) AS vol
        FROM surface, (SELECT unnest([-0.5, 0.0, 0.9]) AS k) ORDER BY expiry, k`);
      const rows = reader.getRowObjectsJS();
      expect(rows).toHaveLength(9);
      const params = {
        "2026-12-18": { t: 0.25, p: { a: 0.04, b: 0.1, rho: -0.7, m: 0.05, sigma: 0.2 } },
        "2027-06-18": { t: 1, p: { a: -0.041, b: 0.1331, rho: 0.306, m: 0.3586, sigma: 0.4153 } },
      } as const;
      for (const row of rows) {
        const k = Number(row["k"]);
        if (row["expiry"] === "broken") {
          expect(row["w"]).toBeNull();
          expect(row["g"]).toBeNull();
          continue;
        }
        const entry = params[row["expiry"] as keyof typeof params];
        expect(row["w"]).toBeCloseTo(sviW(entry.p, k), 15);
        expect(row["g"]).toBeCloseTo(analyticG(entry.p, k), 12);
        expect(row["vol"]).toBeCloseTo(Math.sqrt(sviW(entry.p, k) / entry.t), 14);
      }
      // Vogt's slice has g < 0 at k = 0.9: the SQL surface shows the butterfly arbitrage too.
      const vogt = rows.find((r) => r["expiry"] === "2027-06-18" && Number(r["k"]) === 0.9);
      expect(Number(vogt?.["g"])).toBeLessThan(0);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
