/**
 * Strategy PnL from the lake's backtest runs: every table `backtests/<kind>/<run>/daily` with a `date` and a `net`
 * column (one row per date, net return after costs; the equities backtest writes gross, cost, borrow and net),
 * the newest runs committed by the report's day. Per run: days, cumulative net, annualised Sharpe
 * (mean / sd × √252) and maximum drawdown of the cumulative net; and one chart of the cumulative net over time.
 */
import { dateStartMs, DAY_MS } from "../../domain/calendar/dates.ts";
import { listTables } from "../../lake/manifest.ts";
import type { Manifest } from "../../lake/types.ts";
import { VEGA_LITE_SCHEMA, chartFigure } from "../figures.ts";
import { htmlTable } from "../html.ts";
import type { ReportContext } from "../report-context.ts";
import { noDataYet, sectionHtml, type ReportSection, type SectionBody } from "../section.ts";

const DAILY_TABLE = /^backtests\/([a-z0-9_]+)\/([^/]+)\/daily$/;
/** Runs shown, newest commit first. */
export const MAX_RUNS = 6;
const TRADING_DAYS = 252;

export interface StrategyRun {
  readonly kind: string;
  readonly run: string;
  readonly committed: string;
  readonly days: number;
  readonly first: string;
  readonly last: string;
  readonly totalNet: number;
  readonly sharpe: number | null;
  readonly maxDrawdown: number;
}

export async function strategyRuns(context: ReportContext): Promise<{ runs: StrategyRun[]; curve: { run: string; date: string; cumulative: number }[] }> {
  const end = dateStartMs(context.date) + DAY_MS;
  const found: { kind: string; run: string; manifest: Manifest }[] = [];
  for (const table of await listTables(context.store, context.signal)) {
    const match = DAILY_TABLE.exec(table);
    if (match === null || match[1] === undefined || match[2] === undefined) continue;
    const manifest = await context.lake.readManifest(table);
    if (manifest === undefined || manifest.files.length === 0 || Date.parse(manifest.created) >= end) continue;
    found.push({ kind: match[1], run: match[2], manifest });
  }
  found.sort((a, b) => (a.manifest.created < b.manifest.created ? 1 : a.manifest.created > b.manifest.created ? -1 : 0));
  const runs: StrategyRun[] = [];
  const curve: { run: string; date: string; cumulative: number }[] = [];
  for (const { kind, run, manifest } of found.slice(0, MAX_RUNS)) {
    context.noteRead(manifest);
    const view = `pnl_${runs.length}`;
    await context.view(view, manifest.table, manifest.files);
    const columns = await context.columns(view);
    if (!columns.has("date") || !columns.has("net")) continue;
    const label = `${kind}/${run}`;
    const rows = await context.duck.rows<{ date: string; net: number; cumulative: number }>(`
      SELECT strftime(date::DATE, '%Y-%m-%d') AS date, net::DOUBLE AS net, (sum(net) OVER (ORDER BY date))::DOUBLE AS cumulative
      FROM ${view} WHERE net IS NOT NULL AND isfinite(net) ORDER BY date`);
    if (rows.length === 0) continue;
    const nets = rows.map((row) => row.net);
    const mean = nets.reduce((a, b) => a + b, 0) / nets.length;
    const variance = nets.length < 2 ? 0 : nets.reduce((a, b) => a + (b - mean) ** 2, 0) / (nets.length - 1);
    let peak = 0;
    let maxDrawdown = 0;
    for (const row of rows) {
      peak = Math.max(peak, row.cumulative);
      maxDrawdown = Math.max(maxDrawdown, peak - row.cumulative);
      curve.push({ run: label, date: row.date, cumulative: row.cumulative });
    }
    runs.push({
      kind, run, committed: manifest.created, days: rows.length, first: rows[0]?.date ?? "", last: rows.at(-1)?.date ?? "",
      totalNet: rows.at(-1)?.cumulative ?? 0,
      sharpe: variance > 0 ? (mean / Math.sqrt(variance)) * Math.sqrt(TRADING_DAYS) : null,
      maxDrawdown,
    });
  }
  return { runs, curve };
}

const pct = (value: number): string => `${(value * 100).toFixed(2)}%`;

export const strategyPnlSection: ReportSection = {
  id: "pnl",
  title: "Strategy PnL",
  async build(context): Promise<SectionBody> {
    const { runs, curve } = await strategyRuns(context);
    if (runs.length === 0) {
      return noDataYet("no backtest run in the lake yet: backtests write backtests/<kind>/<run>/daily (date, net) when the trainer or the options strategies run");
    }
    const table = htmlTable(
      ["run", "committed", "days", "from", "to", "cumulative net", "Sharpe (ann.)", "max drawdown"],
      runs.map((r) => [`${r.kind}/${r.run}`, r.committed.slice(0, 16).replace("T", " "), r.days, r.first, r.last, pct(r.totalNet), r.sharpe === null ? null : r.sharpe.toFixed(2), pct(r.maxDrawdown)]),
    );
    const figure = await chartFigure(
      {
        $schema: VEGA_LITE_SCHEMA,
        width: 560,
        height: 240,
        data: { values: curve },
        mark: { type: "line", strokeWidth: 1.5 },
        encoding: {
          x: { field: "date", type: "temporal", timeUnit: "utcyearmonthdate", title: null, axis: { format: "%Y-%m-%d", labelAngle: -30 } },
          y: { field: "cumulative", type: "quantitative", title: "cumulative net return", axis: { format: "%" } },
          color: { field: "run", type: "nominal", title: "run" },
        },
      },
      "Cumulative net return of the newest backtest runs",
    );
    return sectionHtml(`${table}${figure}`);
  },
};
