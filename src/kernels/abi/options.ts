/**
 * ABI of the option kernels: the normal distribution, Black-Scholes-Merton and implied volatility
 * (src/kernels/portable/{math,bsm,iv}/, and assembly/bsm/ for the f64x2 batch).
 */
import { BSM_STATUS_NAMES, IV_STATUS_NAMES } from "../types.ts";
import { BOTH_BUILDS, f64, i32, input, output, sized, type AbiExport, type BufferParam } from "./types.ts";

const rows = sized("n");

/** One f64 input of n rows per name. */
function columns(...names: string[]): BufferParam[] {
  return names.map((name) => input(name, "f64", rows));
}

/** One f64 argument, one f64 result. */
function scalarFunction(name: string, family: string, summary: string): AbiExport {
  return { name, family, summary, params: [f64("x")], result: "f64", builds: BOTH_BUILDS };
}

export const MATH_ABI: readonly AbiExport[] = [
  scalarFunction("erfc", "math", "complementary error function (musl)"),
  scalarFunction("erfcx", "math", "scaled complementary error function exp(x^2) erfc(x)"),
  scalarFunction("normCdf", "math", "standard normal distribution function"),
  scalarFunction("normPdf", "math", "standard normal density"),
  scalarFunction("normInv", "math", "inverse standard normal distribution function (AS 241)"),
  { ...scalarFunction("expX2Lane", "math", "lane 0 of the f64x2 exp of (x, x), for tests"), builds: ["wasm"] },
];

export const BSM_BATCH: AbiExport = {
  name: "bsmBatch", family: "bsm",
  summary: "prices and Greeks of n options; returns the rows not ok (-1 when n < 0)",
  params: [
    i32("n"), ...columns("spot", "strike", "t", "rate", "div", "vol"), input("isCall", "u8", rows),
    output("price", "f64", rows),
    output("delta", "f64", rows, true), output("gamma", "f64", rows, true), output("vega", "f64", rows, true),
    output("theta", "f64", rows, true), output("rho", "f64", rows, true), output("vanna", "f64", rows, true),
    output("volga", "f64", rows, true), output("charm", "f64", rows, true),
    output("status", "i32", rows),
  ],
  result: "i32", builds: BOTH_BUILDS, statuses: BSM_STATUS_NAMES,
};

export const NORMALISED_BLACK_PRICE: AbiExport = {
  name: "normalisedBlackPrice", family: "bsm", summary: "the normalised Black function b(x, s, theta)",
  params: [f64("x"), f64("s"), i32("isCall")], result: "f64", builds: BOTH_BUILDS,
};

export const IMPLIED_VOL_BATCH: AbiExport = {
  name: "impliedVolBatch", family: "iv",
  summary: "implied vols of n quotes (Let's Be Rational); returns the rows not ok (-1 when n < 0)",
  params: [
    i32("n"), ...columns("price", "spot", "strike", "t", "rate", "div"), input("isCall", "u8", rows),
    output("vol", "f64", rows), output("status", "i32", rows),
  ],
  result: "i32", builds: BOTH_BUILDS, statuses: IV_STATUS_NAMES,
};

export const IMPLIED_VOL_SCALAR: AbiExport = {
  name: "impliedVolScalar", family: "iv", summary: "the implied vol of one quote (status: impliedVolStatus)",
  params: [f64("price"), f64("spot"), f64("strike"), f64("t"), f64("rate"), f64("div"), i32("isCall")],
  result: "f64", builds: BOTH_BUILDS,
};

export const IMPLIED_VOL_STATUS: AbiExport = {
  name: "impliedVolStatus", family: "iv", summary: "the status of the last one-quote solve",
  params: [], result: "i32", builds: BOTH_BUILDS, statuses: IV_STATUS_NAMES,
};

export const IV_ABI: readonly AbiExport[] = [
  IMPLIED_VOL_BATCH,
  IMPLIED_VOL_SCALAR,
  IMPLIED_VOL_STATUS,
  {
    name: "impliedVolIterations", family: "iv", summary: "Householder steps of the last solve, for tests",
    params: [], result: "i32", builds: BOTH_BUILDS,
  },
  {
    name: "impliedNormalisedVol", family: "iv", summary: "s with b(x, s, theta) = beta (status: impliedVolStatus)",
    params: [f64("beta"), f64("x"), i32("isCall")], result: "f64", builds: BOTH_BUILDS,
  },
];

export const BSM_ABI: readonly AbiExport[] = [BSM_BATCH, NORMALISED_BLACK_PRICE];
