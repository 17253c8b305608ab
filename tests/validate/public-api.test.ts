// The whole validation toolkit through trademl's public API (src/index.ts), as a user of the package would use it:
// a panel CPCV, fold scoring of its out-of-fold predictions in one kernel call, the deflated Sharpe ratio of the
// best path, PBO of the paths, and a calibration report with its reliability diagram.
import { describe, expect, it } from "vitest";
import {
  calibrationReport, cpcvScoringLayout, createFoldScorer, deflatedSharpe, panelCpcv, probabilityOfBacktestOverfitting,
  reliabilitySpec, renderChart, sampleStd, summariseSplits,
} from "../../src/index.ts";
import { mulberry32 } from "../../src/sim/random.ts";

describe("validation through the public API", () => {
  it("runs CPCV on a panel, scores the folds, deflates the best path's Sharpe and checks calibration", async () => {
    const rng = mulberry32(99);
    const names = 30;
    const dates = Array.from({ length: 200 }, (_, d) => new Date(Date.UTC(2024, 0, 1 + d)).toISOString().slice(0, 10));
    const rowDates = dates.flatMap((date) => Array.from({ length: names }, () => date));
    const cv = panelCpcv({ rowDates }, { folds: 5, testFolds: 2, purge: 2, embargo: 2 });
    expect(cv.splits).toHaveLength(10);
    const layout = cpcvScoringLayout(cv.byDate);
    expect(layout.paths).toBe(4);

    const outcomes = Float64Array.from({ length: dates.length * names }, () => rng() - 0.5);
    const predictions = Float64Array.from({ length: layout.rowDate.length * names }, (_, i) => {
      const r = Math.floor(i / names);
      return 0.5 * (outcomes[(layout.rowDate[r] ?? 0) * names + (i % names)] ?? 0) + (rng() - 0.5);
    });
    const scorer = await createFoldScorer();
    const scores = scorer.score({ names, predictions, outcomes, rowDate: layout.rowDate, rowPath: layout.rowPath, paths: layout.paths });
    expect(summariseSplits(scores, layout).every((s) => s.meanIc > 0.2)).toBe(true);
    expect([...scores.pathSharpe].every((sr) => sr > 1)).toBe(true);

    const dsr = deflatedSharpe({
      sharpe: Math.max(...scores.pathSharpe), periods: dates.length, trials: layout.paths, skew: 0, kurtosis: 3,
      trialsSharpeVar: sampleStd(scores.pathSharpe) ** 2, periodsPerYear: 252,
    });
    expect(dsr.dsr).toBeGreaterThan(0.5);

    // Paths as trials: a T × N matrix of their long-short returns in date order.
    const matrix = new Float64Array(dates.length * layout.paths);
    scores.longShort.forEach((ls, r) => {
      matrix[(layout.rowDate[r] ?? 0) * layout.paths + (layout.rowPath[r] ?? 0)] = ls;
    });
    const pbo = probabilityOfBacktestOverfitting({ values: matrix, rows: dates.length, cols: layout.paths }, { splits: 8 });
    expect(pbo.combinations).toBe(70);

    const y = Array.from({ length: 400 }, () => (rng() < 0.5 ? 1 : 0));
    const p = y.map((label) => (label === 1 ? 0.6 + 0.3 * rng() : 0.1 + 0.3 * rng()));
    const report = calibrationReport(y, p, 5);
    expect(report.brier).toBeLessThan(0.25);
    const svg = await renderChart(reliabilitySpec(report), "svg");
    expect(svg).toContain("<svg");
  }, 60_000);
});
