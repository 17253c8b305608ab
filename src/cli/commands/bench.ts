/**
 * `trademl bench [filter]`: runs the benchmarks in bench/ (bench/run.ts, one process per bench file) from a
 * source checkout and streams their tables to stdout. The benchmarks are development tools: an installed
 * package without bench/ says so (exit 2).
 */
import { existsSync } from "node:fs";
import { UsageError } from "../../domain/errors.ts";
import type { CliContext, CommandOptions } from "../context.ts";
import type { GroupSpec } from "../group.ts";

async function bench(args: readonly string[], _options: CommandOptions, ctx: CliContext): Promise<number> {
  const root = new URL("../../../", import.meta.url);
  const runner = new URL("bench/run.ts", root);
  const tsx = new URL("node_modules/.bin/tsx", root);
  if (!existsSync(runner) || !existsSync(tsx)) {
    throw new UsageError("bench_unavailable", "the benchmarks run from a source checkout with dev dependencies (bench/run.ts, tsx)");
  }
  const { spawn } = await import("node:child_process");
  const child = spawn(tsx.pathname, [runner.pathname, ...args], { cwd: root.pathname, env: { ...process.env, ...ctx.env } });
  child.stdout.on("data", (chunk: Buffer) => ctx.out(chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => ctx.logger.info("bench", { output: chunk.toString("utf8").trimEnd() }));
  const onAbort = () => child.kill("SIGTERM");
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  const code = await new Promise<number>((resolve) => child.on("close", (status) => resolve(status ?? 1)));
  ctx.signal.removeEventListener("abort", onAbort);
  return code;
}

export const benchCommand: GroupSpec = {
  name: "bench",
  summary: "Run the benchmarks in bench/ and print ratios",
  run: bench,
  examples: ["trademl bench", "trademl bench iv"],
};
