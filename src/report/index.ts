/**
 * The daily report (`trademl report`): one self-contained HTML page per UTC day in the lake
 * (`reports/daily/date=<D>/report.html`) and a local copy. `buildDailyReport({ store, date, config, outDir })` is
 * the one entry point: the CLI and the nightly DAG's report step both call it.
 */
export { buildDailyReport, localReportName, type DailyReport, type DailyReportOptions, type SectionOutcome } from "./build-daily-report.ts";
export { dailyReportKey, readDailyReport, writeDailyReport, DAILY_REPORTS_PREFIX } from "./report-object.ts";
export { DAILY_SECTIONS } from "./sections/index.ts";
export type { ReportSection, SectionBody } from "./section.ts";
export { ReportContext } from "./report-context.ts";
export { openInBrowser, openerCommand, type OpenResult } from "./open-file.ts";
