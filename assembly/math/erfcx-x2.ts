// erfcx on both lanes of an f64x2 from the table of src/kernels/portable/math/erfcx-table.ts: each lane's own
// interval polynomial (its eight coefficients gathered lane by lane), then the scalar erfcxTable's operations on
// both lanes at once, so each lane has the bits the scalar evaluation (normal.ts) gives it. The caller keeps every
// lane inside [ERFCX_TABLE_LO, ERFCX_TABLE_HI) (a lane outside reads the nearest interval: a number, not a trap).
// Taken from the unfinished whole-row BSM attempt (branch kernels-wip).
import {
  ERFCX_TABLE, ERFCX_TABLE_HI, ERFCX_TABLE_LO, ERFCX_TABLE_STEPS,
} from "../../src/kernels/portable/math/erfcx-table";

const LAST: f64 = (ERFCX_TABLE_HI - ERFCX_TABLE_LO) * ERFCX_TABLE_STEPS - 1.0;

/** Coefficient j of both lanes' intervals, whose first coefficients are at p0 and p1. */
@inline function coefficient(p0: usize, p1: usize, j: usize): v128 {
  return v128.load64_lane(p1 + (j << 3), v128.load64_zero(p0 + (j << 3)), 1);
}

// @inline: keeps v128 out of any exported signature (AS112).
@inline export function erfcxTableX2(x: v128): v128 {
  // pmax/pmin with the bound first: a NaN lane becomes the bound, so the interval index is always a whole number
  // in [0, LAST] (converting NaN would trap).
  const steps = f64x2.mul(f64x2.sub(x, f64x2.splat(ERFCX_TABLE_LO)), f64x2.splat(ERFCX_TABLE_STEPS));
  const kf = f64x2.pmax(f64x2.splat(0.0), f64x2.pmin(f64x2.splat(LAST), f64x2.floor(steps)));
  const centre = f64x2.add(f64x2.splat(ERFCX_TABLE_LO), f64x2.mul(f64x2.add(kf, f64x2.splat(0.5)), f64x2.splat(1.0 / ERFCX_TABLE_STEPS)));
  const u = f64x2.mul(f64x2.sub(x, centre), f64x2.splat(2.0 * ERFCX_TABLE_STEPS));
  const table = changetype<usize>(ERFCX_TABLE);
  const p0 = table + (<usize>(<i32>f64x2.extract_lane(kf, 0)) << 6); // 8 coefficients of 8 bytes per interval
  const p1 = table + (<usize>(<i32>f64x2.extract_lane(kf, 1)) << 6);
  const u2 = f64x2.mul(u, u);
  const u4 = f64x2.mul(u2, u2);
  const low = f64x2.add(
    f64x2.mul(coefficient(p0, p1, 1), u),
    f64x2.mul(u2, f64x2.add(coefficient(p0, p1, 2), f64x2.mul(coefficient(p0, p1, 3), u))),
  );
  const high = f64x2.add(
    f64x2.add(coefficient(p0, p1, 4), f64x2.mul(coefficient(p0, p1, 5), u)),
    f64x2.mul(u2, f64x2.add(coefficient(p0, p1, 6), f64x2.mul(coefficient(p0, p1, 7), u))),
  );
  return f64x2.add(coefficient(p0, p1, 0), f64x2.add(low, f64x2.mul(u4, high)));
}
