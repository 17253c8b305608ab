/**
 * The daily report: one self-contained HTML page per UTC day, built from what the lake (and MLflow, when
 * configured) holds, committed to the lake (report-object.ts) and copied to a local folder. Each section reads its
 * tables and state objects if they exist and says "no data yet" when they do not, so sections fill in as the
 * pipelines that feed them land; a section that fails is shown as failed and the others are still built.
 *
 * This is the step the nightly DAG runs last on the node (`buildDailyReport({ store, date, config })`); it is
 * idempotent — running it again replaces the day's report with a fresh one — and it returns the manifest seqs it
 * read, so a runner can skip it when nothing changed.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { TrademlConfig } from "../config/index.ts";
import { DuckSession, type DuckResourceOptions } from "../db/session.ts";
import { isIsoDate, todayUtc } from "../domain/calendar/dates.ts";
import { UsageError } from "../domain/errors.ts";
import { silentLogger, type Logger } from "../domain/logger.ts";
import { lakeAccess } from "../lake/lake-access.ts";
import type { ObjectStore } from "../lake/types.ts";
import { createMlflowClient, type MlflowClient } from "../mlflow/client.ts";
import { mlflowConnectionFromEnv } from "../mlflow/connection.ts";
import { escapeHtml, reportPage, type PageSection } from "./html.ts";
import { ReportContext } from "./report-context.ts";
import { writeDailyReport } from "./report-object.ts";
import type { ReportSection } from "./section.ts";
import { DAILY_SECTIONS } from "./sections/index.ts";

export interface DailyReportOptions {
  readonly store: ObjectStore;
  /** The UTC day reported (YYYY-MM-DD); default today on the store's clock. */
  readonly date?: string;
  /** The loaded configuration: vendor budgets, training models, DuckDB resources, MLflow from its environment. */
  readonly config?: TrademlConfig;
  /** An MLflow client (the caller closes it); default: one built from `config.env` when MLFLOW_TRACKING_URI is set. */
  readonly mlflow?: MlflowClient;
  /** Folder for the local copy `<outDir>/daily-<date>.html`; none when absent. */
  readonly outDir?: string;
  /** Which sections, in order (default: every section of the daily report). */
  readonly sections?: readonly ReportSection[];
  /** DuckDB resources (default: configs/node.yml `duckdb` when a config is given). */
  readonly duck?: DuckResourceOptions;
  /** Where S3 parts are materialised for DuckDB (default: the shared read cache under the OS temp dir). */
  readonly cacheDir?: string;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
}

export interface SectionOutcome {
  readonly id: string;
  readonly title: string;
  readonly state: "ok" | "empty" | "failed";
  /** Why it is empty, or the error of a failed section. */
  readonly detail?: string;
}

export interface DailyReport {
  readonly date: string;
  readonly html: string;
  /** The report's key in the lake. */
  readonly key: string;
  readonly etag: string;
  /** The local copy, when `outDir` was given (absolute). */
  readonly localPath: string | undefined;
  /** Every path written: the lake key, then the local copy. */
  readonly paths: readonly string[];
  readonly sections: readonly SectionOutcome[];
  /** Table → manifest seq of every table the report read. */
  readonly inputs: Readonly<Record<string, number>>;
}

export function localReportName(date: string): string {
  return `daily-${date}.html`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function buildSection(section: ReportSection, context: ReportContext, logger: Logger): Promise<{ page: PageSection; outcome: SectionOutcome }> {
  const base = { id: section.id, title: section.title };
  try {
    const body = await section.build(context);
    if (body.state === "ok") return { page: { ...base, state: "ok", html: body.html }, outcome: { ...base, state: "ok" } };
    return { page: { ...base, state: "empty", html: `<p class="empty">No data yet: ${escapeHtml(body.reason)}.</p>` }, outcome: { ...base, state: "empty", detail: body.reason } };
  } catch (error) {
    context.signal?.throwIfAborted();
    logger.warn("report section failed", { section: section.id, error });
    const message = messageOf(error);
    return { page: { ...base, state: "failed", html: `<p>This section could not be built: ${escapeHtml(message)}</p>` }, outcome: { ...base, state: "failed", detail: message } };
  }
}

export async function buildDailyReport(options: DailyReportOptions): Promise<DailyReport> {
  const { store, config } = options;
  const logger = options.logger ?? silentLogger;
  const builtAt = await store.serverTime(options.signal === undefined ? {} : { signal: options.signal });
  const date = options.date ?? todayUtc(builtAt);
  if (!isIsoDate(date)) throw new UsageError("bad_date", `the report date must be YYYY-MM-DD, not "${date}"`);

  const connection = options.mlflow === undefined && config !== undefined ? mlflowConnectionFromEnv(config.env) : undefined;
  const ownedMlflow = connection === undefined ? undefined : createMlflowClient(connection, { logger });
  const duckResources = options.duck ?? (config === undefined ? {} : { memoryLimit: config.node.duckdb.memory_limit, threads: config.node.duckdb.threads });
  const duck = await DuckSession.create({ ...duckResources, kernels: false });
  try {
    const context = new ReportContext({
      store,
      lake: lakeAccess(store, { cacheDir: options.cacheDir ?? join(tmpdir(), "trademl-read-cache"), ...(config === undefined ? {} : { cacheBytes: config.node.lake.read_cache_bytes }) }),
      duck,
      date,
      config,
      mlflow: options.mlflow ?? ownedMlflow,
      signal: options.signal,
    });
    const built: { page: PageSection; outcome: SectionOutcome }[] = [];
    for (const section of options.sections ?? DAILY_SECTIONS) {
      options.signal?.throwIfAborted();
      built.push(await buildSection(section, context, logger));
    }
    const inputs = context.inputs();
    const html = reportPage({
      title: `trademl daily report — ${date}`,
      subtitle: `Lake ${store.description}; built ${builtAt.toISOString().replace("T", " ").slice(0, 19)} UTC (the lake's clock). Days are UTC days.`,
      sections: built.map((b) => b.page),
      footer: `Built from ${Object.keys(inputs).length === 0 ? "no table" : Object.entries(inputs).map(([table, seq]) => `${table}@${seq}`).join(", ")}.`,
    });
    const written = await writeDailyReport(store, date, html, options.signal);
    let localPath: string | undefined;
    if (options.outDir !== undefined) {
      const dir = resolve(options.outDir);
      await mkdir(dir, { recursive: true });
      localPath = join(dir, localReportName(date));
      await writeFile(localPath, html);
    }
    logger.info("daily report written", { date, key: written.key, ...(localPath === undefined ? {} : { localPath }) });
    return {
      date, html, key: written.key, etag: written.etag, localPath,
      paths: localPath === undefined ? [written.key] : [written.key, localPath],
      sections: built.map((b) => b.outcome),
      inputs,
    };
  } finally {
    duck.close();
    await ownedMlflow?.close();
  }
}
