// DSR, PSR, SR0, PBO and calibration: the published worked example, hand-computed fixtures, statistical sanity
// (pure noise, a planted winner), and agreement with independent Python implementations (scipy, scikit-learn
// 1.9.1, numpy) on random inputs.
import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../src/sim/random.ts";
import { brierScore, calibrationReport, logLoss, reliabilityBins } from "../../src/validate/calibration.ts";
import { deflatedSharpe, expectedMaxSharpe, probabilisticSharpe } from "../../src/validate/deflated-sharpe.ts";
import { mean, pairwiseSum, sampleStd } from "../../src/validate/numeric.ts";
import { probabilityOfBacktestOverfitting } from "../../src/validate/pbo.ts";
import { describeWithPypeers, pypeersService } from "../helpers/services.ts";
import { runPeer } from "../peers/run-peer.ts";

function normals(rng: () => number, n: number, mu = 0, sigma = 1): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u1 = Math.max(rng(), 1e-300);
    out[i] = mu + sigma * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rng());
  }
  return out;
}

describe("deflated Sharpe ratio", () => {
  it("reproduces the paper's worked example: 0.9004 with 250 returns a year, 0.8997 with 252", () => {
    const example = { sharpe: 2.5, periods: 1250, trials: 100, skew: -3, kurtosis: 10, trialsSharpeVar: 0.5 };
    const at250 = deflatedSharpe({ ...example, periodsPerYear: 250 });
    const at252 = deflatedSharpe({ ...example, periodsPerYear: 252 });
    expect(at250.dsr.toFixed(4)).toBe("0.9004");
    expect(at252.dsr.toFixed(4)).toBe("0.8997");
    // SR0 ≈ 0.1132 per day (1.7894 a year): the paper's "expected maximum" under the null.
    expect(at250.sr0).toBeCloseTo(0.113172, 6);
    expect(at250.sr0Annualised).toBeCloseTo(1.789406, 6);
    expect(at252.sr0Annualised).toBeCloseTo(at250.sr0Annualised, 12);
  });

  it("PSR is one half at the benchmark and rises with the track record", () => {
    expect(probabilisticSharpe({ sharpe: 0.1, periods: 500, skew: 0, kurtosis: 3, benchmark: 0.1 })).toBe(0.5);
    const short = probabilisticSharpe({ sharpe: 0.05, periods: 100, skew: 0, kurtosis: 3 });
    const long = probabilisticSharpe({ sharpe: 0.05, periods: 1000, skew: 0, kurtosis: 3 });
    expect(long).toBeGreaterThan(short);
  });

  it("SR0 grows with the number of trials and is zero without dispersion", () => {
    expect(expectedMaxSharpe(1000, 1)).toBeGreaterThan(expectedMaxSharpe(10, 1));
    expect(expectedMaxSharpe(50, 0)).toBe(0);
  });

  it("refuses one trial, too few periods and inconsistent moments", () => {
    const base = { sharpe: 1, periods: 250, trials: 10, skew: 0, kurtosis: 3, trialsSharpeVar: 0.5, periodsPerYear: 250 };
    expect(() => deflatedSharpe({ ...base, trials: 1 })).toThrow(/trials/);
    expect(() => deflatedSharpe({ ...base, periods: 1 })).toThrow(/periods/);
    expect(() => deflatedSharpe({ ...base, sharpe: 30, skew: 3, kurtosis: 1 })).toThrow(/not positive/);
  });
});

describe("PBO by CSCV", () => {
  // Hand-computed (two rows per block; the sample sd of [a, b] is |a − b|/√2):
  //   trial 0: A [1, 3] SR √2,    B [1, 2] SR 3/√2
  //   trial 1: A [2, 3] SR 5/√2,  B [−1, 1] SR 0
  //   trial 2: A [0, 2] SR 1/√2,  B [3, 4] SR 7/√2
  // IS = A: winner trial 1, OOS SR 0 is the lowest → ω = 1/4, λ = ln(1/3). IS = B: winner trial 2, OOS 1/√2 lowest.
  const fixture = { values: [1, 2, 0, 3, 3, 2, 1, -1, 3, 2, 1, 4], rows: 4, cols: 3 };

  it("matches a hand-computed fixture", () => {
    const result = probabilityOfBacktestOverfitting(fixture, { splits: 2 });
    expect(result.combinations).toBe(2);
    expect(result.logits[0]).toBeCloseTo(Math.log(1 / 3), 14);
    expect(result.logits[1]).toBeCloseTo(Math.log(1 / 3), 14);
    expect(result.pbo).toBe(1);
    expect(result.probOosLoss).toBe(0);
    expect(result.isSharpe[0]).toBeCloseTo(5 / Math.SQRT2, 14);
    expect(result.isSharpe[1]).toBeCloseTo(7 / Math.SQRT2, 14);
    expect(result.degradation.slope).toBeCloseTo(0.5, 14);
    expect(result.degradation.intercept).toBeCloseTo(-2.5 / Math.SQRT2, 14);
  });

  it("is about one half on pure noise", () => {
    const rng = mulberry32(11);
    const rows = 1600;
    const cols = 40;
    const result = probabilityOfBacktestOverfitting({ values: normals(rng, rows * cols, 0, 0.01), rows, cols }, { splits: 16 });
    expect(result.combinations).toBe(12870);
    expect(result.pbo).toBeGreaterThan(0.3);
    expect(result.pbo).toBeLessThan(0.7);
  });

  it("is about zero with a planted winner", () => {
    const rng = mulberry32(12);
    const rows = 1600;
    const cols = 40;
    const values = normals(rng, rows * cols, 0, 0.01);
    for (let r = 0; r < rows; r++) values[r * cols + 17] = (values[r * cols + 17] ?? 0) + 0.004; // SR ≈ 0.4 a day
    const result = probabilityOfBacktestOverfitting({ values, rows, cols }, { splits: 16 });
    expect(result.pbo).toBeLessThan(0.02);
    expect(result.probOosLoss).toBeLessThan(0.02);
  });

  it("refuses an odd S and too few rows", () => {
    expect(() => probabilityOfBacktestOverfitting(fixture, { splits: 3 })).toThrow(/even/);
    expect(() => probabilityOfBacktestOverfitting(fixture, { splits: 4 })).toThrow(/too few/);
  });
});

describe("calibration", () => {
  it("matches scikit-learn's documented examples", () => {
    expect(brierScore([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3])).toBeCloseTo(0.0375, 15);
    const bins = reliabilityBins([0, 0, 0, 0, 1, 1, 1, 1, 1], [0.1, 0.2, 0.3, 0.4, 0.65, 0.7, 0.8, 0.9, 1], 3);
    expect(bins.map((b) => b.fractionPositive)).toEqual([0, 0.5, 1]);
    [0.2, 0.525, 0.85].forEach((v, i) => expect(bins[i]?.meanPredicted).toBeCloseTo(v, 15));
  });

  it("clips log-loss at machine epsilon like scikit-learn", () => {
    expect(logLoss([1, 0], [0, 1])).toBeCloseTo(-Math.log(2 ** -52), 12);
    expect(Number.isFinite(logLoss([1], [0]))).toBe(true);
  });

  it("names the sample for a probability outside [0, 1] or a label not 0/1", () => {
    expect(() => calibrationReport([0, 1, 1], [0.2, 1.5, 0.3])).toThrow(/sample 1: p must be a probability/);
    expect(() => calibrationReport([0, 2], [0.2, 0.3])).toThrow(/sample 1: y must be 0 or 1/);
  });
});

describe("numpy-compatible sums", () => {
  it("pairwise summation: exact on integers, stable on a long sum", () => {
    const ints = Float64Array.from({ length: 1000 }, (_, i) => i);
    expect(pairwiseSum(ints)).toBe(499500);
    const tenths = new Float64Array(1_000_000).fill(0.1);
    expect(Math.abs(pairwiseSum(tenths) - 100000)).toBeLessThan(1e-9);
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(sampleStd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.138089935299395, 15);
  });
});

interface PeerAnswers {
  dsr: { dsr: number; sr0: number; psr0: number }[];
  calibration: { brier: number; log_loss: number; prob_true: number[]; prob_pred: number[]; counts: number[]; ece: number }[];
  pbo: { pbo: number; logits: number[]; prob_oos_loss: number; slope: number; intercept: number }[];
}

describeWithPypeers("measures against independent Python implementations", () => {
  const rng = mulberry32(2024);
  const dsrCases = Array.from({ length: 200 }, () => {
    const sharpe = -1 + 4 * rng();
    return {
      sharpe, periods: 50 + Math.floor(rng() * 5000), trials: 2 + Math.floor(rng() * 2000),
      skew: -2 + 3 * rng(), kurtosis: 3 + 12 * rng(), trials_sharpe_var: 2 * rng(), periods_per_year: [12, 52, 250, 252][Math.floor(rng() * 4)] ?? 252,
    };
  });
  const calibrationCases = Array.from({ length: 60 }, (_, k) => {
    const n = 1 + Math.floor(rng() * 3000);
    const p = Array.from({ length: n }, () => {
      const u = rng();
      // Some exact 0s, 1s and bin edges, to exercise clipping and the edge rule.
      return u < 0.03 ? 0 : u < 0.06 ? 1 : u < 0.1 ? Math.round(rng() * 10) / 10 : rng();
    });
    const y = p.map((pi) => (rng() < pi * 0.8 + 0.1 ? 1 : 0));
    return { y, p, bins: 1 + (k % 20) };
  });
  const pboCases = Array.from({ length: 12 }, (_, k) => {
    const splits = [2, 4, 6, 8, 10, 12][k % 6] ?? 8;
    const rows = splits * 2 + Math.floor(rng() * 300);
    const cols = 2 + Math.floor(rng() * 30);
    return { values: Array.from(normals(rng, rows * cols, 0.0002, 0.01)), rows, cols, splits };
  });

  it("DSR, SR0 and PSR equal scipy's on 200 random inputs; calibration equals scikit-learn's; PBO equals numpy's", async () => {
    const python = pypeersService()?.python ?? "python3";
    const peer = await runPeer<PeerAnswers>(python, "measures_peer.py", { dsr: dsrCases, calibration: calibrationCases, pbo: pboCases });

    dsrCases.forEach((c, k) => {
      const theirs = peer.dsr[k];
      const label = JSON.stringify(c);
      let mine: ReturnType<typeof deflatedSharpe> | undefined;
      try {
        mine = deflatedSharpe({ sharpe: c.sharpe, periods: c.periods, trials: c.trials, skew: c.skew, kurtosis: c.kurtosis, trialsSharpeVar: c.trials_sharpe_var, periodsPerYear: c.periods_per_year });
      } catch {
        // Inconsistent moments: scipy's answer is NaN then.
        expect(Number.isNaN(theirs?.dsr), label).toBe(true);
        return;
      }
      expect(Math.abs(mine.dsr - (theirs?.dsr ?? NaN)), label).toBeLessThan(1e-12);
      expect(Math.abs(mine.sr0 - (theirs?.sr0 ?? NaN)), label).toBeLessThan(1e-13);
      const psr = probabilisticSharpe({ sharpe: mine.sharpePerPeriod, periods: c.periods, skew: c.skew, kurtosis: c.kurtosis });
      expect(Math.abs(psr - (theirs?.psr0 ?? NaN)), label).toBeLessThan(1e-12);
    });

    calibrationCases.forEach((c, k) => {
      const theirs = peer.calibration[k];
      const mine = calibrationReport(c.y, c.p, c.bins);
      expect(mine.brier, `brier #${k}`).toBe(theirs?.brier);
      expect(Math.abs(mine.logLoss - (theirs?.log_loss ?? NaN)) / (theirs?.log_loss ?? 1), `log-loss #${k}`).toBeLessThan(1e-14);
      expect(mine.bins.map((b) => b.fractionPositive), `prob_true #${k}`).toEqual(theirs?.prob_true);
      expect(mine.bins.map((b) => b.meanPredicted), `prob_pred #${k}`).toEqual(theirs?.prob_pred);
      expect(mine.bins.map((b) => b.count), `counts #${k}`).toEqual(theirs?.counts);
      expect(Math.abs(mine.ece - (theirs?.ece ?? NaN)), `ece #${k}`).toBeLessThan(1e-15);
    });

    pboCases.forEach((c, k) => {
      const theirs = peer.pbo[k];
      const mine = probabilityOfBacktestOverfitting({ values: c.values, rows: c.rows, cols: c.cols }, { splits: c.splits });
      expect(mine.pbo, `pbo #${k}`).toBe(theirs?.pbo);
      expect(mine.probOosLoss, `loss #${k}`).toBe(theirs?.prob_oos_loss);
      mine.logits.forEach((l, i) => expect(Math.abs(l - (theirs?.logits[i] ?? NaN)), `logit #${k}.${i}`).toBeLessThan(1e-9));
      expect(Math.abs(mine.degradation.slope - (theirs?.slope ?? NaN)), `slope #${k}`).toBeLessThan(1e-8);
      expect(Math.abs(mine.degradation.intercept - (theirs?.intercept ?? NaN)), `intercept #${k}`).toBeLessThan(1e-8);
    });
  }, 120_000);
});
