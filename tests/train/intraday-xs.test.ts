/**
 * intraday_xs on real curated lakes (daily and minute curation and reference data run for real on raw parts):
 * - no look-ahead: a lake that stops at the cutoff of session d (its morning's minute bars, daily bars through the
 *   session before) gives the same features, for every date up to d, as the lake after later sessions and later
 *   splits and dividends have been curated; d's label is unknown there and known in the full lake;
 * - the label is the return from the cutoff to the close and the morning return is the open-to-cutoff return,
 *   both recomputed here from the simulator's own minute bars;
 * - the book of an intraday label is opened and closed the same day: the backtester pays both trades.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trainingSchema } from "../../src/config/schemas/training.ts";
import { addDays } from "../../src/domain/calendar/dates.ts";
import { sessions } from "../../src/domain/calendar/index.ts";
import { curateEquities, curateMinuteBars } from "../../src/curate/curate-equities.ts";
import { buildReference } from "../../src/reference/index.ts";
import { SyntheticMarket } from "../../src/sim/market.ts";
import { buildIntradayXs } from "../../src/train/intraday-xs.ts";
import type { Dataset } from "../../src/train/index.ts";
import { createTestLake, type ActionRow, type BarRow, type TestLake } from "../curate/lake-fixture.ts";

const config = trainingSchema.parse({
  dependencies: ["curated/equities_minute_adj"],
  dataset: { morning_minutes: 120, min_names: 5 },
  time_decay: { half_life_months: 6 },
});

const SYMBOLS = ["NVDA", "JPM", "PEP", "AAPL", "MSFT", "XOM", "KO", "QQQ"];
const DAILY_FROM = "2020-12-01";
const MINUTE_FROM = "2021-04-01";
const CUT = "2021-04-14";
const END = "2021-05-28";
const MORNING_MS = 120 * 60_000;

/** Relative tolerance (against max(1, |x|)): ratios of the same raw numbers under different later factors. */
const TOLERANCE = 1e-12;

const utc = (ms: number): string => new Date(ms).toISOString().replace("T", " ").slice(0, 19);

interface LakeSpec {
  readonly dailyThrough: string;
  readonly actionsThrough: string;
  /** Minute bars through this session, the last one only before this instant (ms) when given. */
  readonly minuteThrough: string;
  readonly lastMinuteBefore?: number;
}

async function intradayLake(market: SyntheticMarket, spec: LakeSpec): Promise<TestLake> {
  const t = await createTestLake();
  const daily: BarRow[] = [];
  const actions: ActionRow[] = [];
  for (const symbol of SYMBOLS) {
    for (const b of market.dailyBars(symbol, DAILY_FROM, spec.dailyThrough)) {
      daily.push({ symbol, date: b.date, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume });
    }
    for (const e of market.splits(symbol, DAILY_FROM, spec.actionsThrough)) actions.push({ symbol, ex_date: e.exDate, action_type: "split", ratio: e.ratio });
    for (const e of market.dividends(symbol, DAILY_FROM, spec.actionsThrough)) actions.push({ symbol, ex_date: e.exDate, action_type: "dividend", amount: e.cash });
  }
  await t.putBars("alpaca", daily);
  await t.putActions("alpaca", actions);
  for (const session of sessions(MINUTE_FROM, spec.minuteThrough)) {
    const rows: BarRow[] = [];
    for (const symbol of SYMBOLS) {
      for (const m of market.minuteBars(symbol, session.date)) {
        if (spec.lastMinuteBefore !== undefined && session.date === spec.minuteThrough && m.t >= spec.lastMinuteBefore) continue;
        rows.push({ symbol, date: session.date, open: m.open, high: m.high, low: m.low, close: m.close, volume: m.volume, ts: utc(m.t) });
      }
    }
    await t.putBars("alpaca", rows, "equities_minute");
  }
  await curateEquities({ lake: t.lake, sourcePriority: ["alpaca"] });
  await curateMinuteBars({ lake: t.lake, sourcePriority: ["alpaca"] });
  await buildReference({ lake: t.lake, tickSize: [], largeCount: SYMBOLS.length, smallCount: 1 });
  return t;
}

function rowIndex(ds: Dataset): Map<string, number> {
  return new Map(ds.rowDates.map((date, i) => [`${date}|${ds.names[i] ?? ""}`, i]));
}

describe("intraday_xs", () => {
  const market = new SyntheticMarket(7);
  const cutSession = sessions(CUT, CUT)[0];
  let early: TestLake;
  let full: TestLake;
  let before: Dataset;
  let after: Dataset;

  beforeAll(async () => {
    if (cutSession === undefined) throw new Error(`${CUT} is not a session`);
    const previous = sessions(addDays(CUT, -7), addDays(CUT, -1)).at(-1)?.date ?? "";
    // At the cutoff of CUT: daily bars through the session before, the morning's minute bars, and the actions
    // announced by then (some still pending: their ex-date is after the lake's last bar).
    early = await intradayLake(market, { dailyThrough: previous, actionsThrough: addDays(CUT, 10), minuteThrough: CUT, lastMinuteBefore: cutSession.openMs + MORNING_MS });
    full = await intradayLake(market, { dailyThrough: END, actionsThrough: END, minuteThrough: END });
    before = await buildIntradayXs(early.lake, config, { includeUnlabelled: true });
    after = await buildIntradayXs(full.lake, config, { includeUnlabelled: true });
  }, 600_000);

  afterAll(async () => {
    await early?.close();
    await full?.close();
  });

  it("is tested against later splits that rescale the daily history", () => {
    const later = SYMBOLS.flatMap((s) => market.splits(s, addDays(CUT, 1), END));
    expect(later.length).toBeGreaterThanOrEqual(2);
    expect(after.dates.at(-1)).toBe(sessions(END, END)[0]?.date);
    expect(before.dates.at(-1)).toBe(CUT);
  });

  it("gives the same features at every date up to the cutoff, and no label at the cutoff's own session", () => {
    expect(before.featureNames).toEqual(after.featureNames);
    const late = rowIndex(after);
    let compared = 0;
    let worst = 0;
    before.rowDates.forEach((date, i) => {
      const j = late.get(`${date}|${before.names[i] ?? ""}`);
      expect(j, `${date} ${before.names[i]} missing from the full lake's panel`).toBeDefined();
      if (j === undefined) return;
      before.features.forEach((column, f) => {
        const a = column[i] ?? Number.NaN;
        const b = after.features[f]?.[j] ?? Number.NaN;
        expect(Number.isFinite(a), `${before.featureNames[f]} ${date}`).toBe(Number.isFinite(b));
        if (Number.isFinite(a)) {
          const err = Math.abs(a - b) / Math.max(1, Math.abs(a));
          worst = Math.max(worst, err);
          compared++;
        }
      });
      const target = before.target[i] ?? Number.NaN;
      if (date < CUT) expect(Math.abs(target - (after.target[j] ?? Number.NaN))).toBeLessThan(TOLERANCE);
      else {
        expect(Number.isNaN(target)).toBe(true);
        expect(Number.isFinite(after.target[j] ?? Number.NaN)).toBe(true);
      }
    });
    expect(worst).toBeLessThan(TOLERANCE);
    // Every feature is compared on the cutoff's session (the daily windows reach back far enough).
    const atCut = before.rowDates.filter((d) => d === CUT).length;
    expect(atCut).toBe(SYMBOLS.length);
    expect(compared).toBeGreaterThan(before.rowDates.length * before.featureNames.length * 0.9);
  });

  it("labels the afternoon and describes the morning, as the simulator's minute bars say", () => {
    const index = rowIndex(after);
    const morning = after.featureNames.indexOf("morning_return");
    for (const date of ["2021-04-21", "2021-05-06", "2021-05-24"]) {
      const open = sessions(date, date)[0]?.openMs ?? 0;
      for (const symbol of SYMBOLS) {
        const bars = market.minuteBars(symbol, date);
        const cutoffBar = bars.filter((b) => b.t < open + MORNING_MS).at(-1);
        const row = index.get(`${date}|${symbol}`);
        expect(row).toBeDefined();
        if (row === undefined || cutoffBar === undefined) continue;
        const expectedLabel = (bars.at(-1)?.close ?? Number.NaN) / cutoffBar.close - 1;
        expect(after.target[row]).toBeCloseTo(expectedLabel, 12);
        expect(after.labelEndDates[row]).toBe(date);
        expect(after.features[morning]?.[row]).toBeCloseTo(Math.log(cutoffBar.close / (bars[0]?.open ?? Number.NaN)), 12);
      }
    }
    // The label is rank-normalised per date: each date's labels are centred.
    for (let g = 0; g < after.dates.length; g++) {
      const labels = Array.from(after.label).filter((_, i) => after.group[i] === g && Number.isFinite(after.label[i] ?? Number.NaN));
      if (labels.length > 0) expect(Math.abs(labels.reduce((s, v) => s + v, 0) / labels.length)).toBeLessThan(1e-12);
    }
  });
});
