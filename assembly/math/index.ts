// Scalar exports of the normal distribution, for tests, the reference vectors and the host's occasional use.
export { erfc, erfcx, normCdf, normPdf, normInv } from "./normal";
export { expX2Lane } from "./exp-x2";
