/**
 * One curation pass's working context: its DuckDB session (the low-RSS preset, spilling into the pass's staging
 * folder), the part writer over it, the tables it writes, and a tally of parts and commits for the report. The
 * pass's steps (plan, transform, commit, bookmark) take this context; `withCurationPass` opens and always closes it.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { PartWriter } from "../db/part-writer.ts";
import { DuckSession, lowRssSession, type DuckResourceOptions } from "../db/session.ts";
import { silentLogger, type Logger } from "../domain/logger.ts";
import type { LakeAccess } from "../lake/lake-access.ts";
import type { PartFile, TableChange } from "../lake/types.ts";
import { CURATE_TABLES, MINUTE_TABLES, type BarTables } from "./curate-tables.ts";
import { makeStaging, type Staging } from "./parts.ts";

export interface CurationPassOptions {
  readonly lake: LakeAccess;
  readonly mode: "daily" | "minute";
  /** Vendors in merge order: the first one wins when two vendors deliver the same bar or action. */
  readonly sourcePriority: readonly string[];
  /** Relative price difference between vendors above which a disagreement is recorded (default 0.005). */
  readonly priceTolerance?: number;
  /** Relative volume difference recorded as a disagreement (default 0.10). */
  readonly volumeTolerance?: number;
  /** Symbols merged and adjusted per batch (default 25 daily, 10 minute): bounds DuckDB's working set. */
  readonly batchSymbols?: number;
  readonly duck?: DuckResourceOptions;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
}

export interface CurationPass {
  readonly minute: boolean;
  readonly lake: LakeAccess;
  readonly duck: DuckSession;
  readonly parts: PartWriter;
  readonly staging: Staging;
  readonly tables: BarTables;
  readonly batchSize: number;
  readonly logger: Logger;
  readonly signal: AbortSignal | undefined;
  /** Parts written and the seq committed per table, for the report. */
  readonly partsWritten: Record<string, number>;
  readonly commits: Record<string, number>;
  /** Runs `sql/curate/<name>.sql`, timing it in the debug log. */
  sql(name: string): Promise<void>;
  /** The number a `SELECT` of one value returns. */
  count(sql: string): Promise<number>;
  /** Sets DuckDB variables the SQL files read with getvariable(). */
  set(variables: Readonly<Record<string, string>>): Promise<void>;
  /** Commits a change to `table` and tallies it. */
  commit(table: string, change: TableChange): Promise<void>;
  /** Tallies a part written for `table` and returns it. */
  wrote(table: string, part: PartFile): PartFile;
  /** Marks the start of a named stage: the previous one's time and memory go to the debug log. */
  stage(name: string): void;
}

/** Opens a pass, runs `work` on it, and closes its session and staging folder whatever happens. */
export async function withCurationPass<T>(options: CurationPassOptions, work: (pass: CurationPass) => Promise<T>): Promise<T> {
  const minute = options.mode === "minute";
  const logger = options.logger ?? silentLogger;
  const staging = await makeStaging();
  // Operators that outgrow the memory limit spill here instead of failing (DuckDB `temp_directory`).
  const duck = await DuckSession.create(lowRssSession({ ...options.duck, tempDirectory: options.duck?.tempDirectory ?? join(staging.dir, "spill") })).catch(async (error: unknown) => {
    await rm(staging.dir, { recursive: true, force: true });
    throw error;
  });
  const parts = new PartWriter({
    session: duck, store: options.lake.store, commit: options.lake.commitOptions, scratchDir: staging.dir,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const partsWritten: Record<string, number> = {};
  const commits: Record<string, number> = {};
  let stageName = "setup";
  let stageStarted = performance.now();
  const pass: CurationPass = {
    minute,
    lake: options.lake,
    duck,
    parts,
    staging,
    tables: minute ? MINUTE_TABLES : CURATE_TABLES,
    batchSize: Math.max(1, options.batchSymbols ?? (minute ? 10 : 25)),
    logger,
    signal: options.signal,
    partsWritten,
    commits,
    async sql(name) {
      const started = performance.now();
      await duck.runFile(`curate/${name}`);
      logger.debug("sql file", { name, ms: Math.round(performance.now() - started) });
    },
    async count(sql) {
      const rows = await duck.rows<{ n: number }>(`SELECT (${sql})::DOUBLE AS n`);
      return rows[0]?.n ?? 0;
    },
    async set(variables) {
      for (const [name, expression] of Object.entries(variables)) await duck.run(`SET VARIABLE ${name} = ${expression}`);
    },
    async commit(table, change) {
      commits[table] = (await parts.commit(table, change)).seq;
    },
    wrote(table, part) {
      partsWritten[table] = (partsWritten[table] ?? 0) + 1;
      return part;
    },
    stage(next) {
      const now = performance.now();
      // Where a slow run spends its time, without a profiler.
      logger.debug("curate stage", { mode: options.mode, stage: stageName, ms: Math.round(now - stageStarted), rssMB: Math.round(process.memoryUsage().rss / 2 ** 20) });
      stageName = next;
      stageStarted = now;
    },
  };
  try {
    options.signal?.throwIfAborted();
    return await work(pass);
  } finally {
    await parts.close();
    duck.close();
    await rm(staging.dir, { recursive: true, force: true });
  }
}
