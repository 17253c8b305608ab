/**
 * DuckDB scalar functions over stored SVI parameters, so analysts can evaluate surfaces in SQL:
 *   svi_w(a, b, rho, m, sigma, k)  -> total implied variance w(k)
 *   svi_g(a, b, rho, m, sigma, k)  -> Gatheral–Jacquier's butterfly function g(k) (NULL where w <= 0)
 *   svi_vol(a, b, rho, m, sigma, k, t) -> implied volatility sqrt(w(k)/t) (NULL where w < 0 or t <= 0)
 * A NULL argument gives NULL. The arithmetic is the kernels' own (src/kernels/portable/svi/eval.ts, compiled by
 * tsc), identical to the WebAssembly kernels bit for bit. @duckdb/node-api is imported lazily so that loading the
 * kernels never loads DuckDB.
 */
import type { DuckDBConnection, DuckDBDataChunk, DuckDBVector } from "@duckdb/node-api";
import { rawG, rawW } from "../portable/svi/eval.ts";

function readNumber(chunk: DuckDBDataChunk, column: number, row: number): number | null {
  const v = chunk.getColumnVector(column).getItem(row);
  return typeof v === "number" ? v : null;
}

function mapRows(
  chunk: DuckDBDataChunk, out: DuckDBVector, arity: number, f: (args: number[]) => number | null,
): void {
  const rows = chunk.rowCount;
  const args = new Array<number>(arity).fill(0);
  for (let r = 0; r < rows; r++) {
    let isNull = false;
    for (let c = 0; c < arity; c++) {
      const v = readNumber(chunk, c, r);
      if (v === null) { isNull = true; break; }
      args[c] = v;
    }
    out.setItem(r, isNull ? null : f(args));
  }
  out.flush();
}

const at = (args: readonly number[], i: number): number => args[i] ?? Number.NaN;

/** Registers svi_w, svi_g and svi_vol on a connection (they live as long as its database instance). */
export async function registerSviFunctions(connection: DuckDBConnection): Promise<void> {
  const { DuckDBScalarFunction, DOUBLE } = await import("@duckdb/node-api");
  const six = [DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE];
  connection.registerScalarFunction(DuckDBScalarFunction.create({
    name: "svi_w",
    returnType: DOUBLE,
    parameterTypes: six,
    mainFunction: (_info, chunk, out) =>
      mapRows(chunk, out, 6, (x) => rawW(at(x, 0), at(x, 1), at(x, 2), at(x, 3), at(x, 4), at(x, 5))),
  }));
  connection.registerScalarFunction(DuckDBScalarFunction.create({
    name: "svi_g",
    returnType: DOUBLE,
    parameterTypes: six,
    mainFunction: (_info, chunk, out) =>
      mapRows(chunk, out, 6, (x) => {
        const g = rawG(at(x, 0), at(x, 1), at(x, 2), at(x, 3), at(x, 4), at(x, 5));
        return Number.isNaN(g) ? null : g;
      }),
  }));
  connection.registerScalarFunction(DuckDBScalarFunction.create({
    name: "svi_vol",
    returnType: DOUBLE,
    parameterTypes: [...six, DOUBLE],
    mainFunction: (_info, chunk, out) =>
      mapRows(chunk, out, 7, (x) => {
        const w = rawW(at(x, 0), at(x, 1), at(x, 2), at(x, 3), at(x, 4), at(x, 5));
        const t = at(x, 6);
        return w >= 0 && t > 0 ? Math.sqrt(w / t) : null;
      }),
  }));
}
