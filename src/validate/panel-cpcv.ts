/**
 * CPCV on a panel (dates × names in long form, one row per name and date): folds split over the distinct dates,
 * never inside a date, and purge, embargo and label horizons count dates. The date-level splits come from
 * cpcvSplits; this module maps them to row indices.
 */
import { UsageError } from "../domain/errors.ts";
import { cpcvSplits, type CpcvOptions, type CpcvSplits } from "./cpcv.ts";

export interface PanelCpcvInput {
  /** The date of each row (any sortable text, e.g. YYYY-MM-DD); rows need not be sorted. */
  readonly rowDates: readonly string[];
  /**
   * The last date each row's label depends on (e.g. the exit date of a 5-day forward return). A date's horizon is
   * the latest of its rows'; a training date whose horizon reaches a test block, or which lies inside a test
   * block's horizon, is purged.
   */
  readonly labelEndDates?: readonly string[];
}

export interface PanelSplit {
  /** Training rows, ascending by date then row. */
  readonly trainRows: readonly number[];
  /** Test rows of each test fold. */
  readonly testRows: readonly (readonly number[])[];
  /** The path id of each test fold. */
  readonly pathIds: readonly number[];
}

export interface PanelCpcv {
  /** The distinct dates, ascending: the samples that were split. */
  readonly dates: readonly string[];
  /** The date index of each row. */
  readonly rowDate: Int32Array;
  /** The date-level splits (sample = date index). */
  readonly byDate: CpcvSplits;
  readonly splits: readonly PanelSplit[];
}

/** The index of the last date <= `end` (a label ending between two panel dates ends at the earlier one). */
function lastDateAtOrBefore(dates: readonly string[], end: string): number {
  let lo = 0;
  let hi = dates.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((dates[mid] ?? "") <= end) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

export function panelCpcv(input: PanelCpcvInput, options: CpcvOptions): PanelCpcv {
  const { rowDates, labelEndDates } = input;
  const dates = [...new Set(rowDates)].sort();
  const index = new Map(dates.map((date, i) => [date, i]));
  const rowDate = Int32Array.from(rowDates, (date) => index.get(date) ?? -1);
  let labelEnd: Int32Array | undefined;
  if (labelEndDates !== undefined) {
    if (labelEndDates.length !== rowDates.length) {
      throw new UsageError("cpcv_bad_label_end", `labelEndDates has ${labelEndDates.length} entries for ${rowDates.length} rows`);
    }
    labelEnd = Int32Array.from(dates, (_, d) => d);
    labelEndDates.forEach((end, row) => {
      const d = rowDate[row] ?? 0;
      if (end < (dates[d] ?? "")) {
        throw new UsageError("cpcv_bad_label_end", `row ${row}: the label ends (${end}) before its date (${dates[d] ?? "?"})`);
      }
      const endIndex = lastDateAtOrBefore(dates, end);
      if (labelEnd !== undefined && endIndex > (labelEnd[d] ?? d)) labelEnd[d] = endIndex;
    });
  }
  const byDate = cpcvSplits(dates.length, options, labelEnd === undefined ? {} : { labelEnd });
  const rowsOfDate: number[][] = dates.map(() => []);
  rowDate.forEach((d, row) => rowsOfDate[d]?.push(row));
  const rowsOf = (dateIndices: readonly number[]): number[] => dateIndices.flatMap((d) => rowsOfDate[d] ?? []);
  const splits = byDate.splits.map((split) => ({
    trainRows: rowsOf(split.train),
    testRows: split.test.map(rowsOf),
    pathIds: split.pathIds,
  }));
  return { dates, rowDate, byDate, splits };
}
