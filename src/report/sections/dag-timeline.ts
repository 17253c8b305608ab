/**
 * The DAG run timeline: the runs the DAG recorded on the report's day (`state/dag/runs/<run>.json`, written by
 * src/dag/), each step as a bar from its start to its end coloured by its state, and a table of steps with their
 * attempts and durations. When no run started that day the newest earlier run is shown, with its date.
 *
 * The run record belongs to the DAG runner; the report reads only the fields it shows and ignores the rest
 * (`z.object`, not `strictObject`), so a field the runner adds later does not turn the report's section into an
 * error. A record without those fields is skipped.
 */
import { z } from "zod";
import { dateStartMs, DAY_MS } from "../../domain/calendar/dates.ts";
import { STATUS_COLOURS, VEGA_LITE_SCHEMA, chartFigure } from "../figures.ts";
import { badge, htmlTable, paragraph } from "../html.ts";
import type { ReportContext } from "../report-context.ts";
import { noDataYet, sectionHtml, type ReportSection, type SectionBody } from "../section.ts";

export const DAG_RUNS_PREFIX = "state/dag/runs/";

const stepSchema = z.object({
  status: z.string(),
  attempts: z.array(z.object({ error: z.string().optional() })).default([]),
  started_at: z.string().optional(),
  finished_at: z.string().optional(),
  duration_ms: z.number().optional(),
  summary: z.string().optional(),
});
const runSchema = z.object({
  run: z.string(),
  created_at: z.string(),
  steps: z.array(z.string()),
  records: z.record(z.string(), stepSchema),
});
export type DagRunView = z.infer<typeof runSchema>;

/** Every run record in the lake that parses, newest first. */
export async function dagRuns(context: ReportContext): Promise<DagRunView[]> {
  const runs: DagRunView[] = [];
  for await (const entry of context.store.list(DAG_RUNS_PREFIX, context.signal === undefined ? {} : { signal: context.signal })) {
    if (!entry.key.endsWith(".json") || entry.key.slice(DAG_RUNS_PREFIX.length).includes("/")) continue;
    const object = await context.store.get(entry.key, context.signal === undefined ? {} : { signal: context.signal });
    if (object === undefined) continue;
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(object.body));
    } catch {
      continue;
    }
    const parsed = runSchema.safeParse(json);
    if (parsed.success) runs.push(parsed.data);
  }
  return runs.sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
}

/** The runs created on the report's day, or else the newest run before it. */
export async function runsOfDay(context: ReportContext): Promise<{ runs: DagRunView[]; sameDay: boolean }> {
  const start = dateStartMs(context.date);
  const end = start + DAY_MS;
  const all = (await dagRuns(context)).filter((run) => Date.parse(run.created_at) < end);
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

async function timeline(run: DagRunView): Promise<string> {
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
