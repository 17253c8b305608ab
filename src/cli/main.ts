/**
 * The trademl command line. The only module that reads argv, touches process signals or sets the exit
 * code. One error boundary: AppErrors map to exit codes by kind (2 usage/config, 3 data/IO, 4 kernel),
 * anything else is an internal error (1). Heavy modules (DuckDB, the AWS SDK) load inside the actions.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import { cac } from "cac";
import { packageConfigDir } from "../config/package-config-dir.ts";
import { AppError, exitCodeFor, UsageError } from "../domain/errors.ts";
import { createLogger, type LogLevel, type LogSink } from "../domain/logger.ts";
import { redact } from "../domain/redact.ts";
import { longNames, prepareArgv, takesValue, type PreparedArgv } from "./argv.ts";
import { commandGroups } from "./commands/index.ts";
import type { CliContext, GlobalOptions } from "./context.ts";
import { registerGroup, type GroupSpec } from "./group.ts";

export interface CliIo {
  stdout: (text: string) => void;
  stderr: LogSink;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  signal?: AbortSignal;
  /** Standard input; runMain passes process.stdin, tests may pass any Readable. */
  stdin?: Readable;
  /** stderr when it is a terminal: logs default to text and long commands draw progress on it. */
  terminal?: NodeJS.WriteStream;
}

const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error", "silent"];

/** The global options: given before or after the command, each takes a value. */
const GLOBAL_OPTIONS = [
  { flags: "--log-level <level>", description: "debug | info | warn | error | silent (default: info)" },
  { flags: "--log-format <format>", description: "text (default in a terminal) or json (default otherwise)" },
  { flags: "--config-dir <dir>", description: "Folder of YAML configuration files (default: ./configs if present, else the shipped ones)" },
  { flags: "--env-file <file>", description: "A .env file with vendor keys and lake settings (default: .env if present)" },
] as const;
/** Long flags cac itself understands before a command. */
const BUILTIN_FLAGS = ["help", "version"];

function valueOptionsOf(flags: readonly string[]): Set<string> {
  return new Set(flags.filter(takesValue).flatMap(longNames));
}

/** The option names that take a value, for the globals alone or for a command (plus the globals). */
function valueOptionLookup(groups: readonly GroupSpec[]): (command: string | undefined) => ReadonlySet<string> {
  const globals = valueOptionsOf(GLOBAL_OPTIONS.map((option) => option.flags));
  const byCommand = new Map(groups.map((group) => [
    group.name,
    new Set([...globals, ...valueOptionsOf((group.options ?? []).map((option) => option.flags))]),
  ]));
  return (command) => (command === undefined ? globals : (byCommand.get(command) ?? globals));
}

/**
 * A flag before the command that is no global option (`trademl --verbose curate`): cac would take it as a flag
 * whose value is the command word, find no command and print the help with exit 0, so a scheduled job with a
 * typo would "succeed". Refused here instead.
 */
function checkFlagsBeforeCommand(prepared: PreparedArgv): void {
  const known = new Set([...GLOBAL_OPTIONS.flatMap((option) => longNames(option.flags)), ...BUILTIN_FLAGS]);
  const unknown = prepared.beforeCommand.find((flag) => !known.has(flag.replace(/^--(no-)?/, "")));
  if (unknown === undefined) return;
  const names = [...known].map((name) => `--${name}`).join(", ");
  throw new UsageError("unknown_option", `unknown option ${unknown} before the command; the options allowed there are ${names}`);
}
const LOG_FORMATS: readonly string[] = ["json", "text", "pretty"];

import { packageVersion } from "../domain/package-version.ts";

export { packageVersion };

function parseGlobals(options: Record<string, unknown>, env: CliIo["env"], cwd: string, terminal: boolean): GlobalOptions {
  const level = String(options["logLevel"] ?? env["TRADEML_LOG_LEVEL"] ?? "info");
  // Readable lines for a person at a terminal; JSON for whatever reads a pipe or a journal.
  const format = String(options["logFormat"] ?? env["TRADEML_LOG_FORMAT"] ?? (terminal ? "text" : "json"));
  if (!LOG_LEVELS.includes(level as LogLevel)) {
    throw new UsageError("bad_log_level", `--log-level must be one of ${LOG_LEVELS.join(", ")}, not "${level}"`);
  }
  if (!LOG_FORMATS.includes(format)) {
    throw new UsageError("bad_log_format", `--log-format must be one of ${LOG_FORMATS.join(", ")}, not "${format}"`);
  }
  const envFile = options["envFile"];
  return {
    logLevel: level as LogLevel,
    logFormat: format === "json" ? "json" : "text",
    ...resolveConfigDir(options["configDir"] ?? env["TRADEML_CONFIG_DIR"], cwd),
    envFile: typeof envFile === "string" ? envFile : undefined,
  };
}

/**
 * An explicit --config-dir or TRADEML_CONFIG_DIR is used as given (a missing folder is an error later);
 * otherwise ./configs when the working directory has one, else the package's own shipped configuration,
 * so `trademl sql` or `trademl demo` work from any folder.
 */
function resolveConfigDir(requested: unknown, cwd: string): Pick<GlobalOptions, "configDir" | "configDirSource"> {
  if (requested !== undefined) return { configDir: String(requested), configDirSource: "explicit" };
  if (existsSync(resolve(cwd, "configs"))) return { configDir: "configs", configDirSource: "cwd" };
  return { configDir: packageConfigDir(), configDirSource: "package" };
}

function describeError(error: unknown): string {
  if (error instanceof AppError) return `${error.message} [${error.code}]`;
  if (error instanceof Error) return `internal error: ${error.stack ?? error.message}`;
  return `internal error: ${String(error)}`;
}

function withConsoleInfo<T>(write: (text: string) => void, fn: () => T): T {
  const original = console.info;
  console.info = (...parts: unknown[]) => write(`${parts.map(String).join(" ")}\n`);
  try {
    return fn();
  } finally {
    console.info = original;
  }
}

/** Runs the CLI in-process and returns the exit code. Tests call this; `runMain` wires it to the process. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const cli = cac("trademl");
  for (const option of GLOBAL_OPTIONS) cli.option(option.flags, option.description);
  cli.help();
  cli.version(packageVersion());

  let pending: Promise<number | void> | undefined;
  let context: CliContext | undefined;
  const signal = io.signal ?? new AbortController().signal;
  const makeContext = (): CliContext => {
    if (context) return context;
    const globals = parseGlobals(cli.options, io.env, io.cwd, io.terminal !== undefined);
    const logger = createLogger({ level: globals.logLevel, format: globals.logFormat, sink: io.stderr });
    context = {
      out: (text) => io.stdout(text), logger, env: io.env, cwd: io.cwd, globals, signal,
      ...(io.stdin === undefined ? {} : { stdin: io.stdin }),
      ...(io.terminal === undefined ? {} : { terminal: io.terminal }),
    };
    return context;
  };
  let prepared: PreparedArgv | undefined;
  const given = (): PreparedArgv => prepared ?? prepareArgv([], () => new Set());
  for (const group of commandGroups) {
    registerGroup(cli, group, makeContext, (run) => {
      pending = run();
    }, given);
  }

  try {
    const ready = prepareArgv(argv, valueOptionLookup(commandGroups));
    prepared = ready;
    checkFlagsBeforeCommand(ready);
    // cac prints help and version through console.info; route them to this run's stdout.
    const parsed = withConsoleInfo(io.stdout, () => {
      cli.parse(["node", "trademl", ...ready.argv], { run: false });
      if (cli.options["help"] || cli.options["version"]) return "printed";
      if (!cli.matchedCommand && cli.args[0] === undefined) {
        cli.outputHelp();
        return "printed";
      }
      return "parsed";
    });
    if (parsed === "printed") return 0;
    if (!cli.matchedCommand) {
      throw new UsageError("unknown_command", `unknown command "${String(cli.args[0])}"; see \`trademl --help\``);
    }
    await cli.runMatchedCommand();
    const code = pending === undefined ? 0 : await pending;
    return typeof code === "number" ? code : 0;
  } catch (error) {
    const isCacError = error instanceof Error && error.name === "CACError";
    const wrapped = isCacError ? new UsageError("bad_usage", error.message) : error;
    const exitCode = exitCodeFor(wrapped);
    io.stderr.write(`${redact(`trademl: ${describeError(wrapped)}`)}\n`);
    if (context && wrapped instanceof AppError && wrapped.cause !== undefined) {
      context.logger.debug("error cause", { error: wrapped });
    }
    return exitCode;
  }
}

/** Entry point for bin/trademl.js: wires argv, stdio, the environment and SIGINT/SIGTERM. */
export async function runMain(): Promise<void> {
  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const code = await runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: { write: (line) => process.stderr.write(line) },
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
    stdin: process.stdin,
    ...(process.stderr.isTTY === true ? { terminal: process.stderr } : {}),
  });
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  process.exitCode = code;
}
