/**
 * Ingestion usage per vendor on the report's day: the collector's counters (`state/usage/<day>/<vendor>.json`:
 * requests, 429s, 5xx, rows, quarantined rows) and the shared daily budget (`state/budgets/daily/<vendor>/<day>.json`:
 * requests booked by every consumer against the vendor's total). A vendor with no budget object booked nothing
 * through the lake's quota that day; its total is then node.yml's `daily_budget` when the configuration is known.
 * Rows the collector refused that day are counted by reason from its quarantine objects (quarantine/raw/…).
 */
import { VENDORS } from "../../config/index.ts";
import { quarantinedOnDay } from "../../ingest/quarantine-records.ts";
import { readDayUsage } from "../../ingest/usage-state.ts";
import { readDailyBudget, type DailyBudgetState } from "../../vendors/lake-quota.ts";
import { VEGA_LITE_SCHEMA, chartFigure } from "../figures.ts";
import { badge, formatNumber, htmlTable, paragraph } from "../html.ts";
import type { ReportContext } from "../report-context.ts";
import { noDataYet, sectionHtml, type ReportSection, type SectionBody } from "../section.ts";

export interface VendorUsageRow {
  readonly vendor: string;
  readonly requests: number;
  readonly ok: number;
  readonly rateLimited: number;
  readonly serverErrors: number;
  readonly retries: number;
  readonly rows: number;
  readonly quarantinedRows: number;
  /** Requests booked against the daily budget by every consumer (undefined: no budget object that day). */
  readonly booked: number | undefined;
  readonly budget: number | undefined;
  readonly consumers: Readonly<Record<string, number>>;
}

function configuredBudget(context: ReportContext, vendor: string): number | undefined {
  const vendors = context.config?.node.vendors;
  if (vendors === undefined) return undefined;
  return (VENDORS as readonly string[]).includes(vendor) ? vendors[vendor as (typeof VENDORS)[number]].daily_budget : undefined;
}

/** Usage and budget per vendor for the day (vendors with neither are left out). */
export async function vendorUsage(context: ReportContext): Promise<VendorUsageRow[]> {
  const usage = new Map((await readDayUsage(context.store, context.date, context.signal)).map((record) => [record.vendor, record.counters]));
  const vendors = [...new Set([...VENDORS, ...usage.keys()])].sort();
  const rows: VendorUsageRow[] = [];
  for (const vendor of vendors) {
    const counters = usage.get(vendor);
    const budget: DailyBudgetState | undefined = await readDailyBudget(context.store, vendor, context.date, context.signal);
    if (counters === undefined && budget === undefined) continue;
    const count = (name: string): number => counters?.[name] ?? 0;
    rows.push({
      vendor,
      requests: count("requests"),
      ok: count("ok"),
      rateLimited: count("rate_limited"),
      serverErrors: count("server_errors"),
      retries: count("retries"),
      rows: count("rows"),
      quarantinedRows: count("quarantined_rows"),
      booked: budget?.used,
      budget: budget?.budget ?? configuredBudget(context, vendor),
      consumers: budget?.consumers ?? {},
    });
  }
  return rows;
}

function budgetLeft(row: VendorUsageRow): number | undefined {
  if (row.budget === undefined) return undefined;
  return Math.max(0, row.budget - (row.booked ?? row.requests));
}

export const usageSection: ReportSection = {
  id: "usage",
  title: "Ingestion usage per vendor",
  async build(context): Promise<SectionBody> {
    const rows = await vendorUsage(context);
    if (rows.length === 0) {
      return noDataYet(`no vendor was called on ${context.date} (UTC): the collector records its counters in state/usage/${context.date}/ and the vendor budgets in state/budgets/daily/ as it runs`);
    }
    const table = htmlTable(
      ["vendor", "requests", "ok", "429s", "5xx", "retries", "rows", "quarantined rows", "booked (all consumers)", "daily budget", "budget left"],
      rows.map((row) => [
        row.vendor, row.requests, row.ok,
        row.rateLimited > 0 ? { html: badge(formatNumber(row.rateLimited), "warn").html } : 0,
        row.serverErrors, row.retries, row.rows, row.quarantinedRows, row.booked, row.budget, budgetLeft(row),
      ]),
    );
    const consumers = rows.filter((row) => Object.keys(row.consumers).length > 0);
    const consumerText = consumers.length === 0
      ? ""
      : paragraph(`Booked per consumer: ${consumers.map((row) => `${row.vendor} ${Object.entries(row.consumers).map(([name, n]) => `${name} ${formatNumber(n)}`).join(", ")}`).join("; ")}.`);
    const chartRows = rows.flatMap((row) => {
      const used = row.booked ?? row.requests;
      const left = budgetLeft(row);
      return [
        { vendor: row.vendor, part: "used", share: row.budget === undefined || row.budget === 0 ? 0 : used / row.budget, requests: used },
        ...(left === undefined || row.budget === undefined || row.budget === 0 ? [] : [{ vendor: row.vendor, part: "left", share: left / row.budget, requests: left }]),
      ];
    });
    const figure = await chartFigure(
      {
        $schema: VEGA_LITE_SCHEMA,
        width: 420,
        height: { step: 22 },
        data: { values: chartRows },
        mark: "bar",
        encoding: {
          y: { field: "vendor", type: "nominal", title: null },
          x: { field: "share", type: "quantitative", stack: "zero", title: "share of the daily budget", axis: { format: "%" }, scale: { domain: [0, 1] } },
          color: { field: "part", type: "nominal", scale: { domain: ["used", "left"], range: ["#1f77b4", "#dfe6ee"] }, title: null },
          order: { field: "part", sort: "descending" },
        },
      },
      `Daily budget used per vendor on ${context.date} (UTC)`,
    );
    const refused = await quarantinedOnDay(context.store, context.date, context.signal);
    const quarantine = refused.length === 0
      ? ""
      : htmlTable(["raw table", "reason", "rows"], refused.map((q) => [q.table, q.reason, q.rows]), { caption: "Rows the collector refused, by reason (kept under quarantine/raw/)" });
    return sectionHtml(`${paragraph(`Counters of ${context.date} (UTC day), summed over every process on the lake.`)}${table}${consumerText}${quarantine}${figure}`);
  },
};
