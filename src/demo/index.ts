/** `trademl demo`: collection against the simulator, then the node's nightly DAG (audit, curation, reference data). */
export { runDemo, DEFAULT_DEMO_SYMBOLS, type DemoOptions, type DemoResult } from "./run-demo.ts";
