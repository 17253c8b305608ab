/** The audit: partition_status ledger, coverage, GREEN-window gate. */
export { auditTarget, runAudit, rawPartsOf, defaultThrough, type RunAuditOptions } from "./audit.ts";
export { coverageSummary, greenWindow, ledgerSymbols, readLedgerRows, withLedger, type GreenWindowOptions, type GreenWindowResult, type LedgerFilter } from "./coverage.ts";
export { LEDGER_TABLE } from "./ledger.ts";
export * from "./types.ts";
export { auditLake, AUDIT_LEASE, type AuditLakeOptions, type AuditLakeReport } from "./audit-lake.ts";
export { qcFromConfig } from "./qc-from-config.ts";
