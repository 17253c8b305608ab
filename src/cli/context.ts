/**
 * What a command adapter receives: where results go (stdout), the logger (stderr), the environment and
 * the working directory. Commands never touch `process` directly, so tests can run them in-process.
 */
import type { Readable } from "node:stream";
import type { Logger } from "../domain/logger.ts";

export interface CliContext {
  /** Writes a result to stdout. */
  out(text: string): void;
  readonly logger: Logger;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Global options shared by every command. */
  readonly globals: GlobalOptions;
  /** Aborted on SIGINT/SIGTERM; long work checks it and stops cleanly. */
  readonly signal: AbortSignal;
  /** Standard input for interactive commands (`trademl sql` REPL); absent when the caller gives none. */
  readonly stdin?: Readable;
  /** stderr when it is a terminal (runMain): long commands draw progress on it; absent, they log plain lines only. */
  readonly terminal?: NodeJS.WriteStream;
}

export interface GlobalOptions {
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
  /** `text` by default when stderr is a terminal, else `json` (`pretty` is accepted for `text`). */
  logFormat: "json" | "text";
  /** Folder of YAML configuration files. */
  configDir: string;
  /** Where configDir came from: --config-dir/TRADEML_CONFIG_DIR, ./configs, or the package's shipped files. */
  configDirSource: "explicit" | "cwd" | "package";
  /** Optional .env file with secrets and knobs. */
  envFile: string | undefined;
}

/** The options object cac passes to an action: every flag, camel-cased. */
export type CommandOptions = Record<string, unknown>;

export interface CommandAction {
  (args: readonly string[], options: CommandOptions, ctx: CliContext): Promise<number | void>;
}

/** One sub-action of a command group, e.g. `lake gc`. */
export interface GroupAction {
  readonly summary: string;
  readonly usage?: string;
  /**
   * The group's options this action reads (long names, e.g. `["spot", "strike"]`). When given, any other option
   * of the group is refused with exit 2 instead of being silently ignored; without it every option is accepted.
   */
  readonly options?: readonly string[];
  readonly run: CommandAction;
}
