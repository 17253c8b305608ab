/**
 * Audit coverage from the partition_status ledger (`qc/partition_status`, src/quality/audit/): GREEN/AMBER/RED
 * per source and table, the RED and AMBER partitions themselves (newest sessions first), and a status heatmap of
 * the latest sessions — as a PNG, since a heatmap of a whole universe is thousands of cells.
 */
import { coverageSummary } from "../../quality/audit/coverage.ts";
import { LEDGER_TABLE } from "../../quality/audit/ledger.ts";
import type { CoverageSummary } from "../../quality/audit/types.ts";
import { STATUS_COLOURS, VEGA_LITE_SCHEMA, chartFigure } from "../figures.ts";
import { badge, formatNumber, htmlTable, paragraph } from "../html.ts";
import type { ReportContext } from "../report-context.ts";
import { noDataYet, sectionHtml, type ReportSection, type SectionBody } from "../section.ts";

/** How many RED/AMBER partitions are listed; the rest are counted. */
export const LISTED_PARTITIONS = 50;
/** Sessions and series shown in the heatmap. */
const HEATMAP_SESSIONS = 40;
const HEATMAP_SERIES = 40;

export interface FlaggedPartition {
  readonly source: string;
  readonly table: string;
  readonly symbol: string;
  readonly session: string;
  readonly status: "AMBER" | "RED";
  readonly rows: number;
  readonly expected: number;
  readonly reasons: string;
}

/**
 * The ledger's coverage per source and table (the audit's own `coverageSummary`), and a view `ledger` over the
 * same snapshot for the partition list and the heatmap; undefined when the ledger is empty.
 */
export async function ledgerCoverage(context: ReportContext): Promise<{ coverage: CoverageSummary[]; committed: string } | undefined> {
  const view = await context.tableView("ledger", LEDGER_TABLE);
  if (view === undefined) return undefined;
  return { coverage: await coverageSummary(context.store, {}, context.signal), committed: view.manifest.created };
}

/** RED first, then AMBER; newest sessions first within each. Call after `ledgerCoverage`. */
export async function flaggedPartitions(context: ReportContext, limit = LISTED_PARTITIONS): Promise<{ rows: FlaggedPartition[]; total: number }> {
  const rows = await context.duck.rows<FlaggedPartition & Record<string, string | number>>(`
    SELECT source, table_name AS "table", symbol, strftime(session, '%Y-%m-%d') AS session, status, rows::INTEGER AS rows,
           expected::INTEGER AS expected, coalesce(array_to_string(reasons, ', '), '') AS reasons
    FROM ledger WHERE status IN ('RED', 'AMBER')
    ORDER BY status = 'RED' DESC, session DESC, source, "table", symbol LIMIT ${limit}`);
  const [count] = await context.duck.rows<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM ledger WHERE status IN ('RED', 'AMBER')`);
  return { rows, total: count?.n ?? 0 };
}

async function heatmap(context: ReportContext): Promise<string> {
  const cells = await context.duck.rows<{ series: string; session: string; status: string }>(`
    WITH recent AS (SELECT DISTINCT session FROM ledger ORDER BY session DESC LIMIT ${HEATMAP_SESSIONS}),
    windowed AS (SELECT l.* FROM ledger l JOIN recent USING (session)),
    series AS (
      SELECT source || '/' || table_name || ' ' || symbol AS series, count(*) FILTER (WHERE status <> 'GREEN') AS flagged
      FROM windowed GROUP BY ALL ORDER BY flagged DESC, series LIMIT ${HEATMAP_SERIES})
    SELECT s.series, strftime(w.session, '%Y-%m-%d') AS session, w.status
    FROM windowed w JOIN series s ON s.series = w.source || '/' || w.table_name || ' ' || w.symbol
    ORDER BY s.series, w.session`);
  return chartFigure(
    {
      $schema: VEGA_LITE_SCHEMA,
      width: { step: 12 },
      height: { step: 12 },
      data: { values: cells },
      mark: { type: "rect", stroke: "white", strokeWidth: 1 },
      encoding: {
        x: { field: "session", type: "ordinal", title: "session", axis: { labelAngle: -60 } },
        y: { field: "series", type: "nominal", title: null, axis: { labelLimit: 320 } },
        color: { field: "status", type: "nominal", scale: { domain: [...STATUS_COLOURS.domain], range: [...STATUS_COLOURS.range] }, title: "status" },
      },
    },
    `Partition status of the latest ${HEATMAP_SESSIONS} audited sessions (series with the most RED/AMBER first)`,
    { png: true },
  );
}

export const auditSection: ReportSection = {
  id: "audit",
  title: "Audit coverage",
  async build(context): Promise<SectionBody> {
    const ledger = await ledgerCoverage(context);
    if (ledger === undefined || ledger.coverage.length === 0) {
      return noDataYet("the audit ledger (qc/partition_status) is empty: `trademl audit` (or the nightly DAG's audit step) writes it");
    }
    const summary = htmlTable(
      ["source", "table", "symbols", "partitions", "GREEN", "AMBER", "RED", "GREEN share", "sessions"],
      ledger.coverage.map((row) => [
        row.source, row.table, row.symbols, row.partitions, row.green,
        row.amber > 0 ? { html: badge(formatNumber(row.amber), "warn").html } : 0,
        row.red > 0 ? { html: badge(formatNumber(row.red), "bad").html } : 0,
        `${(row.greenShare * 100).toFixed(2)}%`,
        `${row.firstSession ?? "?"} … ${row.lastSession ?? "?"}`,
      ]),
      { caption: `Ledger as committed ${ledger.committed.replace("T", " ").slice(0, 16)} UTC` },
    );
    const flagged = await flaggedPartitions(context);
    const list = flagged.total === 0
      ? paragraph("No RED or AMBER partition: every audited (symbol, session) is GREEN.")
      : htmlTable(
          ["status", "source", "table", "symbol", "session", "rows", "expected", "reasons"],
          flagged.rows.map((row) => [badge(row.status, row.status === "RED" ? "bad" : "warn"), row.source, row.table, row.symbol, row.session, row.rows, row.expected, row.reasons]),
          { caption: flagged.total > flagged.rows.length ? `RED and AMBER partitions: the ${flagged.rows.length} most recent of ${formatNumber(flagged.total)}` : `RED and AMBER partitions (${flagged.total})` },
        );
    return sectionHtml(`${summary}${list}${await heatmap(context)}`);
  },
};
