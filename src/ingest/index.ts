/** The edge collector and one node pass (public surface, re-exported by src/index.ts). */
export { runCollection, type CollectorOptions, type CollectionReport, type VendorSummary } from "./collector.ts";
export { runNodePass, DEFAULT_NODE_UNIVERSE, type NodePassOptions, type NodePassResult } from "./node-pass.ts";
export { ensureLakeOrigin, readLakeOrigin, ORIGIN_KEY, type LakeOrigin } from "./ingest-lake.ts";
export { DATASETS, INGEST_VENDORS, rawTable, type DatasetSpec, type DatasetName, type IngestVendor } from "./datasets.ts";
export { EDGE_TASKS, datasetsForTasks } from "./tasks.ts";
export { simConnectors } from "./sim-connectors.ts";
export { summarizeRawTables, formatCollection, formatTableSummaries, type TableSummary } from "./report.ts";
export type { QcOptions, QcCounters, QcNote } from "./qc.ts";
export type { Connectors, FetchTuning } from "./fetch-unit.ts";
