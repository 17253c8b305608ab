/**
 * A section of the daily report: a title and a function from the lake (and MLflow) to HTML. A section whose data
 * does not exist yet — the option surfaces before the options pass first ran, the trainer's results before any
 * training — says so in one plain sentence; it is not an error. A section that fails is shown as failed with
 * its message, and the other sections are still built.
 */
import type { ReportContext } from "./report-context.ts";

export type SectionBody =
  | { readonly state: "ok"; readonly html: string }
  /** No data yet: `reason` says what is missing and what produces it. */
  | { readonly state: "empty"; readonly reason: string };

export interface ReportSection {
  /** Anchor id in the page, e.g. "usage". */
  readonly id: string;
  readonly title: string;
  build(context: ReportContext): Promise<SectionBody>;
}

export function noDataYet(reason: string): SectionBody {
  return { state: "empty", reason };
}

export function sectionHtml(html: string): SectionBody {
  return { state: "ok", html };
}
