/**
 * One error hierarchy for trademl. Every error carries a stable string code; the CLI maps the class to an
 * exit code (2 usage/config, 3 data/IO, 4 kernel, 1 internal). Third-party errors are wrapped with `cause`.
 */
export type ErrorKind = "usage" | "config" | "data" | "io" | "kernel" | "internal" | "not_implemented";

export interface AppErrorOptions {
  cause?: unknown;
  /** Extra structured facts for logs (never secrets). */
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly details: Record<string, unknown> | undefined;

  constructor(kind: ErrorKind, code: string, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.kind = kind;
    this.code = code;
    this.details = options.details;
  }
}

/** Bad command-line usage: unknown flag, missing argument, a command that is not built yet. */
export class UsageError extends AppError {
  constructor(code: string, message: string, options?: AppErrorOptions) {
    super("usage", code, message, options);
  }
}

/** A configuration file or environment knob is invalid. `where` is "file:line:col" when known. */
export class ConfigError extends AppError {
  constructor(code: string, message: string, options?: AppErrorOptions) {
    super("config", code, message, options);
  }
}

/** Input data is bad or missing: a corrupt manifest, a malformed vendor payload, a missing part. */
export class DataError extends AppError {
  constructor(code: string, message: string, options?: AppErrorOptions) {
    super("data", code, message, options);
  }
}

/** Reading or writing a store, a file or the network failed. */
export class IoError extends AppError {
  constructor(code: string, message: string, options?: AppErrorOptions) {
    super("io", code, message, options);
  }
}

/** The WebAssembly kernels could not be loaded or reported an impossible state. */
export class KernelError extends AppError {
  constructor(code: string, message: string, options?: AppErrorOptions) {
    super("kernel", code, message, options);
  }
}

/** A feature that is planned but not built yet. It never pretends to succeed. */
export class NotImplementedError extends AppError {
  constructor(feature: string, issue?: string) {
    super(
      "not_implemented",
      "not_implemented",
      `${feature} is not built yet${issue === undefined ? "" : ` (tracked in ${issue})`}; nothing was done.`,
    );
  }
}

export const EXIT_CODES: Readonly<Record<ErrorKind, number>> = {
  usage: 2,
  config: 2,
  not_implemented: 2,
  data: 3,
  io: 3,
  kernel: 4,
  internal: 1,
};

/** Exit code for anything thrown: AppErrors by kind, everything else is an internal error. */
export function exitCodeFor(error: unknown): number {
  return error instanceof AppError ? EXIT_CODES[error.kind] : 1;
}

/** Wraps a foreign error so its origin survives as `cause`. */
export function wrapError(
  make: (message: string, options: AppErrorOptions) => AppError,
  context: string,
  cause: unknown,
): AppError {
  if (cause instanceof AppError) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return make(`${context}: ${detail}`, { cause });
}
