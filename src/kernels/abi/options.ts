/**
 * ABI of the option kernels: the normal distribution, Black-Scholes-Merton and implied volatility
 * (src/kernels/portable/{math,bsm,iv}/, and assembly/bsm/ for the f64x2 batch).
 */
import { BSM_STATUS_NAMES, IV_STATUS_NAMES } from "../types.ts";
import { f64, i32, input, kernelExport, output, sized, type AbiExport, type BufferParam } from "./types.ts";

const rows = sized("n");

/** One f64 input of n rows per name. */
function columns(...names: string[]): BufferParam[] {
  return names.map((name) => input(name, "f64", rows));
}

/** One f64 argument, one f64 result. */
const ofX = (name: string, summary: string): AbiExport => kernelExport("math", name, summary, [f64("x")], "f64");

export const MATH_ABI: readonly AbiExport[] = [
  ofX("erfc", "complementary error function (musl)"),
  ofX("erfcx", "scaled complementary error function exp(x^2) erfc(x)"),
  ofX("normCdf", "standard normal distribution function"),
  ofX("normPdf", "standard normal density"),
  ofX("normInv", "inverse standard normal distribution function (AS 241)"),
  { ...ofX("expX2Lane", "lane 0 of the f64x2 exp of (x, x), for tests"), builds: ["wasm"] },
];

export const BSM_BATCH = kernelExport(
  "bsm", "bsmBatch", "prices and Greeks of n options; returns the rows not ok (-1 when n < 0)",
  [
    i32("n"), ...columns("spot", "strike", "t", "rate", "div", "vol"), input("isCall", "u8", rows),
    output("price", "f64", rows),
    ...["delta", "gamma", "vega", "theta", "rho", "vanna", "volga", "charm"].map((name) => output(name, "f64", rows, true)),
    output("status", "i32", rows),
  ],
  "i32", { statuses: BSM_STATUS_NAMES },
);

export const NORMALISED_BLACK_PRICE = kernelExport(
  "bsm", "normalisedBlackPrice", "the normalised Black function b(x, s, theta)", [f64("x"), f64("s"), i32("isCall")], "f64",
);

export const IMPLIED_VOL_BATCH = kernelExport(
  "iv", "impliedVolBatch", "implied vols of n quotes (Let's Be Rational); returns the rows not ok (-1 when n < 0)",
  [
    i32("n"), ...columns("price", "spot", "strike", "t", "rate", "div"), input("isCall", "u8", rows),
    output("vol", "f64", rows), output("status", "i32", rows),
  ],
  "i32", { statuses: IV_STATUS_NAMES },
);

export const IMPLIED_VOL_SCALAR = kernelExport(
  "iv", "impliedVolScalar", "the implied vol of one quote (status: impliedVolStatus)",
  [f64("price"), f64("spot"), f64("strike"), f64("t"), f64("rate"), f64("div"), i32("isCall")], "f64",
);

export const IMPLIED_VOL_STATUS = kernelExport(
  "iv", "impliedVolStatus", "the status of the last one-quote solve", [], "i32", { statuses: IV_STATUS_NAMES },
);

export const IV_ABI: readonly AbiExport[] = [
  IMPLIED_VOL_BATCH,
  IMPLIED_VOL_SCALAR,
  IMPLIED_VOL_STATUS,
  kernelExport("iv", "impliedVolIterations", "Householder steps of the last solve, for tests", [], "i32"),
  kernelExport(
    "iv", "impliedNormalisedVol", "s with b(x, s, theta) = beta (status: impliedVolStatus)",
    [f64("beta"), f64("x"), i32("isCall")], "f64",
  ),
];

export const BSM_ABI: readonly AbiExport[] = [BSM_BATCH, NORMALISED_BLACK_PRICE];
