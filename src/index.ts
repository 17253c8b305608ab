/**
 * trademl's programmatic API. The CLI (src/cli/) is a thin adapter over what is exported here.
 */
export * from "./domain/errors.ts";
export { createLogger, silentLogger, type Logger, type LogLevel, type LogFormat } from "./domain/logger.ts";
export { redact, registerSecret } from "./domain/redact.ts";
export { loadKernelModule, requireFunction, type KernelModule, type KernelBuild, type KernelSource } from "./kernels/load.ts";
export { Arena } from "./kernels/arena.ts";
export { runCli } from "./cli/main.ts";
export * from "./domain/calendar/index.ts";
export * from "./config/index.ts";
export * from "./doctor/index.ts";
