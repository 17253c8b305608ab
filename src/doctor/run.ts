/**
 * Runs doctor checks one after another (they are cheap, and sequential output is easier to read), turns
 * a thrown error or a timeout into `fail`, and computes the exit code: 0 when nothing failed, otherwise
 * the code of the first failing kind in the order config (2), io (3), kernel (4).
 */
import { loadConfig, type TrademlConfig } from "../config/load.ts";
import { EXIT_CODES } from "../domain/errors.ts";
import { silentLogger, type Logger } from "../domain/logger.ts";
import { redact } from "../domain/redact.ts";
import { doctorChecks } from "./checks.ts";
import type { CheckKind, CheckResult, CheckStatus, DoctorCheck, DoctorContext } from "./types.ts";

export interface DoctorOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly configDir: string;
  readonly envFile?: string | false | undefined;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
  /** Defaults to every registered check (src/doctor/checks.ts). */
  readonly checks?: readonly DoctorCheck[];
  /** Also run the checks marked `online` (vendor reachability): `trademl doctor --online`. */
  readonly online?: boolean;
  /** Replaces vendors' public base URLs for the online checks (tests use a local server). */
  readonly vendorBaseUrls?: DoctorContext["vendorBaseUrls"];
}

export interface CheckOutcome extends CheckResult {
  readonly name: string;
  readonly kind: CheckKind;
  readonly durationMs: number;
}

export interface DoctorReport {
  readonly checks: readonly CheckOutcome[];
  readonly counts: Readonly<Record<CheckStatus, number>>;
  readonly exitCode: number;
}

const DEFAULT_TIMEOUT_MS = 20_000;
const EXIT_ORDER: readonly CheckKind[] = ["config", "io", "kernel"];

export function createDoctorContext(options: DoctorOptions): DoctorContext {
  let loading: Promise<{ config?: TrademlConfig; error?: unknown }> | undefined;
  const load = () => {
    loading ??= loadConfig({ configDir: options.configDir, env: options.env, envFile: options.envFile, cwd: options.cwd }).then(
      (config) => ({ config }),
      (error: unknown) => ({ error }),
    );
    return loading;
  };
  return {
    cwd: options.cwd,
    env: options.env,
    configDir: options.configDir,
    envFile: options.envFile,
    logger: options.logger ?? silentLogger,
    signal: options.signal ?? new AbortController().signal,
    vendorBaseUrls: options.vendorBaseUrls,
    config: async () => (await load()).config,
    configError: async () => (await load()).error,
  };
}

function describeThrown(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function runOne(check: DoctorCheck, ctx: DoctorContext): Promise<CheckOutcome> {
  const started = performance.now();
  const timeoutMs = check.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ status: "fail", detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  let result: CheckResult;
  try {
    result = await Promise.race([check.run(ctx), timeout]);
  } catch (error) {
    result = { status: "fail", detail: describeThrown(error) };
  } finally {
    clearTimeout(timer);
  }
  return {
    name: check.name,
    kind: check.kind,
    status: result.status,
    // A check may echo a path or a vendor message; redact in case a secret rode along.
    detail: redact(result.detail),
    durationMs: Math.round(performance.now() - started),
  };
}

export function doctorExitCode(outcomes: readonly CheckOutcome[]): number {
  for (const kind of EXIT_ORDER) {
    if (outcomes.some((outcome) => outcome.status === "fail" && outcome.kind === kind)) return EXIT_CODES[kind];
  }
  return 0;
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const ctx = createDoctorContext(options);
  const outcomes: CheckOutcome[] = [];
  for (const check of options.checks ?? doctorChecks) {
    if (ctx.signal.aborted) break;
    if (check.online === true && options.online !== true) continue;
    const outcome = await runOne(check, ctx);
    ctx.logger.debug("doctor check", { check: outcome.name, status: outcome.status, ms: outcome.durationMs });
    outcomes.push(outcome);
  }
  const counts: Record<CheckStatus, number> = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const outcome of outcomes) counts[outcome.status] += 1;
  return { checks: outcomes, counts, exitCode: doctorExitCode(outcomes) };
}

const STATUS_LABEL: Readonly<Record<CheckStatus, string>> = { ok: "ok", warn: "WARN", fail: "FAIL", skip: "skip" };

/** A plain-text table: status, check name, detail (continuation lines indented under the detail column). */
export function formatDoctorTable(report: DoctorReport): string {
  const nameWidth = Math.max(5, ...report.checks.map((check) => check.name.length));
  const indent = " ".repeat(6 + 2 + nameWidth + 2);
  const rows = report.checks.map((check) => {
    const [first = "", ...rest] = check.detail.split("\n");
    const head = `${STATUS_LABEL[check.status].padEnd(6)}  ${check.name.padEnd(nameWidth)}  ${first}`;
    return [head, ...rest.map((line) => `${indent}${line}`)].join("\n");
  });
  const { ok, warn, fail, skip } = report.counts;
  const header = `${"STATUS".padEnd(6)}  ${"CHECK".padEnd(nameWidth)}  DETAIL`;
  const summary = `${report.checks.length} checks: ${ok} ok, ${warn} warn, ${fail} fail, ${skip} skipped`;
  return `${header}\n${rows.join("\n")}\n\n${summary}\n`;
}

/** The report as JSON-ready data (snake_case keys, like the configuration files). */
export function doctorReportJson(report: DoctorReport): Record<string, unknown> {
  return {
    exit_code: report.exitCode,
    counts: report.counts,
    checks: report.checks.map((check) => ({
      name: check.name,
      kind: check.kind,
      status: check.status,
      detail: check.detail,
      duration_ms: check.durationMs,
    })),
  };
}
