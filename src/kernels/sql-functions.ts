/**
 * DuckDB scalar functions over the option kernels, so analysts can write
 *   SELECT implied_vol(mid, spot, strike, t, rate, div, is_call) FROM options_chains
 *
 * Registered per connection with @duckdb/node-api's DuckDBScalarFunction (the C API's duckdb_scalar_function):
 * DuckDB hands the main function one data chunk (up to 2048 rows) at a time; we read the chunk's columns into
 * typed arrays and make ONE batch kernel call per chunk (not one per row). Rows with a NULL argument, invalid
 * inputs or no implied vol give NULL, the SQL way of saying "no number" (the status itself is in the kernel API).
 *
 *   bs_price|bs_delta|bs_gamma|bs_vega|bs_theta|bs_rho(spot, strike, t, rate, div, vol, is_call BOOLEAN) -> DOUBLE
 *   implied_vol(price, spot, strike, t, rate, div, is_call BOOLEAN) -> DOUBLE
 *   implied_vol_fwd(price, forward, strike, t, df, is_call BOOLEAN) -> DOUBLE      (Black-76 on the forward)
 *   implied_vol_fwd_status(price, forward, strike, t, df, is_call BOOLEAN) -> VARCHAR  ('ok', 'expired', ...)
 * The forward forms are `impliedVolForward` (implied-vol-forward.ts), the path the options pass stores
 * `options_iv` with, so a query reproduces that table bit for bit; their status is never NULL.
 */
import {
  BOOLEAN, DOUBLE, DuckDBDoubleVector, DuckDBScalarFunction, DuckDBVarCharVector, VARCHAR, type DuckDBConnection, type DuckDBDataChunk,
  type DuckDBScalarMainFunction, type DuckDBVector,
} from "@duckdb/node-api";
import { KernelError } from "../domain/errors.ts";
import { forwardIvStatusName, impliedVolForward, type ForwardIvResult } from "./implied-vol-forward.ts";
import type { OptionFamily } from "./options.ts";
import type { BsmResult } from "./types.ts";

export const KERNEL_SQL_FUNCTIONS = [
  "bs_price", "bs_delta", "bs_gamma", "bs_vega", "bs_theta", "bs_rho", "implied_vol", "implied_vol_fwd", "implied_vol_fwd_status",
] as const;

interface ChunkColumns {
  readonly rows: number;
  readonly numbers: Float64Array[];
  readonly isCall: Uint8Array;
  /** 1 where any argument was NULL. */
  readonly isNull: Uint8Array;
}

function readChunk(chunk: DuckDBDataChunk, numericColumns: number): ChunkColumns {
  const rows = chunk.rowCount;
  const isNull = new Uint8Array(rows);
  const numbers: Float64Array[] = [];
  for (let c = 0; c < numericColumns; c++) {
    const vector = chunk.getColumnVector(c);
    const out = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      const v = vector.getItem(i);
      if (typeof v === "number") out[i] = v;
      else isNull[i] = 1;
    }
    numbers.push(out);
  }
  const flags = chunk.getColumnVector(numericColumns);
  const isCall = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = flags.getItem(i);
    if (typeof v === "boolean") isCall[i] = v ? 1 : 0;
    else isNull[i] = 1;
  }
  return { rows, numbers, isCall, isNull };
}

function writeOutput(output: DuckDBVector, values: Float64Array, status: Int32Array, isNull: Uint8Array): void {
  if (!(output instanceof DuckDBDoubleVector)) {
    throw new KernelError("kernel_sql_output", `expected a DOUBLE output vector, got ${output.type.toString()}`);
  }
  const out = output;
  for (let i = 0; i < values.length; i++) {
    out.setItem(i, isNull[i] === 1 || status[i] !== 0 ? null : (values[i] ?? null));
  }
  out.flush();
}

function column(columns: ChunkColumns, i: number): Float64Array {
  return columns.numbers[i] ?? new Float64Array(columns.rows).fill(Number.NaN);
}

/** DuckDB reports a failure through setError; a throw would escape into the native caller. */
function guarded(main: DuckDBScalarMainFunction): DuckDBScalarMainFunction {
  return (info, chunk, output) => {
    try {
      main(info, chunk, output);
    } catch (error) {
      info.setError(error instanceof Error ? error.message : String(error));
    }
  };
}

/** `impliedVolForward` over one chunk (price, forward, strike, t, df, is_call). */
function forwardChunk(kernels: OptionFamily, chunk: DuckDBDataChunk): { cols: ChunkColumns; r: ForwardIvResult } {
  const cols = readChunk(chunk, 5);
  const r = impliedVolForward(kernels, {
    price: column(cols, 0), forward: column(cols, 1), strike: column(cols, 2), t: column(cols, 3), df: column(cols, 4),
    isCall: cols.isCall, isNull: cols.isNull,
  });
  return { cols, r };
}

type GreekName = "delta" | "gamma" | "vega" | "theta" | "rho";

/** Registers the seven functions on `connection`, evaluated by `kernels` (either engine). */
export function registerKernelFunctions(connection: DuckDBConnection, kernels: OptionFamily): void {
  const optionParameters = [DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, BOOLEAN];

  const bsmInputs = (cols: ChunkColumns) => ({
    spot: column(cols, 0), strike: column(cols, 1), t: column(cols, 2), rate: column(cols, 3), div: column(cols, 4),
    vol: column(cols, 5), isCall: cols.isCall,
  });

  connection.registerScalarFunction(
    DuckDBScalarFunction.create({
      name: "bs_price",
      returnType: DOUBLE,
      parameterTypes: optionParameters,
      mainFunction: guarded((_info, chunk, output) => {
        const cols = readChunk(chunk, 6);
        const r = kernels.bsmPrice(bsmInputs(cols));
        writeOutput(output, r.price, r.status, cols.isNull);
      }),
    }),
  );

  for (const greek of ["delta", "gamma", "vega", "theta", "rho"] as const satisfies readonly GreekName[]) {
    connection.registerScalarFunction(
      DuckDBScalarFunction.create({
        name: `bs_${greek}`,
        returnType: DOUBLE,
        parameterTypes: optionParameters,
        mainFunction: guarded((_info, chunk, output) => {
          const cols = readChunk(chunk, 6);
          const r: BsmResult = kernels.bsm(bsmInputs(cols));
          writeOutput(output, r[greek], r.status, cols.isNull);
        }),
      }),
    );
  }

  connection.registerScalarFunction(
    DuckDBScalarFunction.create({
      name: "implied_vol",
      returnType: DOUBLE,
      parameterTypes: optionParameters,
      mainFunction: guarded((_info, chunk, output) => {
        const cols = readChunk(chunk, 6);
        const r = kernels.impliedVol({
          price: column(cols, 0), spot: column(cols, 1), strike: column(cols, 2), t: column(cols, 3),
          rate: column(cols, 4), div: column(cols, 5), isCall: cols.isCall,
        });
        writeOutput(output, r.vol, r.status, cols.isNull);
      }),
    }),
  );

  const forwardParameters = [DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, BOOLEAN];
  connection.registerScalarFunction(
    DuckDBScalarFunction.create({
      name: "implied_vol_fwd",
      returnType: DOUBLE,
      parameterTypes: forwardParameters,
      // Called for NULL arguments too, so that the status function can name them (missing_input).
      specialHandling: true,
      mainFunction: guarded((_info, chunk, output) => {
        const { cols, r } = forwardChunk(kernels, chunk);
        writeOutput(output, r.vol, r.status, cols.isNull);
      }),
    }),
  );
  connection.registerScalarFunction(
    DuckDBScalarFunction.create({
      name: "implied_vol_fwd_status",
      returnType: VARCHAR,
      parameterTypes: forwardParameters,
      specialHandling: true,
      mainFunction: guarded((_info, chunk, output) => {
        const { r } = forwardChunk(kernels, chunk);
        if (!(output instanceof DuckDBVarCharVector)) {
          throw new KernelError("kernel_sql_output", `expected a VARCHAR output vector, got ${output.type.toString()}`);
        }
        for (let i = 0; i < r.status.length; i++) output.setItem(i, forwardIvStatusName(r.status[i] ?? -1));
        output.flush();
      }),
    }),
  );
}
