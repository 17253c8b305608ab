/** The sections of the daily report, in page order. */
import type { ReportSection } from "../section.ts";
import { auditSection } from "./audit.ts";
import { backfillSection } from "./backfill.ts";
import { curationSection } from "./curation.ts";
import { dagTimelineSection } from "./dag-timeline.ts";
import { optionSurfacesSection } from "./option-surfaces.ts";
import { strategyPnlSection } from "./strategy-pnl.ts";
import { trainerResultsSection } from "./trainer-results.ts";
import { usageSection } from "./usage.ts";

export const DAILY_SECTIONS: readonly ReportSection[] = [
  usageSection,
  auditSection,
  backfillSection,
  curationSection,
  optionSurfacesSection,
  strategyPnlSection,
  trainerResultsSection,
  dagTimelineSection,
];

export { auditSection, backfillSection, curationSection, dagTimelineSection, optionSurfacesSection, strategyPnlSection, trainerResultsSection, usageSection };
