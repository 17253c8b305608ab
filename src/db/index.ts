/** DuckDB over the lake: the session type, sql/ files by name, table views, and the one write path (part writer, raw parts, compaction). */
export { DuckSession, PI_MEMORY_LIMIT, sqlIdentifier, sqlList, sqlString, type DuckSessionOptions, type SqlRow, type SqlValue } from "./session.ts";
export { loadSqlFile, defaultSqlRoot } from "./sql-files.ts";
export { createTableView, defaultViewName, type TableView, type TableViewOptions } from "./lake-tables.ts";
export { PartWriter, type ColumnType, type PartFacts, type PartSpec, type PartWriterOptions, type TableColumns } from "./part-writer.ts";
export { writeRawParts, type RawBatch, type RawUnit } from "./raw-parts.ts";
export { RAW_DATASETS, RAW_SCHEMAS, partitionFolder, rawSchema, type PartitionLayout, type RawDataset, type RawSchema } from "./raw-tables.ts";
export { compactTable, mergedFacts, type CompactOptions, type CompactResult } from "./compaction.ts";
