// SVI volatility-surface kernels: raw SVI evaluation, quasi-explicit calibration per expiry and the
// butterfly-arbitrage scan. Host side: src/kernels/svi/.
export { sviEval } from "./eval";
export { sviButterflyScan } from "./butterfly";
export { sviFitBatch } from "./fit";
