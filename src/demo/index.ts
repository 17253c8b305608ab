/** `trademl demo`: collection against the simulator, then audit, curation and reference data (public surface). */
export { runDemo, DEFAULT_DEMO_SYMBOLS, type DemoOptions, type DemoResult, type DemoStep, type DemoStepContext } from "./run-demo.ts";
export { DEMO_STEPS } from "./demo-steps.ts";
