/**
 * The shape of a `trademl doctor` check. A check is a named probe that never throws on purpose: it returns
 * a status and a one-line (or few-line) detail a user can act on. Its `kind` decides the exit code when
 * it fails: config → 2, io → 3, kernel → 4 (the same mapping as the CLI's error classes).
 */
import type { TrademlConfig } from "../config/load.ts";
import type { Vendor } from "../config/schemas/common.ts";
import type { Logger } from "../domain/logger.ts";

/** `skip`: the check does not apply here (e.g. a local-lake check against an S3 lake). */
export type CheckStatus = "ok" | "warn" | "fail" | "skip";
export type CheckKind = "config" | "io" | "kernel";

export interface CheckResult {
  readonly status: CheckStatus;
  readonly detail: string;
}

export interface DoctorContext {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly configDir: string;
  readonly envFile: string | false | undefined;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** Replaces a vendor's public base URL (tests point it at a local server); online checks only. */
  readonly vendorBaseUrls?: Partial<Record<Vendor, string>> | undefined;
  /**
   * The loaded configuration, loaded once and shared by every check; `undefined` when it is invalid
   * (the `config` check reports why). Checks that need it return `skip` in that case.
   */
  config(): Promise<TrademlConfig | undefined>;
  /** The error that made `config()` return undefined, if any. */
  configError(): Promise<unknown>;
}

export interface DoctorCheck {
  /** Short kebab-case name shown in the table, e.g. "lake-local". */
  readonly name: string;
  readonly kind: CheckKind;
  /** What the check proves, shown by `trademl doctor --help`-style listings and docs. */
  readonly description: string;
  /**
   * True for a check that calls out to the network beyond the lake (vendors): it runs only with
   * `trademl doctor --online`, the Pi node's `selfcheck`, so a plain `doctor` stays quick and offline.
   */
  readonly online?: boolean;
  /** Milliseconds before the check counts as failed (default 20 000). */
  readonly timeoutMs?: number;
  run(ctx: DoctorContext): Promise<CheckResult>;
}
