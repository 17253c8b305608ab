/**
 * Time-decay sample weights: a row's weight halves every `halfLifeMonths` months of age, counted back from an
 * anchor date (the newest date of a panel gets 1). Months are calendar days / (365.25 / 12), so the weights do not
 * depend on how many sessions a month happened to have. (Exponential sample decay as in López de Prado,
 * "Advances in Financial Machine Learning", 2018, §4.7, with age measured in time rather than in labels.)
 */
import { parseIsoDate, type IsoDate } from "../domain/calendar/index.ts";
import { UsageError } from "../domain/errors.ts";

const DAYS_PER_MONTH = 365.25 / 12;

export function timeDecayWeights(rowDates: readonly IsoDate[], halfLifeMonths: number, anchor: IsoDate): Float64Array {
  if (!(halfLifeMonths > 0)) throw new UsageError("bad_half_life", `time_decay.half_life_months must be > 0, not ${halfLifeMonths}`);
  const anchorDay = parseIsoDate(anchor);
  const out = new Float64Array(rowDates.length);
  const byDate = new Map<string, number>();
  rowDates.forEach((date, i) => {
    let weight = byDate.get(date);
    if (weight === undefined) {
      const months = (anchorDay - parseIsoDate(date)) / DAYS_PER_MONTH;
      weight = 2 ** (-months / halfLifeMonths);
      byDate.set(date, weight);
    }
    out[i] = weight;
  });
  return out;
}
