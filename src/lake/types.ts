/**
 * The lake's public types: the object-store contract both stores honour, manifests, leases and the small
 * CAS-updated state objects. DESIGN.md "The lake protocol" is the contract these types encode.
 *
 * Everything that mutates shared state goes through exactly two primitives:
 *   - create-only put (`{ ifNoneMatch: "*" }`): manifests, new leases, data parts;
 *   - compare-and-swap put (`{ ifMatch: etag }`): leases, bookmarks, budgets, marks.
 * A lost race is an expected outcome, so it is a result (`{ ok: false, reason: "precondition_failed" }`),
 * never an exception. Transport failures are `IoError`s.
 */

/** A body as read from the store. `etag` is opaque: compare it, never parse it. */
export interface StoredObject {
  readonly key: string;
  readonly body: Uint8Array;
  readonly etag: string;
  readonly lastModified: Date;
}

export interface ObjectHead {
  readonly key: string;
  readonly etag: string;
  readonly size: number;
  readonly lastModified: Date;
}

/** A listed key. S3 listings carry the ETag; LocalStore omits it (it would have to hash every file). */
export interface ListEntry {
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date;
  readonly etag?: string;
}

/**
 * Write condition. `ifNoneMatch: "*"` = create-only (refused when the key exists); `ifMatch` = replace
 * only if the current version still has this ETag (refused when it differs OR the key is missing).
 * Omitted = unconditional overwrite (only for keys with one writer, e.g. a fresh uuidv7 part name).
 */
export type PutCondition = { readonly ifNoneMatch: "*" } | { readonly ifMatch: string };

export interface PutOptions {
  readonly condition?: PutCondition;
  readonly contentType?: string;
  readonly signal?: AbortSignal;
}

export type PutResult =
  | { readonly ok: true; readonly etag: string }
  | { readonly ok: false; readonly reason: "precondition_failed" };

export interface DeleteOptions {
  /** Passed to the store, but not every store honours it (MinIO ignores If-Match on DELETE). Never rely on it. */
  readonly ifMatch?: string;
  readonly signal?: AbortSignal;
}

export type DeleteResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: "precondition_failed" };

export interface ListOptions {
  /** Page size hint; the store paginates internally and the iterator yields every key. */
  readonly pageSize?: number;
  readonly signal?: AbortSignal;
}

export interface GetOptions {
  readonly signal?: AbortSignal;
}

/**
 * The one storage contract. Keys are "/"-separated, relative, without "..", e.g.
 * `manifests/bars/00000000000000000007.json`. Both `LocalStore` and `S3Store` pass the same conformance suite.
 */
export interface ObjectStore {
  readonly kind: "local" | "s3";
  /** Human-readable location without secrets, e.g. `file:///srv/lake` or `s3://bucket@http://minio:9000`. */
  readonly description: string;
  get(key: string, options?: GetOptions): Promise<StoredObject | undefined>;
  head(key: string, options?: GetOptions): Promise<ObjectHead | undefined>;
  put(key: string, body: Uint8Array | string, options?: PutOptions): Promise<PutResult>;
  /** Uploads a local file (multipart on S3 when large; the condition applies to the completed object). */
  putFile(key: string, localPath: string, options?: PutOptions): Promise<PutResult>;
  /** Downloads to a local path atomically (temp + rename). Returns undefined when the key is missing. */
  getToFile(key: string, localPath: string, options?: GetOptions): Promise<ObjectHead | undefined>;
  /** Every key under `prefix`, in lexicographic order, paginating as needed. */
  list(prefix: string, options?: ListOptions): AsyncIterable<ListEntry>;
  delete(key: string, options?: DeleteOptions): Promise<DeleteResult>;
  /** The store's clock (S3: the `Date` response header; local: this machine's clock). Lease expiry uses it. */
  serverTime(options?: GetOptions): Promise<Date>;
  /** Releases sockets / handles. Idempotent. */
  close(): Promise<void>;
}

/** Where the lake lives. Structurally the same as the config's `lakeTarget` (src/config/env.ts), plus tuning knobs. */
export type StoreTarget =
  | { readonly kind: "local"; readonly root: string }
  | {
      readonly kind: "s3";
      readonly bucket: string;
      readonly endpoint?: string | undefined;
      readonly region?: string | undefined;
      readonly forcePathStyle?: boolean | undefined;
      /** Undefined: the AWS SDK's default credential chain decides. */
      readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string } | undefined;
      /** Parts larger than this go up as multipart (default 16 MiB). */
      readonly multipartThresholdBytes?: number | undefined;
      readonly maxAttempts?: number | undefined;
    };

// ---------------------------------------------------------------------------------------------------------
// Manifests

/** A column statistic value as stored in JSON. Dates/timestamps are ISO strings. */
export type StatValue = string | number | boolean | null;

/**
 * What a collected raw part answers for: the date range (and, for cursor listings, where paging stopped) that
 * was asked of the vendor, for the series in `PartFile.symbols`. Recorded even when the answer had no rows, so
 * planning never asks for the same range twice (src/ingest/coverage.ts).
 */
export interface PartUnit {
  readonly start: string;
  readonly end: string;
  /** Cursor listings: the cursor to continue from ("" when the listing was complete). */
  readonly cursor_next?: string;
}

/**
 * What a part of the audit ledger (`qc/partition_status`) was built from and what it found: a digest of its
 * inputs and the QC thresholds (null when the audit ran with per-symbol end dates, which it does not record),
 * and its verdict counts. `year` is the calendar year the part covers (absent on a part covering all years).
 */
export interface PartLedger {
  readonly year?: number;
  readonly inputs: string | null;
  readonly qc: string | null;
  readonly counts: { readonly green: number; readonly amber: number; readonly red: number };
}

/** One immutable data file of a table. */
export interface PartFile {
  readonly key: string;
  readonly rows: number;
  readonly bytes: number;
  /** Column bounds: min/max of some of the part's columns (partition, date and time columns). Nothing else. */
  readonly min?: Readonly<Record<string, StatValue>>;
  readonly max?: Readonly<Record<string, StatValue>>;
  /**
   * The series (symbols, series ids) the part answers for, for pruning: every one that has rows in it, and for
   * a collected unit also those that were asked and had none. Absent when the writer did not record them.
   */
  readonly symbols?: readonly string[];
  /** The part's ETag at upload time; the read cache keys on it. */
  readonly etag?: string;
  /** Collected raw parts: the range the part answers for. */
  readonly unit?: PartUnit;
  /** Audit ledger parts: inputs digest, thresholds and verdict counts. */
  readonly ledger?: PartLedger;
}

export type ManifestOperation = "append" | "replace" | "compact" | "create";

/**
 * `manifests/<table>/<20-digit seq>.json`. Every manifest is a full snapshot: `files` is the complete
 * file list of the table at `seq` (readers never replay a chain).
 */
export interface Manifest {
  /** 2 since parts keep unit ranges and ledger facts in fields of their own (format 1 is upgraded on read). */
  readonly format: 2;
  readonly table: string;
  readonly seq: number;
  /** seq of the manifest this one was built on; null for seq 1. Chains are linear: parent === seq - 1. */
  readonly parent: number | null;
  /** Epoch of the writer that made this commit (0 = no lease). */
  readonly writer_epoch: number;
  /** Highest bare `epoch` (commits without a lease) the table has seen; a bare commit below it is refused. */
  readonly max_epoch: number;
  /**
   * Highest lease epoch seen per lease job (fencing): a commit under lease `job` with an epoch below
   * `fences[job]` is refused. Epochs of different jobs are independent counters, so each job is fenced
   * on its own and several jobs (edge collector, backfill) can append to one table.
   */
  readonly fences?: Readonly<Record<string, number>>;
  /**
   * `compact` commits are content-preserving: they rewrite parts into fewer, larger ones with exactly the same
   * rows, so a step whose inputs only saw compactions since it last ran has nothing new to read
   * (`contentChangedSince`, src/lake/content-changes.ts).
   */
  readonly operation: ManifestOperation;
  readonly files: readonly PartFile[];
  /** Keys this commit removed from the previous snapshot (compaction / replace). */
  readonly removed: readonly string[];
  /** Store time, ISO 8601. */
  readonly created: string;
  readonly writer?: string;
}

/** What a commit does to the table's file list; applied to the latest snapshot on every (re)try. */
export type TableChange =
  | { readonly kind: "append"; readonly add: readonly PartFile[] }
  /** Replace `remove` with `add`; fails with a DataError if any of `remove` is no longer in the table. */
  | { readonly kind: "replace"; readonly add: readonly PartFile[]; readonly remove: readonly string[]; readonly operation?: "replace" | "compact" };

export interface CommitOptions {
  /** Bare writer epoch for writers without a lease object; default 0. Refused below the table's `max_epoch`. */
  readonly epoch?: number;
  /**
   * The lease this work runs under: the commit is refused once the lease is lost, when the lease object in
   * the store shows a newer epoch, or when the table has seen a newer epoch of the same lease job.
   */
  readonly lease?: LeaseHandle;
  readonly writer?: string;
  /** Lost races are retried (reload, rebase, retry) up to this many times; default 100. */
  readonly maxAttempts?: number;
  readonly signal?: AbortSignal;
}

export interface ReadManifestOptions {
  /** Pin a seq (snapshot isolation for backtests); default = latest. */
  readonly seq?: number;
  readonly signal?: AbortSignal;
}

// ---------------------------------------------------------------------------------------------------------
// Leases

/** `leases/<job>.json` */
export interface LeaseRecord {
  readonly format: 1;
  readonly job: string;
  readonly holder: string;
  readonly epoch: number;
  /** Store time of acquisition and of the latest renewal, ISO 8601. Expiry = renewed_at + ttl_ms on the store's clock. */
  readonly acquired_at: string;
  readonly renewed_at: string;
  readonly ttl_ms: number;
  readonly released: boolean;
}

export interface LeaseOptions {
  readonly holder: string;
  /** Default 120 000 (lease_seconds 120). */
  readonly ttlMs?: number;
  /** Default 45 000 (renew_seconds 45). Must be < ttlMs. */
  readonly renewMs?: number;
  /** Start a background renew timer (default true). */
  readonly autoRenew?: boolean;
  readonly signal?: AbortSignal;
}

/** A held lease. `signal` aborts the moment the lease is known lost (failed renewal, release, takeover). */
export interface LeaseHandle {
  readonly job: string;
  readonly holder: string;
  readonly epoch: number;
  readonly signal: AbortSignal;
  /** Renews by CAS; on failure aborts `signal` and throws a DataError("lease_lost"). */
  renew(): Promise<void>;
  /** CAS to a released record that keeps the epoch (never a DELETE). Idempotent. */
  release(): Promise<void>;
  /** Throws DataError("lease_lost") if the lease has been lost. */
  assertHeld(): void;
}

// ---------------------------------------------------------------------------------------------------------
// Small state objects (CAS)

export interface StateRef<T> {
  readonly key: string;
  readonly value: T;
  readonly etag: string;
}

// ---------------------------------------------------------------------------------------------------------
// Conformance probe

export type ProbeCheckName =
  | "create_only_twice"
  | "wrong_etag"
  | "cas_missing_key"
  | "concurrent_create_only"
  | "clock_skew"
  | "conditional_delete";

export interface ProbeCheckResult {
  readonly name: ProbeCheckName;
  /** Required checks gate multi-writer work; informational ones are reported only. */
  readonly required: boolean;
  readonly status: "pass" | "fail" | "info";
  readonly meaning: string;
  readonly detail: string;
}

export interface ProbeReport {
  readonly store: string;
  readonly checks: readonly ProbeCheckResult[];
  /** True when every required check passed. */
  readonly multiWriterSafe: boolean;
  /** Store clock minus local clock, milliseconds (positive: store ahead). */
  readonly clockSkewMs: number;
}
