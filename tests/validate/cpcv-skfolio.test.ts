// CPCV against skfolio 1.12.2's CombinatorialPurgedCV (the pinned Python peer) on many random configurations:
// identical splits, purge/embargo layout, path ids, and the same configurations refused. Plus the skfolio
// docstring examples, label-horizon purging on a hand-built case and the panel mapping.
import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../src/sim/random.ts";
import { cpcvPlan, cpcvSplits } from "../../src/validate/cpcv.ts";
import { panelCpcv } from "../../src/validate/panel-cpcv.ts";
import { describeWithPypeers, pypeersService } from "../helpers/services.ts";
import { runPeer } from "../peers/run-peer.ts";

interface Case { n: number; folds: number; test_folds: number; purge: number; embargo: number }
type Answer = { error: string } | { splits: { train: number[]; test: number[][] }[]; path_ids: number[][]; state: number[][] };

function ours(c: Case): Answer {
  try {
    const result = cpcvSplits(c.n, { folds: c.folds, testFolds: c.test_folds, purge: c.purge, embargo: c.embargo });
    const state = result.splits.map((split) => {
      const row = new Array<number>(c.n).fill(0);
      for (const i of split.purged) row[i] = -1;
      for (const fold of split.test) for (const i of fold) row[i] = 1;
      return row;
    });
    return {
      splits: result.splits.map((s) => ({ train: [...s.train], test: s.test.map((t) => [...t]) })),
      path_ids: result.plan.pathIds.map((row) => [...row]),
      state,
    };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

function randomCases(count: number, seed: number): Case[] {
  const rng = mulberry32(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
  const cases: Case[] = [];
  for (let k = 0; k < count; k++) {
    // Mostly valid configurations, with a share of each kind of mistake (folds or test folds too small or too
    // large, negative purge or embargo, too few samples for the purge and embargo).
    const mistake = rng() < 0.3;
    const folds = mistake ? int(1, 9) : int(3, 9);
    const testFolds = mistake ? int(0, folds + 1) : int(2, folds - 1);
    const n = mistake ? int(0, 60) : int(folds * 4, 150);
    const reach = Math.max(0, Math.floor(n / folds) - 2);
    const purge = mistake ? int(-1, 6) : int(0, Math.floor(reach / 2));
    const embargo = mistake ? int(-1, 6) : int(0, reach - purge);
    cases.push({ n, folds, test_folds: testFolds, purge, embargo });
  }
  // Large enough to exercise the 100,000-combination guard, and a few big valid ones.
  cases.push({ n: 100, folds: 20, test_folds: 10, purge: 0, embargo: 0 }, { n: 2500, folds: 10, test_folds: 2, purge: 3, embargo: 5 });
  cases.push({ n: 30, folds: 3, test_folds: 2, purge: 7, embargo: 0 }, { n: 200, folds: 10, test_folds: 5, purge: 2, embargo: 2 });
  return cases;
}

describeWithPypeers("CPCV equals skfolio 1.12.2", () => {
  it("on 400 random configurations: splits, purge/embargo layout, path ids and errors", async () => {
    const python = pypeersService()?.python ?? "python3";
    const cases = randomCases(400, 20240613);
    const theirs = await runPeer<Answer[]>(python, "cpcv_peer.py", cases);
    let refused = 0;
    cases.forEach((c, k) => {
      const mine = ours(c);
      const peer = theirs[k];
      const label = JSON.stringify(c);
      if (peer === undefined) throw new Error(`no peer answer for ${label}`);
      if ("error" in peer) {
        refused++;
        expect("error" in mine, `${label}: skfolio refused (${peer.error})`).toBe(true);
        // Same message, up to skfolio's Python type names and the sample count we add.
        if ("error" in mine) expect(mine.error.slice(0, 40), label).toBe(peer.error.slice(0, 40).replace(/ of type <class '\w+'>/, ""));
        return;
      }
      expect(mine, label).toEqual(peer);
    });
    expect(refused).toBeGreaterThan(60);
    expect(cases.length - refused).toBeGreaterThan(250);
  }, 180_000);
});

describe("CPCV (skfolio's docstring examples)", () => {
  it("3 folds, 2 test folds, no purge", () => {
    const { splits } = cpcvSplits(12, { folds: 3, testFolds: 2 });
    expect(splits.map((s) => s.train)).toEqual([[8, 9, 10, 11], [4, 5, 6, 7], [0, 1, 2, 3]]);
    expect(splits.map((s) => s.test)).toEqual([[[0, 1, 2, 3], [4, 5, 6, 7]], [[0, 1, 2, 3], [8, 9, 10, 11]], [[4, 5, 6, 7], [8, 9, 10, 11]]]);
  });

  it("purged_size=1 and embargo_size=1", () => {
    expect(cpcvSplits(12, { folds: 3, testFolds: 2, purge: 1 }).splits.map((s) => s.train)).toEqual([[9, 10, 11], [5, 6], [0, 1, 2]]);
    expect(cpcvSplits(12, { folds: 3, testFolds: 2, embargo: 1 }).splits.map((s) => s.train)).toEqual([[9, 10, 11], [5, 6, 7], [0, 1, 2, 3]]);
  });

  it("10 folds, 2 test folds: 45 splits, 9 paths, each path covering every fold once in time order", () => {
    const plan = cpcvPlan({ folds: 10, testFolds: 2 });
    expect([plan.nSplits, plan.nPaths]).toEqual([45, 9]);
    for (let path = 0; path < plan.nPaths; path++) {
      const folds: number[] = [];
      plan.testFoldSets.forEach((set, split) => set.forEach((fold, j) => {
        if (plan.pathIds[split]?.[j] === path) folds.push(fold);
      }));
      expect(folds.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
  });

  it("refuses 1 test fold, as skfolio does (use k-fold instead)", () => {
    expect(() => cpcvPlan({ folds: 8, testFolds: 1 })).toThrow(/n_test_folds` must at least 2/);
  });
});

describe("label-horizon purging", () => {
  // 20 samples, 4 folds of 5: split 0 tests folds 0 and 1 (samples 0-9), trains on 10-19.
  it("purges training samples after a test block that fall inside its labels' horizon", () => {
    const labelEnd = Array.from({ length: 20 }, (_, i) => Math.min(19, i + 2)); // each label spans 3 samples
    const split = cpcvSplits(20, { folds: 4, testFolds: 2 }, { labelEnd }).splits[0];
    // Test labels of 0-9 reach sample 11, so 10 and 11 are purged; nothing else.
    expect(split?.train).toEqual([12, 13, 14, 15, 16, 17, 18, 19]);
    expect(split?.purged).toEqual([10, 11]);
  });

  it("purges training samples before a test block whose labels reach into it", () => {
    // Split 5 tests folds 2 and 3 (samples 10-19); sample 7's label runs to 12, sample 9's to 9.
    const labelEnd = Array.from({ length: 20 }, (_, i) => i);
    labelEnd[7] = 12;
    const split = cpcvSplits(20, { folds: 4, testFolds: 2 }, { labelEnd }).splits[5];
    expect(split?.testFolds).toEqual([2, 3]);
    expect(split?.purged).toEqual([7]);
    expect(split?.train).toEqual([0, 1, 2, 3, 4, 5, 6, 8, 9]);
  });

  it("with a count as well, a sample is purged when either rule purges it", () => {
    const labelEnd = Array.from({ length: 20 }, (_, i) => i);
    labelEnd[2] = 6; // reaches test fold 1 in split 4 (folds 1 and 3), beyond the count's reach
    const split = cpcvSplits(20, { folds: 4, testFolds: 2, purge: 1 }, { labelEnd }).splits[4];
    expect(split?.testFolds).toEqual([1, 3]);
    // count: 4 (before fold 1), 10 (after fold 1), 14 (before fold 3); horizon: 2.
    expect(split?.purged).toEqual([2, 4, 10, 14]);
  });

  it("refuses a label that ends before its sample", () => {
    expect(() => cpcvSplits(20, { folds: 4, testFolds: 2 }, { labelEnd: Array.from({ length: 20 }, (_, i) => i - 1) })).toThrow(/labelEnd\[0\]/);
  });
});

describe("panel CPCV", () => {
  it("splits over dates, never inside a date, and counts purge in dates", () => {
    const dates = Array.from({ length: 12 }, (_, d) => `2024-01-${String(d + 1).padStart(2, "0")}`);
    // Three names a day, rows shuffled, one name missing on some days.
    const rows: string[] = [];
    dates.forEach((date, d) => {
      for (let k = 0; k < (d % 4 === 0 ? 2 : 3); k++) rows.push(date);
    });
    const rng = mulberry32(7);
    const order = rows.map((_, i) => i).sort(() => rng() - 0.5);
    const rowDates = order.map((i) => rows[i] ?? "");
    const panel = panelCpcv({ rowDates }, { folds: 3, testFolds: 2, purge: 1 });
    const byDate = cpcvSplits(12, { folds: 3, testFolds: 2, purge: 1 });
    expect(panel.dates).toEqual(dates);
    panel.splits.forEach((split, s) => {
      const trainDates = new Set(split.trainRows.map((r) => rowDates[r]));
      expect([...trainDates].sort()).toEqual(byDate.splits[s]?.train.map((d) => dates[d]));
      for (const [j, fold] of split.testRows.entries()) {
        expect(new Set(fold.map((r) => rowDates[r]))).toEqual(new Set(byDate.splits[s]?.test[j]?.map((d) => dates[d])));
        expect(fold.length).toBe(rowDates.filter((date) => byDate.splits[s]?.test[j]?.some((d) => dates[d] === date)).length);
      }
    });
  });

  it("takes a date's label horizon from its rows' label end dates", () => {
    const dates = Array.from({ length: 20 }, (_, d) => `2024-02-${String(d + 1).padStart(2, "0")}`);
    const rowDates = dates.flatMap((date) => [date, date]);
    // One row of the 8th date ends its label on the 13th date: that date is purged in the split testing 10-19.
    const labelEndDates = rowDates.map((date, r) => (r === 15 ? "2024-02-13" : date));
    const panel = panelCpcv({ rowDates, labelEndDates }, { folds: 4, testFolds: 2 });
    expect(panel.byDate.splits[5]?.purged).toEqual([7]);
    expect(panel.splits[5]?.trainRows).not.toContain(14);
    expect(panel.splits[5]?.trainRows).not.toContain(15);
  });
});
