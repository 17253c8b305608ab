/**
 * The lake: object stores, snapshot manifests, leases with fencing, CAS state objects, the conformance probe,
 * orphan garbage collection, the read cache, and `lakeAccess` (all of it bound to one store for DuckDB readers). DESIGN.md "The lake protocol" is the contract; docs/lake.md the user guide.
 */
export type * from "./types.ts";
export { LocalStore, type LocalStoreOptions } from "./local-store.ts";
export { S3Store, type S3StoreOptions } from "./s3-store.ts";
export { openStore, openMultiWriterStore } from "./open-store.ts";
export { assertValidKey, assertValidTable, manifestKey, newPartKey, uuidv7, leaseKey } from "./keys.ts";
export { applyChange, commitChange, commitParts, latestSeq, listSeqs, listTables, parseManifest, readManifest } from "./manifest.ts";
export { expireManifests, type ExpireOptions, type ExpireResult, type RetentionRule } from "./retention.ts";
export { PIN_KINDS, listPins, pinKey, pinnedSeqs, pinSchema, pinSnapshots, removePin, type Pin, type PinKind, type PinRequest } from "./pins.ts";
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
  advanceMark,
  markKey,
  markSchema,
  type Bookmark,
  type Mark,
  type Updater,
} from "./state.ts";
export { probeStore, assertMultiWriterSafe, formatProbeReport, PROBE_MEANINGS } from "./probe.ts";
export { collectGarbage, DATA_PREFIXES, type GcLiveLease, type GcOptions, type GcPart, type GcReport } from "./gc.ts";
export { ReadCache, changedPart, type ReadCacheOptions, type MaterializeStats, type MaterializeOptions, type PartEntry } from "./read-cache.ts";
export { verifyTable, type PartProblem, type TableVerification, type VerifyOptions } from "./verify.ts";
export { lakeAccess, type LakeAccess, type LakeAccessOptions, type PartRef } from "./lake-access.ts";
