export { openAnalystSession, type AnalystSession, type AnalystOptions } from "./session.ts";
export { runRepl, type ReplOptions } from "./repl.ts";
export { exportCatalog, type CatalogReport } from "./catalog.ts";
export {
  listLakeTables, parseAsOf, resolveLakeTables, resolveLakeViews, viewNameFor, type LakeView, type ResolvedLakeViews, type UnavailableView,
} from "./lake-views.ts";
export { assertReadOnly, UNRESTRICTED_FLAG } from "./statement-guard.ts";
export { formatResult, formatCsv, formatJson, formatTable, OUTPUT_FORMATS, type OutputFormat, type ResultSet } from "./format.ts";
export { splitStatements, allStatements } from "./statements.ts";
