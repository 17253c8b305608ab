/**
 * The audit step of the nightly DAG and of `trademl audit`: every raw bar dataset of every vendor, under the
 * `audit` lease. Datasets without any raw data are skipped silently.
 */
import { withLease } from "../../lake/lease.ts";
import type { ObjectStore } from "../../lake/types.ts";
import { AUDITED_TABLES, isAuditedTable, rawLakeTable, type AuditedTable } from "../audited-tables.ts";
import { auditTarget } from "./audit.ts";
import type { AuditOptions, TargetAuditResult } from "./types.ts";

export const AUDIT_LEASE = "audit";

export interface AuditLakeOptions extends AuditOptions {
  /** Vendors whose raw tables are audited (the config's vendor list). */
  readonly vendors: readonly string[];
  /** Tables to audit (default: every audited table). */
  readonly tables?: readonly AuditedTable[];
  /** Lease holder name (host:pid). */
  readonly holder: string;
  /** Lease timing (configs/node.yml `lake`); default the lease module's 120 s / 45 s. */
  readonly leaseTtlMs?: number;
  readonly leaseRenewMs?: number;
  /** Called after each dataset (progress logging). */
  readonly onTarget?: (result: TargetAuditResult) => void;
}

export type AuditLakeReport =
  | { readonly ran: true; readonly audited: readonly TargetAuditResult[] }
  | { readonly ran: false; readonly heldBy: string | undefined };

export async function auditLake(store: ObjectStore, options: AuditLakeOptions): Promise<AuditLakeReport> {
  const tables = (options.tables ?? Object.keys(AUDITED_TABLES)).filter(isAuditedTable);
  const outcome = await withLease(store, AUDIT_LEASE, {
    holder: options.holder,
    ...(options.leaseTtlMs === undefined ? {} : { ttlMs: options.leaseTtlMs }),
    ...(options.leaseRenewMs === undefined ? {} : { renewMs: options.leaseRenewMs }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  }, async (lease) => {
    const audited: TargetAuditResult[] = [];
    for (const vendor of options.vendors) {
      for (const table of tables) {
        const target = { source: vendor, table, lakeTable: rawLakeTable(vendor, table), granularity: AUDITED_TABLES[table].granularity };
        const result = await auditTarget(store, target, { ...options, lease, writer: options.holder });
        options.onTarget?.(result);
        if (result.counts.GREEN + result.counts.AMBER + result.counts.RED > 0 || result.partsRead > 0) audited.push(result);
      }
    }
    return audited;
  });
  return outcome.ran ? { ran: true, audited: outcome.value } : { ran: false, heldBy: outcome.holder };
}
