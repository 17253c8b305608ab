/** Shared helpers for the ingestion tests: temp lakes, reading a raw table's committed rows, child collectors. */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";
import { LocalStore } from "../../src/lake/local-store.ts";
import { readManifest } from "../../src/lake/manifest.ts";

export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Every committed row of a table (the manifest's file list, nothing else), as plain objects. */
export async function committedRows(lakeDir: string, table: string, columns: string): Promise<Record<string, unknown>[]> {
  const store = new LocalStore({ root: lakeDir });
  const manifest = await readManifest(store, table);
  const paths: string[] = [];
  for (const f of manifest?.files ?? []) {
    if (f.rows === 0) continue;
    const p = await store.resolvePath(f.key);
    if (p === undefined) throw new Error(`committed part ${f.key} is missing`);
    paths.push(p);
  }
  if (paths.length === 0) return [];
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  try {
    const list = paths.map((p) => `'${p.replace(/'/g, "''")}'`).join(", ");
    const reader = await conn.runAndReadAll(`SELECT ${columns} FROM read_parquet([${list}], hive_partitioning = false) ORDER BY ALL`);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

export function keyCounts(rows: readonly Record<string, unknown>[], key: (r: Record<string, unknown>) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
  return counts;
}

export interface ChildArgs {
  simUrl: string;
  today: string;
  lake: string;
  universe: string[];
  datasets: { vendor: string; dataset: string }[];
  historyDays: number;
  minuteDays?: number;
  chunkDays?: number;
  batchSize?: number;
  timeScale: number;
  workers: number;
  holder: string;
  leaseWaitMs?: number;
  /** Option underliers sampled per session, and Polygon's contracts per listing page (small: many pages). */
  optionUnderliers?: number;
  contractsPageLimit?: number;
  /** Draw budgets and pace from the lake (lakeQuota) as the edge consumer. */
  sharedQuota?: boolean;
  /** Alpaca's limits instead of node.yml's defaults: per-minute rate (before timeScale), daily total, edge share. */
  alpaca?: { requestsPerMinute: number; dailyBudget: number; share: number };
}

const CHILD = fileURLToPath(new URL("./fixtures/collector-child.ts", import.meta.url));
const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** What a child collector left: exit, output, and its report (the JSON line it wrote, read from a file). */
export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /**
   * The child's report JSON, from the file it writes beside stdout ("" when it wrote none, e.g. after SIGKILL).
   * Read from a file because Deno's child_process can report `close` before the last stdout chunk of a child
   * that exits right after a signal; the file is complete once the child has exited.
   */
  report: string;
}

/** Starts a collector in its own Node process (so it can be SIGKILLed), via tsx. */
export function spawnCollector(args: ChildArgs): { child: ChildProcess; done: Promise<ChildResult> } {
  // The child's temp files (DuckDB staging) go to a folder removed when it exits, even after SIGKILL.
  const scratch = mkdtempSync(join(tmpdir(), "trademl-child-"));
  const reportDir = mkdtempSync(join(tmpdir(), "trademl-child-report-"));
  const reportFile = join(reportDir, "report.json");
  const child = spawn("node", ["--import", "tsx", CHILD, JSON.stringify(args)], {
    cwd: REPO, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, TMPDIR: scratch, TRADEML_CHILD_REPORT: reportFile },
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => { stdout += d.toString(); });
  child.stderr?.on("data", (d: Buffer) => { stderr += d.toString(); });
  const done = new Promise<ChildResult>((resolve) => {
    child.on("close", (code, signal) => {
      rmSync(scratch, { recursive: true, force: true });
      const report = existsSync(reportFile) ? readFileSync(reportFile, "utf8").trim() : "";
      rmSync(reportDir, { recursive: true, force: true });
      resolve({ code, signal, stdout, stderr, report });
    });
  });
  return { child, done };
}
