/**
 * Post-collection steps `trademl demo` runs, in order. Owners of later pipeline stages (audit, curation,
 * reference, options) append their step here; each receives the demo lake and returns lines for the report.
 */
import type { DemoStep } from "./demo.ts";

export const DEMO_STEPS: DemoStep[] = [];
