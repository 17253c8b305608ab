// Implied volatility (written once: src/kernels/portable/iv/).
export {
  impliedNormalisedVol, impliedVolBatch, impliedVolScalar, impliedVolStatus,
} from "../../src/kernels/portable/iv/implied-vol";
export { lastSolveIterations as impliedVolIterations } from "../../src/kernels/portable/iv/lets-be-rational";
