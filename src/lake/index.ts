/**
 * The lake: object stores, snapshot manifests, leases with fencing, CAS state objects, the conformance probe.
 *
 * Functions (implemented in the sibling modules, exported here as they land):
 *   openStore(target: LakeTarget, deps?) → ObjectStore                      store-from-target.ts
 *   lakeTargetFromEnv(env, cwd) → LakeTarget                                store-from-target.ts
 *   new LocalStore({ root }) / new S3Store({ bucket, endpoint, ... })       local-store.ts / s3-store.ts
 *   commitParts(store, table, parts, { epoch?, lease?, signal? }) → Manifest     manifest.ts (append)
 *   commitChange(store, table, change: TableChange, options) → Manifest          manifest.ts (append/replace/compact)
 *   readManifest(store, table, { seq? }) → Manifest | undefined                  manifest.ts
 *   listTables(store) → string[]                                                 manifest.ts
 *   newPartKey(prefix) → `${prefix}/part-<uuidv7>.parquet`                        keys.ts
 *   acquireLease(store, job, { holder, ttlMs?, renewMs? }) → LeaseHandle | undefined   lease.ts
 *   readState / updateState / advanceBookmark / ...                               state.ts
 *   probeStore(store) → ProbeReport                                               probe.ts
 *   collectGarbage(store, { graceMs, apply }) → GcReport                          gc.ts
 */
export type * from "./types.ts";
