// Scalar exports of the normal distribution (written once: src/kernels/portable/math/) and of the f64x2 exp.
// (asc resolves `export ... from` paths without the .ts extension; imports accept both.)
export { erfc, erfcx, normCdf, normInv, normPdf } from "../../src/kernels/portable/math/normal";
export { expX2Lane } from "./exp-x2";
