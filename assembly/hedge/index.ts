// Hedging kernel: delta-hedging a book of options along many paths with costs, financing and borrow, and the PnL
// of every step explained by the Greeks. Host side: src/kernels/hedge/. Buffer layouts and status codes:
// layout.ts; the arithmetic: run.ts.
export { hedgeLayoutDigest } from "./layout";
export { hedgeScratchBytes } from "./scratch";
export { hedgeRun } from "./run";
