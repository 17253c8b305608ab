/**
 * The lake: object stores, snapshot manifests, leases with fencing, CAS state objects, the conformance probe,
 * orphan garbage collection, the read cache, and `lakeAccess` (all of it bound to one store for DuckDB readers). DESIGN.md "The lake protocol" is the contract; docs/lake.md the user guide.
 */
export type * from "./types.ts";
export { LocalStore, type LocalStoreOptions } from "./local-store.ts";
export { S3Store, type S3StoreOptions } from "./s3-store.ts";
export { openStore, openMultiWriterStore } from "./open-store.ts";
export { assertValidKey, assertValidTable, manifestKey, newPartKey, uuidv7, leaseKey } from "./keys.ts";
export { applyChange, commitChange, commitParts, expireManifests, latestSeq, listTables, parseManifest, readManifest, type ExpireOptions } from "./manifest.ts";
export { acquireLease, defaultLeaseHolder, readLease, withLease, leaseIsFree, DEFAULT_LEASE_RENEW_MS, DEFAULT_LEASE_TTL_MS } from "./lease.ts";
export {
  UNCHANGED,
  readState,
  writeState,
  updateState,
  advanceBookmark,
  readBookmark,
  bookmarkKey,
  bookmarkSchema,
  consumeBudget,
  budgetKey,
  budgetSchema,
  advanceMark,
  markKey,
  markSchema,
  type Bookmark,
  type Budget,
  type Mark,
  type Updater,
} from "./state.ts";
export { probeStore, assertMultiWriterSafe, formatProbeReport, PROBE_MEANINGS } from "./probe.ts";
export { collectGarbage, DATA_PREFIXES, DEFAULT_GC_GRACE_MS, type GcOptions, type GcReport } from "./gc.ts";
export { ReadCache, type ReadCacheOptions, type MaterializeStats } from "./read-cache.ts";
export { lakeAccess, type LakeAccess, type LakeAccessOptions, type PartRef } from "./lake-access.ts";
