/** Human-readable summaries of a collection pass and of what a lake holds (from manifests only). */
import { readManifest } from "../lake/manifest.ts";
import type { ObjectStore } from "../lake/types.ts";
import { rawSchema } from "../db/raw-tables.ts";
import { rawTable } from "../lake/keys.ts";
import { DATASETS } from "./datasets.ts";
import type { CollectionReport } from "./collector.ts";

export interface TableSummary {
  readonly table: string;
  readonly rows: number;
  readonly parts: number;
  readonly series: number;
  readonly first?: string;
  readonly last?: string;
}

/** Rows, parts, series and date span of every raw table in the lake. */
export async function summarizeRawTables(store: ObjectStore): Promise<TableSummary[]> {
  const out: TableSummary[] = [];
  for (const spec of DATASETS) {
    const table = rawTable(spec.vendor, spec.dataset);
    const manifest = await readManifest(store, table);
    if (!manifest) continue;
    const series = new Set<string>();
    let rows = 0;
    let first: string | undefined;
    let last: string | undefined;
    for (const f of manifest.files) {
      rows += f.rows;
      for (const s of f.symbols ?? []) series.add(s);
      const lo = f.min?.[rawSchema(spec.dataset).dateColumn];
      const hi = f.max?.[rawSchema(spec.dataset).dateColumn];
      if (typeof lo === "string" && (first === undefined || lo < first)) first = lo;
      if (typeof hi === "string" && (last === undefined || hi > last)) last = hi;
    }
    out.push({ table, rows, parts: manifest.files.length, series: series.size, ...(first ? { first } : {}), ...(last ? { last } : {}) });
  }
  return out;
}

export function formatTableSummaries(rows: readonly TableSummary[]): string {
  const header = ["table", "rows", "parts", "series", "first", "last"];
  const body = rows.map((r) => [r.table, String(r.rows), String(r.parts), String(r.series), r.first ?? "-", r.last ?? "-"]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? "").length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  return [line(header), ...body.map(line)].join("\n");
}

export function formatCollection(report: CollectionReport): string {
  const lines = [
    `collected through ${report.through}: ${report.committed}/${report.units} units committed, ${report.failed} failed${report.interrupted ? " (interrupted)" : ""} in ${(report.durationMs / 1000).toFixed(1)} s`,
  ];
  for (const [vendor, usage] of Object.entries(report.usage)) {
    lines.push(`  ${vendor.padEnd(8)} ${usage.requests} requests, ${usage.rate_limited} × 429, ${usage.server_errors} × 5xx, ${usage.retries} retries, ${(usage.bytes / 1024).toFixed(0)} KiB`);
  }
  const q = Object.entries(report.quarantined);
  if (q.length > 0) lines.push(`  quarantined: ${q.map(([reason, n]) => `${n} ${reason}`).join(", ")} (see quarantine/raw/ in the lake)`);
  for (const s of report.skipped) lines.push(`  skipped ${s.vendor}${s.table ? ` ${s.table}` : ""}: ${s.reason}`);
  return lines.join("\n");
}
