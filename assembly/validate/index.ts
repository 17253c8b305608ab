// Validation kernels: cross-validation fold scoring. Host side: src/kernels/fold-scoring/.
export { scoreFolds, foldScoringScratchBytes } from "./fold-scoring";
