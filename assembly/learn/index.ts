// Learning kernels: ridge regression and histogram gradient-boosted trees, fit and predict. Host side:
// src/kernels/learn/. Buffer layouts and status codes: layout.ts.
export { learnLayoutDigest } from "./layout";
export { ridgeFit, ridgeScratchBytes, linearPredict } from "./ridge";
export { gbdtFitBegin, gbdtFitStep, gbdtScratchBytes } from "./gbdt";
export { gbdtPredict } from "./predict";
