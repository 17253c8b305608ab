export { buildReference, REFERENCE_TABLES, type ReferenceOptions, type ReferenceReport, type TickRuleVersion } from "./build-reference.ts";
