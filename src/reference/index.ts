export { buildReference, REFERENCE_TABLES, type ReferenceOptions, type ReferenceReport, type TickRuleVersion } from "./build-reference.ts";
export {
  importBorrowTiers, loadBorrowTiers, borrowTiersFrom, parseBorrowCsv, BORROW_TABLE,
  type BorrowTiers, type BorrowRate, type BorrowInterval, type BorrowImportReport,
} from "./borrow-tiers.ts";
export {
  importOfficialList, parseIndexCsv, parseTickPilotCsv, OFFICIAL_TABLES, DEFAULT_REPLACED_PROXY, TICK_PILOT_GROUPS,
  type OfficialListKind, type OfficialImportOptions, type OfficialImportReport,
} from "./official-lists.ts";
