export { openAnalystSession, type AnalystSession, type AnalystOptions } from "./session.ts";
export { runRepl, type ReplOptions } from "./repl.ts";
export { exportCatalog, type CatalogReport } from "./catalog.ts";
export { listLakeTables, parseAsOf, resolveLakeViews, viewNameFor, type LakeView } from "./lake-views.ts";
export { formatResult, formatCsv, formatJson, formatTable, OUTPUT_FORMATS, type OutputFormat, type ResultSet } from "./format.ts";
export { splitStatements, allStatements } from "./statements.ts";
