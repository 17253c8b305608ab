// Bad input to the hedging kernel gives statuses, never silent numbers: a failed step has NaN numbers and its code,
// the path's later steps are "halted", the path's totals are NaN, and the other paths are untouched. A failed leg
// mark can instead be carried at its last good mark (flagged). Bad parameters and shapes are errors of the call.
import { beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../../src/domain/errors.ts";
import { createKernels, type Kernels } from "../../../src/kernels/index.ts";
import {
  bookFromLegs, HEDGE_STATUS, type HedgeInput, type HedgeLeg, type HedgeResult, type HedgeStepColumns,
} from "../../../src/kernels/hedge/index.ts";

let k: Kernels;
beforeAll(async () => {
  k = await createKernels({ engine: "wasm", workers: 1 });
});

const STEPS = 6;
const SPOT = [100, 101, 99.5, 102, 100.5, 101.5];
const TIME = SPOT.map((_, i) => i / 365);
const LEG_SPECS: readonly HedgeLeg[] = [
  { strike: 100, expiry: 0.1, type: "call", quantity: -5 },
  { strike: 95, expiry: 0.2, type: "put", quantity: 3 },
];
const LEGS = bookFromLegs(LEG_SPECS);

/** Three paths on the same spots; `spot` and `vol` rows may be edited per path. */
function input(edit: (spot: number[][], vol: number[][][]) => void = () => undefined): HedgeInput {
  const spot = [0, 1, 2].map(() => [...SPOT]);
  const vol = [0, 1, 2].map(() => [0, 1].map((l) => SPOT.map(() => 0.2 + 0.05 * l)));
  edit(spot, vol);
  return {
    paths: 3, steps: STEPS, book: LEGS, spot: { perPathStep: spot.flat() }, time: { perStep: TIME }, rate: 0.02,
    vol: { perLeg: [0, 1].map((l) => ({ perPathStep: vol.flatMap((v) => v[l] ?? []) })) },
  };
}

function steps(result: HedgeResult): HedgeStepColumns {
  if (result.perStep === undefined) throw new Error("no step columns");
  return result.perStep;
}

const NUMBERS = ["pnl", "delta", "gamma", "vega", "theta", "financing", "borrow", "stockCost", "optionCost", "residual",
  "hedge", "cash", "bookValue", "bookDelta"] as const;

/** Path p failed at step `at` with `code`: earlier steps fine, that step coded, later ones halted, all NaN after. */
function expectFailedAt(result: HedgeResult, p: number, at: number, code: number): void {
  const s = steps(result);
  for (let kStep = 0; kStep < STEPS; kStep++) {
    const i = p * STEPS + kStep;
    const want = kStep < at ? HEDGE_STATUS.ok : kStep === at ? code : HEDGE_STATUS.halted;
    expect(s.status[i], `status of step ${kStep}`).toBe(want);
    for (const name of NUMBERS) {
      if (kStep < at) expect(Number.isFinite(s[name][i]), `${name} of step ${kStep}`).toBe(true);
      else expect(s[name][i], `${name} of step ${kStep}`).toBeNaN();
    }
  }
  expect(result.totals.status[p]).toBe(code);
  expect(result.totals.failedStep[p]).toBe(at);
  expect(result.totals.pnl[p]).toBeNaN();
  expect(result.totals.gamma[p]).toBeNaN();
}

/** Paths other than `p` match the clean run bit for bit. */
function expectOthersClean(result: HedgeResult, clean: HedgeResult, p: number): void {
  for (const q of [0, 1, 2].filter((x) => x !== p)) {
    expect(result.totals.status[q]).toBe(HEDGE_STATUS.ok);
    expect(Object.is(result.totals.pnl[q], clean.totals.pnl[q])).toBe(true);
  }
}

describe("hedging kernel statuses", () => {
  const clean = () => k.hedge(input(), { mode: "every_step" });

  it("runs the clean input with every status ok", () => {
    const result = clean();
    expect(result.failed).toBe(0);
    expect(Array.from(steps(result).status).every((s) => s === HEDGE_STATUS.ok)).toBe(true);
    expect(Array.from(result.totals.failedStep)).toEqual([-1, -1, -1]);
  });

  it("a negative spot fails its step and halts the path", () => {
    const result = k.hedge(input((spot) => { (spot[1] ?? [])[3] = -102; }), { mode: "every_step" });
    expect(result.failed).toBe(1);
    expectFailedAt(result, 1, 3, HEDGE_STATUS.invalid_input);
    expectOthersClean(result, clean(), 1);
  });

  it("time going backwards and a non-finite rate are invalid input", () => {
    const backwards = k.hedge({ ...input(), time: { perPathStep: [...TIME, ...TIME.map((t, i) => (i === 2 ? t - 1 : t)), ...TIME] } }, {});
    expectFailedAt(backwards, 1, 2, HEDGE_STATUS.invalid_input);
    const rate = k.hedge({ ...input(), rate: { perStep: TIME.map((_, i) => (i === 4 ? Number.NaN : 0.02)) } }, {});
    for (const p of [0, 1, 2]) expectFailedAt(rate, p, 4, HEDGE_STATUS.invalid_input);
  });

  it("a NaN or negative vol fails the leg's mark", () => {
    const nan = k.hedge(input((_, vol) => { ((vol[2] ?? [])[1] ?? [])[2] = Number.NaN; }), { mode: "every_step" });
    expectFailedAt(nan, 2, 2, HEDGE_STATUS.mark_failed);
    expectOthersClean(nan, clean(), 2);
    const negative = k.hedge(input((_, vol) => { ((vol[0] ?? [])[0] ?? [])[0] = -0.2; }), {});
    expectFailedAt(negative, 0, 0, HEDGE_STATUS.mark_failed);
  });

  it("carries a failed mark at the last good mark when asked, and flags it", () => {
    const result = k.hedge(input((_, vol) => { ((vol[2] ?? [])[1] ?? [])[2] = Number.NaN; }), { mode: "every_step", carry_bad_marks: true });
    expect(result.failed).toBe(0);
    expect(result.carried).toBe(1);
    expect(result.totals.status[2]).toBe(HEDGE_STATUS.carried);
    const s = steps(result);
    expect(Array.from(s.status.subarray(2 * STEPS, 3 * STEPS))).toEqual([0, 0, HEDGE_STATUS.carried, 0, 0, 0]);
    // Leg 0 marked today, leg 1 at yesterday's mark: the legs' own values from one-leg runs.
    const one = (l: number) => steps(k.hedge({
      ...input(), paths: 1, spot: { perStep: SPOT }, book: bookFromLegs(LEG_SPECS.slice(l, l + 1)), vol: 0.2 + 0.05 * l,
    }, { mode: "none" }));
    const leg0 = one(0);
    const leg1 = one(1);
    expect(s.bookValue[2 * STEPS + 2]).toBeCloseTo((leg0.bookValue[2] ?? 0) + (leg1.bookValue[1] ?? 0), 10);
    expect(s.bookValue[2 * STEPS + 3]).toBeCloseTo((leg0.bookValue[3] ?? 0) + (leg1.bookValue[3] ?? 0), 10);
    const total = Array.from(s.pnl.subarray(2 * STEPS, 3 * STEPS)).reduce((a, b) => a + b, 0);
    expect(result.totals.pnl[2]).toBeCloseTo(total, 10);
    // A leg that has never been marked cannot be carried: failing on its entry step fails the path.
    const atEntry = k.hedge(input((_, vol) => { ((vol[0] ?? [])[1] ?? [])[0] = Number.NaN; }), { carry_bad_marks: true });
    expectFailedAt(atEntry, 0, 0, HEDGE_STATUS.mark_failed);
  });

  it("a leg at or past expiry settles at intrinsic value whatever its vol", () => {
    const book = bookFromLegs([{ strike: 100, expiry: 2 / 365, type: "call", quantity: 1 }]);
    const vol = { perStep: SPOT.map((_, i) => (i >= 2 ? Number.NaN : 0.2)) };
    const result = k.hedge({ ...input(), paths: 1, spot: { perStep: SPOT }, book, vol }, { mode: "every_step" });
    expect(result.failed).toBe(0);
    const s = steps(result);
    // Settled on step 2 (t = 2/365) at max(99.5 - 100, 0) = 0: nothing live after it, the hedge unwound.
    expect(Array.from(s.bookValue.subarray(2))).toEqual([0, 0, 0, 0]);
    expect(Array.from(s.hedge.subarray(2))).toEqual([0, 0, 0, 0]);
  });

  it("a malformed or empty book is reported for every step of its path", () => {
    const perPath = {
      strike: [100, 95, -100, 95, 100, 95], expiry: [0.1, 0.2, 0.1, 0.2, 0.1, 0.2], isCall: [1, 0, 1, 0, 1, 0],
      quantity: [-5, 3, -5, 3, 0, 0], perPath: true,
    };
    const result = k.hedge({ ...input(), book: perPath }, {});
    expect(Array.from(result.totals.status)).toEqual([HEDGE_STATUS.ok, HEDGE_STATUS.invalid_book, HEDGE_STATUS.empty_book]);
    expect(result.failed).toBe(2);
    const s = steps(result);
    for (const [p, code] of [[1, HEDGE_STATUS.invalid_book], [2, HEDGE_STATUS.empty_book]] as const) {
      expect(result.totals.failedStep[p]).toBe(-1);
      for (let kStep = 0; kStep < STEPS; kStep++) {
        expect(s.status[p * STEPS + kStep]).toBe(code);
        expect(s.pnl[p * STEPS + kStep]).toBeNaN();
      }
    }
    const noLegs = k.hedge({ ...input(), book: bookFromLegs([]), vol: 0.2 }, {});
    expect(Array.from(noLegs.totals.status)).toEqual([6, 6, 6]);
    const badSteps = (entryStep: number, exitStep: number) =>
      k.hedge({ ...input(), book: { ...LEGS, entryStep: [0, entryStep], exitStep: [-1, exitStep] } }, {}).totals.status[0];
    expect(badSteps(STEPS, -1)).toBe(HEDGE_STATUS.invalid_book);
    expect(badSteps(3, 2)).toBe(HEDGE_STATUS.invalid_book);
    expect(badSteps(3, 4)).toBe(HEDGE_STATUS.ok);
  });

  it("a negative half-spread on a traded leg or a negative mark is refused", () => {
    const spread = k.hedge({ ...input(), halfSpread: { perLeg: [0.05, { perStep: [-0.01, 0, 0, 0, 0, 0] }] } }, {});
    for (const p of [0, 1, 2]) expectFailedAt(spread, p, 0, HEDGE_STATUS.invalid_input);
    // The same negative value on a step where the leg does not trade is never read.
    expect(k.hedge({ ...input(), halfSpread: { perLeg: [0.05, { perStep: [0, -0.01, 0, 0, 0, 0] }] } }, {}).failed).toBe(0);
    const marks = SPOT.map((_, i) => (i === 4 ? -1 : 2));
    const mark = k.hedge({ ...input(), mark: { perLeg: [{ perStep: marks }, 3] } }, {});
    for (const p of [0, 1, 2]) expectFailedAt(mark, p, 4, HEDGE_STATUS.mark_failed);
  });
});

describe("hedging call errors", () => {
  const code = (f: () => unknown): string => {
    try {
      f();
    } catch (error) {
      return error instanceof AppError ? error.code : "not an AppError";
    }
    return "no error";
  };

  it("refuses bad parameters and shapes with coded errors", () => {
    expect(code(() => k.hedge(input(), { mode: "weekly" } as never))).toBe("hedge_bad_params");
    expect(code(() => k.hedge(input(), { band: -1 }))).toBe("hedge_bad_params");
    expect(code(() => k.hedge(input(), { stock_cost_bps: Number.NaN }))).toBe("hedge_bad_params");
    expect(code(() => k.hedge(input(), { bandwidth: 3 } as never))).toBe("hedge_bad_params");
    expect(code(() => k.hedge({ ...input(), spot: { perPathStep: SPOT } }, {}))).toBe("batch_shape_mismatch");
    expect(code(() => k.hedge({ ...input(), vol: { perLeg: [0.2] } }, {}))).toBe("batch_shape_mismatch");
    expect(code(() => k.hedge({ ...input(), book: { ...LEGS, quantity: [1] } }, {}))).toBe("batch_shape_mismatch");
    expect(code(() => k.hedge({ ...input(), book: { ...LEGS, entryStep: [0, 1.5] } }, {}))).toBe("hedge_bad_book");
    expect(code(() => k.hedge({ ...input(), paths: 2.5 }, {}))).toBe("hedge_bad_shape");
    expect(code(() => k.hedge({ ...input(), steps: 0 }, {}))).toBe("hedge_bad_shape");
  });

  it("needs the WebAssembly engine", async () => {
    const ts = await createKernels({ engine: "ts" });
    expect(code(() => ts.hedge(input(), {}))).toBe("kernel_hedge_needs_wasm");
  });
});
