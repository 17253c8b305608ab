/**
 * What a DAG step is: declared once in `nightly-steps.ts` (name, dependencies, retry policy, timeout, lease, the
 * machine role that may run it, the tables it reads and writes) and run by `runner.ts` in-process, or one step at a
 * time by `trademl dag step` (the Prefect adapter).
 */
import type { TrademlConfig } from "../config/index.ts";
import type { Logger } from "../domain/logger.ts";
import type { ObjectStore } from "../lake/types.ts";
import type { Vendor } from "../config/schemas/common.ts";

/** The machine that may run a step: the Pi node (collection, quality, curation) or the trainer (GPU/CPU box). */
export const STEP_ROLES = ["node", "trainer"] as const;
export type StepRole = (typeof STEP_ROLES)[number];

/** Attempts per invocation and the full-jitter backoff between them (domain/backoff.ts). */
export interface RetryPolicy {
  /** Total attempts, the first included (1 = no retry). */
  readonly attempts: number;
  readonly baseMs: number;
  readonly capMs: number;
}

/**
 * The tables a step reads: table-name prefixes (`raw/`, `curated/`), whose latest seqs are recorded before it runs;
 * a step whose inputs show no content change since its last success is skipped. `external` inputs (vendors) can
 * change at any time, so such a step always runs (it is incremental by its own bookmarks).
 */
export type StepInputs = { readonly kind: "tables"; readonly prefixes: readonly string[] } | { readonly kind: "external" };

export interface StepContext {
  readonly store: ObjectStore;
  readonly config: TrademlConfig;
  readonly logger: Logger;
  /** Aborts on shutdown and on the step's timeout. */
  readonly signal: AbortSignal;
  readonly runId: string;
  /** `host:pid:dag-<step>-…`: the holder name for the leases the step's function takes. */
  readonly holder: string;
  /** The last session the run covers (the node: the night's session; the demo: what it collected); default: the steps' own (the session before today). */
  readonly through?: string;
  /** Symbols to collect (default: the reference members of edge.yml `universe_indexes` on `through`; edge.yml `universe` until reference data exists). */
  readonly universe?: readonly string[];
  /** Vendor roots (the simulator's in the demo and tests; default: the real services). */
  readonly vendorUrls?: Partial<Record<Vendor, string>>;
}

/** What a step did: `skipped` when it had nothing it could do (no vendor keys), with the reason. */
export type StepResult = { readonly status: "succeeded"; readonly summary: string } | { readonly status: "skipped"; readonly summary: string };

export interface DagStep {
  /** `[a-z][a-z0-9_]*`: used in lease names, state keys and Prefect task names. */
  readonly name: string;
  readonly summary: string;
  readonly dependsOn: readonly string[];
  readonly role: StepRole;
  readonly retry: RetryPolicy;
  readonly timeoutMs: number;
  /** The lease job the step's function takes (fencing its commits against other writers), if any; the runner waits for it to be free. */
  readonly lease: string | undefined;
  readonly inputs: StepInputs;
  /** Table-name prefixes the step commits to: the commits it made are recorded as its outputs. */
  readonly outputs: readonly string[];
  run(context: StepContext): Promise<StepResult>;
}
