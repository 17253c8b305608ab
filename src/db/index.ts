/** DuckDB over the lake: the session type, sql/ files by name, table views, part writes (the read cache is src/lake's). */
export { DuckSession, PI_MEMORY_LIMIT, sqlIdentifier, sqlList, sqlString, type DuckSessionOptions, type SqlRow, type SqlValue } from "./session.ts";
export { loadSqlFile, defaultSqlRoot } from "./sql-files.ts";
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
