/** DuckDB over the lake: the session type, sql/ files by name, the read cache, table views, part writes. */
export { DuckSession, PI_MEMORY_LIMIT, sqlIdentifier, sqlList, sqlString, type DuckSessionOptions, type SqlRow, type SqlValue } from "./session.ts";
export { loadSqlFile, defaultSqlRoot } from "./sql-files.ts";
export { ReadCache, type ReadCacheOptions, type MaterializeStats } from "./read-cache.ts";
export {
  appendQueryResult,
  compactTable,
  createTableView,
  defaultViewName,
  writeParquetPart,
  type CompactOptions,
  type CompactResult,
  type TableView,
  type TableViewOptions,
  type WritePartOptions,
} from "./lake-tables.ts";
