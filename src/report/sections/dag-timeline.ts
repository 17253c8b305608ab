/**
 * The DAG run timeline: the runs the DAG recorded on the report's day (`state/dag/runs/<run>.json`), each step as a
 * bar from its start to its end coloured by its state, and a table of steps with their attempts and durations.
 * When no run started that day the newest earlier run is shown, with its date.
 *
 * The run records are read through the DAG's own reader (`dag/run-state.ts` `listRuns`, checked against its zod
 * schema), so the report and the runner share one schema: a record that does not match it fails this section
 * (shown as failed, the other sections still build) rather than being silently left out.
 */
import { dateStartMs, DAY_MS } from "../../domain/calendar/dates.ts";
import { listRuns, type RunRecord } from "../../dag/run-state.ts";
import { STATUS_COLOURS, VEGA_LITE_SCHEMA, chartFigure } from "../figures.ts";
import { badge, htmlTable, paragraph } from "../html.ts";
import type { ReportContext } from "../report-context.ts";
import { noDataYet, sectionHtml, type ReportSection, type SectionBody } from "../section.ts";

/** The runs created on the report's day, or else the newest run before it. */
export async function runsOfDay(context: ReportContext): Promise<{ runs: RunRecord[]; sameDay: boolean }> {
  const start = dateStartMs(context.date);
  const end = start + DAY_MS;
  const all = (await listRuns(context.store, context.signal)).filter((run) => Date.parse(run.created_at) < end);
  const today = all.filter((run) => Date.parse(run.created_at) >= start);
  if (today.length > 0) return { runs: today, sameDay: true };
  return { runs: all.slice(0, 1), sameDay: false };
}

function tone(status: string): "good" | "warn" | "bad" | "neutral" {
  if (status === "succeeded") return "good";
  if (status === "skipped") return "neutral";
  if (status === "failed" || status === "blocked") return "bad";
  return "warn";
}

const STEP_COLOURS = {
  domain: ["succeeded", "skipped", "running", "pending", "failed", "blocked"],
  range: [STATUS_COLOURS.range[0], "#9aa5b1", "#5bc0de", "#c7cdd4", STATUS_COLOURS.range[2], "#8b3a37"],
};

async function timeline(run: RunRecord): Promise<string> {
  const bars = run.steps.flatMap((step) => {
    const record = run.records[step];
    if (record?.started_at === undefined) return [];
    const end = record.finished_at ?? (record.duration_ms === undefined ? undefined : new Date(Date.parse(record.started_at) + record.duration_ms).toISOString());
    return [{ step, status: record.status, start: record.started_at, end: end ?? record.started_at }];
  });
  if (bars.length === 0) return paragraph("No step of this run has started.");
  return chartFigure(
    {
      $schema: VEGA_LITE_SCHEMA,
      width: 560,
      height: { step: 20 },
      data: { values: bars },
      mark: "bar",
      encoding: {
        y: { field: "step", type: "nominal", sort: null, title: null },
        x: { field: "start", type: "temporal", title: "time (UTC)", timeUnit: "utcyearmonthdatehoursminutesseconds" },
        x2: { field: "end", timeUnit: "utcyearmonthdatehoursminutesseconds" },
        color: { field: "status", type: "nominal", scale: { domain: STEP_COLOURS.domain, range: STEP_COLOURS.range }, title: "state" },
      },
    },
    `Run ${run.run}: steps over time`,
  );
}

function seconds(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : `${(ms / 1000).toFixed(1)} s`;
}

export const dagTimelineSection: ReportSection = {
  id: "dag",
  title: "DAG run timeline",
  async build(context): Promise<SectionBody> {
    const { runs, sameDay } = await runsOfDay(context);
    if (runs.length === 0) {
      return noDataYet("no DAG run is recorded in this lake (state/dag/runs/): `trademl dag run` and `trademl node up` record their runs there");
    }
    const blocks: string[] = [];
    if (!sameDay) blocks.push(paragraph(`No DAG run started on ${context.date}; the newest earlier run started on ${runs[0]?.created_at.slice(0, 10) ?? "?"}.`));
    for (const run of runs) {
      blocks.push(paragraph(`Run ${run.run}, started ${run.created_at.replace("T", " ").slice(0, 19)} UTC.`));
      blocks.push(await timeline(run));
      blocks.push(htmlTable(
        ["step", "state", "attempts", "started", "duration", "note"],
        run.steps.map((step) => {
          const record = run.records[step];
          const lastError = record?.attempts.at(-1)?.error;
          return [
            step, badge(record?.status ?? "pending", tone(record?.status ?? "pending")), record?.attempts.length ?? 0,
            record?.started_at?.replace("T", " ").slice(0, 19), seconds(record?.duration_ms), record?.summary ?? lastError,
          ];
        }),
      ));
    }
    return sectionHtml(blocks.join("\n"));
  },
};
