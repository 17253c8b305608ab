/**
 * Backfill progress: what the backfill has fetched and found complete or unavailable at the vendor (its marks,
 * `state/marks/backfill/<source>/<table>.json`), what is still to fill (the ledger's RED and AMBER partitions of
 * that source and table), and the backfill's share of each vendor's budget booked on the report's day.
 */
import { VENDORS } from "../../config/index.ts";
import { CALENDAR_FIRST_DATE, CALENDAR_LAST_DATE, countSessions } from "../../domain/calendar/index.ts";
import { LEDGER_TABLE } from "../../quality/audit/ledger.ts";
import { listMarks, type BackfillMarks } from "../../quality/backfill/marks.ts";
import { readDailyBudget } from "../../vendors/lake-quota.ts";
import { htmlTable, paragraph, formatNumber } from "../html.ts";
import type { ReportContext } from "../report-context.ts";
import { noDataYet, sectionHtml, type ReportSection, type SectionBody } from "../section.ts";

/** The consumer name the backfill books vendor budget under (quality/backfill/from-config.ts). */
const BACKFILL_CONSUMER = "backfill";

export interface BackfillProgressRow {
  readonly source: string;
  readonly table: string;
  readonly symbols: number;
  readonly sessionsComplete: number;
  readonly sessionsUnavailable: number;
  /** RED + AMBER partitions of this source and table in the ledger (undefined: the ledger has none of it). */
  readonly left: number | undefined;
  readonly updatedAt: string;
}

function sessionsIn(ranges: readonly (readonly [string, string])[]): number {
  let total = 0;
  for (const [from, to] of ranges) {
    const start = from < CALENDAR_FIRST_DATE ? CALENDAR_FIRST_DATE : from;
    const end = to > CALENDAR_LAST_DATE ? CALENDAR_LAST_DATE : to;
    if (start <= end) total += countSessions(start, end);
  }
  return total;
}

async function ledgerLeft(context: ReportContext): Promise<Map<string, number>> {
  if ((await context.tableView("backfill_ledger", LEDGER_TABLE)) === undefined) return new Map();
  const rows = await context.duck.rows<{ source: string; table_name: string; left: number }>(
    `SELECT source, table_name, count(*) FILTER (WHERE status <> 'GREEN')::INTEGER AS "left" FROM backfill_ledger GROUP BY ALL`,
  );
  return new Map(rows.map((row) => [`${row.source}/${row.table_name}`, row.left]));
}

export async function backfillProgress(context: ReportContext): Promise<BackfillProgressRow[]> {
  const marks: BackfillMarks[] = await listMarks(context.store, context.signal);
  if (marks.length === 0) return [];
  const left = await ledgerLeft(context);
  return marks
    .map((m) => {
      const symbols = Object.values(m.symbols);
      return {
        source: m.source,
        table: m.table,
        symbols: symbols.length,
        sessionsComplete: symbols.reduce((n, s) => n + sessionsIn(s.complete), 0),
        sessionsUnavailable: symbols.reduce((n, s) => n + sessionsIn(s.unavailable), 0),
        left: left.get(`${m.source}/${m.table}`),
        updatedAt: m.updated_at,
      };
    })
    .sort((a, b) => (`${a.source}/${a.table}` < `${b.source}/${b.table}` ? -1 : 1));
}

export const backfillSection: ReportSection = {
  id: "backfill",
  title: "Backfill progress",
  async build(context): Promise<SectionBody> {
    const rows = await backfillProgress(context);
    if (rows.length === 0) {
      return noDataYet("no backfill has run on this lake (state/marks/backfill/ is empty): `trademl backfill` or the nightly DAG's backfill step fills the ledger's gaps");
    }
    const booked: string[] = [];
    for (const vendor of VENDORS) {
      const budget = await readDailyBudget(context.store, vendor, context.date, context.signal);
      const n = budget?.consumers[BACKFILL_CONSUMER];
      if (budget !== undefined && n !== undefined) booked.push(`${vendor} ${formatNumber(n)} of ${formatNumber(budget.budget)}`);
    }
    const table = htmlTable(
      ["source", "table", "symbols", "sessions complete", "sessions unavailable at the vendor", "partitions left (RED/AMBER)", "marks updated"],
      rows.map((row) => [row.source, row.table, row.symbols, row.sessionsComplete, row.sessionsUnavailable, row.left, row.updatedAt]),
    );
    const budgetLine = paragraph(booked.length === 0 ? `The backfill booked no vendor requests on ${context.date}.` : `Requests the backfill booked on ${context.date}: ${booked.join("; ")}.`);
    return sectionHtml(`${table}${budgetLine}`);
  },
};
