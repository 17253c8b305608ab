// SVI volatility-surface kernels (written once: src/kernels/portable/svi/): raw SVI evaluation, quasi-explicit
// calibration per expiry and the butterfly-arbitrage scan. Host side: src/kernels/svi/.
export { sviEval } from "../../src/kernels/portable/svi/eval";
export { sviButterflyScan } from "../../src/kernels/portable/svi/butterfly";
export { sviFitBatch } from "../../src/kernels/portable/svi/fit";
