/**
 * Curation changes on the report's day, from the curated and quarantine tables' manifests (day-commits.ts):
 * the commits made, corporate actions that are new in `curated/corporate_actions`, the symbols whose adjusted
 * history was rebuilt (their `symbol=<S>/` parts, src/curate/transform.ts), bars appended without a rebuild
 * (`delta/` parts), and the rows every quarantine table gained, by reason. A whole-table rewrite (actions, the
 * action quarantine) counts only rows that were not there before: added parts EXCEPT ALL removed parts.
 */
import { CURATE_TABLES, MINUTE_TABLES } from "../../curate/curate-tables.ts";
import { listTables } from "../../lake/manifest.ts";
import type { PartFile } from "../../lake/types.ts";
import { dayCommits, type DayCommits } from "../day-commits.ts";
import { VEGA_LITE_SCHEMA, chartFigure } from "../figures.ts";
import { escapeHtml, formatNumber, htmlTable, paragraph } from "../html.ts";
import type { ReportContext } from "../report-context.ts";
import { noDataYet, sectionHtml, type ReportSection, type SectionBody } from "../section.ts";

const LISTED_ACTIONS = 50;
const ADJUSTED_TABLES = [CURATE_TABLES.adjusted, MINUTE_TABLES.adjusted] as const;

export interface CurationChanges {
  /** Tables with commits on the day. */
  readonly commits: readonly DayCommits[];
  readonly newActions: readonly Record<string, string | number | null>[];
  readonly newActionCount: number;
  /** Adjusted table → symbols rebuilt that day. */
  readonly rebuilt: Readonly<Record<string, readonly string[]>>;
  /** Adjusted table → bars appended without a rebuild. */
  readonly appended: Readonly<Record<string, number>>;
  /** Rows quarantined on the day, by table and reason. */
  readonly quarantine: readonly { readonly table: string; readonly reason: string; readonly rows: number }[];
}

const sum = (parts: readonly PartFile[]): number => parts.reduce((n, part) => n + part.rows, 0);

function rebuiltSymbols(change: DayCommits): string[] {
  const symbols = new Set<string>();
  for (const part of change.added) {
    if (!part.key.includes("/symbol=")) continue;
    for (const symbol of part.symbols ?? []) symbols.add(symbol);
  }
  return [...symbols].sort();
}

/** Rows the day's commits added to `change.table` that were not in the table before (a view named `name`). */
async function newRows(context: ReportContext, change: DayCommits, name: string): Promise<boolean> {
  if (!(await context.view(`${name}_added`, change.table, change.added))) return false;
  const removed = await context.view(`${name}_removed`, change.table, change.removed);
  await context.duck.run(`CREATE OR REPLACE TEMP VIEW ${name} AS SELECT * FROM ${name}_added${removed ? ` EXCEPT ALL SELECT * FROM ${name}_removed` : ""}`);
  return true;
}

export async function curationChanges(context: ReportContext): Promise<CurationChanges> {
  const tables = [...new Set([...Object.values(CURATE_TABLES), ...Object.values(MINUTE_TABLES), ...(await listTables(context.store, context.signal)).filter((t) => t.startsWith("quarantine/"))])];
  const changes: DayCommits[] = [];
  for (const table of tables.sort()) {
    const change = await dayCommits(context.store, table, context.date, context.signal);
    context.noteRead(change.after);
    if (change.commits.length > 0) changes.push(change);
  }
  const byTable = new Map(changes.map((change) => [change.table, change]));

  let newActions: Record<string, string | number | null>[] = [];
  let newActionCount = 0;
  const actions = byTable.get(CURATE_TABLES.actions);
  if (actions !== undefined && (await newRows(context, actions, "new_actions"))) {
    newActions = await context.duck.rows<Record<string, string | number | null>>(
      `SELECT symbol, strftime(ex_date, '%Y-%m-%d') AS ex_date, action_type, ratio, amount FROM new_actions ORDER BY ex_date DESC, symbol LIMIT ${LISTED_ACTIONS}`,
    );
    newActionCount = (await context.duck.rows<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM new_actions`))[0]?.n ?? 0;
  }

  const rebuilt: Record<string, string[]> = {};
  const appended: Record<string, number> = {};
  for (const table of ADJUSTED_TABLES) {
    const change = byTable.get(table);
    if (change === undefined) continue;
    rebuilt[table] = rebuiltSymbols(change);
    const delta = (parts: readonly PartFile[]): PartFile[] => parts.filter((part) => part.key.includes("/delta/"));
    appended[table] = Math.max(0, sum(delta(change.added)) - sum(delta(change.removed)));
  }

  const quarantine: { table: string; reason: string; rows: number }[] = [];
  for (const change of changes.filter((c) => c.table.startsWith("quarantine/"))) {
    const view = `q_${change.table.replace(/[^a-z0-9]/g, "_")}`;
    if (!(await newRows(context, change, view))) continue;
    if (!(await context.columns(view)).has("reasons")) continue;
    const rows = await context.duck.rows<{ reason: string; rows: number }>(`
      SELECT trim(reason) AS reason, count(*)::INTEGER AS rows
      FROM (SELECT unnest(string_split(coalesce(CAST(reasons AS VARCHAR), 'unspecified'), '; ')) AS reason FROM ${view})
      GROUP BY ALL ORDER BY rows DESC, reason`);
    for (const row of rows) quarantine.push({ table: change.table, reason: row.reason, rows: row.rows });
  }
  return { commits: changes, newActions, newActionCount, rebuilt, appended, quarantine };
}

export const curationSection: ReportSection = {
  id: "curation",
  title: "Curation changes",
  async build(context): Promise<SectionBody> {
    const changes = await curationChanges(context);
    if (changes.commits.length === 0) {
      const ever = await context.manifest(CURATE_TABLES.adjusted);
      return noDataYet(
        ever === undefined
          ? "nothing has been curated on this lake yet: `trademl curate` (or the nightly DAG's curate step) writes curated/equities_ohlcv_adj"
          : `no curated or quarantine table changed on ${context.date} (UTC); the latest curation commit is ${ever.table}@${ever.seq} of ${ever.created.slice(0, 10)}`,
      );
    }
    const commits = htmlTable(
      ["table", "commits", "parts added", "parts removed", "rows added", "rows removed", "now at seq"],
      changes.commits.map((c) => [c.table, c.commits.length, c.added.length, c.removed.length, sum(c.added), sum(c.removed), c.after?.seq]),
      { caption: `Commits on ${context.date} (UTC)` },
    );
    const rebuiltText = Object.entries(changes.rebuilt)
      .map(([table, symbols]) => `${table}: ${symbols.length} symbol(s) rebuilt${symbols.length > 0 ? ` (${symbols.slice(0, 40).join(", ")}${symbols.length > 40 ? ", …" : ""})` : ""}, ${formatNumber(changes.appended[table] ?? 0)} bar(s) appended without a rebuild`)
      .map((line) => `<li>${escapeHtml(line)}</li>`)
      .join("");
    const rebuilt = rebuiltText === "" ? "" : `<ul>${rebuiltText}</ul>`;
    const actions = changes.newActionCount === 0
      ? paragraph("No new corporate action.")
      : htmlTable(["symbol", "ex-date", "type", "ratio", "amount"], changes.newActions.map((a) => [a["symbol"], a["ex_date"], a["action_type"], a["ratio"], a["amount"]]), {
          caption: changes.newActionCount > changes.newActions.length ? `New corporate actions: ${changes.newActions.length} of ${changes.newActionCount}` : `New corporate actions (${changes.newActionCount})`,
        });
    let quarantine = paragraph("Nothing was quarantined.");
    if (changes.quarantine.length > 0) {
      const table = htmlTable(["table", "reason", "rows"], changes.quarantine.map((q) => [q.table, q.reason, q.rows]), { caption: "Quarantined rows by reason" });
      const figure = await chartFigure(
        {
          $schema: VEGA_LITE_SCHEMA,
          width: 360,
          height: { step: 20 },
          data: { values: changes.quarantine },
          mark: "bar",
          encoding: {
            y: { field: "reason", type: "nominal", title: null, sort: "-x" },
            x: { field: "rows", type: "quantitative", title: "rows quarantined", aggregate: "sum" },
            color: { field: "table", type: "nominal", title: "table" },
          },
        },
        `Rows quarantined on ${context.date}, by reason`,
      );
      quarantine = `${table}${figure}`;
    }
    return sectionHtml(`${commits}${rebuilt}${actions}${quarantine}`);
  },
};
