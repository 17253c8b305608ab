export { buildReference, REFERENCE_TABLES, type ReferenceOptions, type ReferenceReport, type TickRuleVersion } from "./build-reference.ts";
export {
  importBorrowTiers, loadBorrowTiers, borrowTiersFrom, parseBorrowCsv, BORROW_TABLE,
  type BorrowTiers, type BorrowRate, type BorrowInterval, type BorrowImportReport,
} from "./borrow-tiers.ts";
