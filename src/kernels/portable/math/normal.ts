// The standard normal distribution for the kernels: erfc, the scaled erfcx, phi, Phi and Phi^-1.
//
// erfc is a port of musl's src/math/erf.c (origin FreeBSD msun s_erf.c, Copyright (C) 1993 Sun Microsystems,
// freely redistributable with this notice). The rational approximations and their hex constants are theirs,
// bit for bit; the branch structure follows theirs. Error bound there: < 1 ulp for erfc on every branch.
//
// erfcx(x) = exp(x^2) erfc(x) on [-0.5, 3.5), the range the normalised Black function and Phi's lower tail use
// most, is a table of polynomials generated with mpmath (erfcxTable below). Elsewhere it reuses musl's own
// decomposition: for x >= 1.25 musl computes
// erfc(x) = exp(-x^2 - 0.5625 + R/S) / x, so the scaled function is exactly exp(R/S - 0.5625) / x with no
// exp(x^2) to overflow or lose accuracy. Past x = 28 (musl's last interval) the asymptotic series
// erfcx(x) ~ 1/(x sqrt(pi)) sum (-1)^n (2n-1)!!/(2x^2)^n (Abramowitz & Stegun 7.1.23) converges to double
// precision in at most 8 terms.
//
// Phi uses erfcx in its lower tail, Phi(x) = erfcx(-x/sqrt2)/2 * exp(-x^2/2), with exp(-x^2/2) evaluated on a
// split x = xh + xl (xh with 26 significant bits, so xh*xh is exact): the relative accuracy is kept down to
// x = -37 and beyond (Phi(-38.4) is the last normal double), where 0.5*erfc(-x/sqrt2) would lose ~x^2 ulps to
// the rounding of x/sqrt2.
//
// Phi^-1 is Wichura's AS 241 PPND16 (Applied Statistics 37(3), 1988, 477-484), relative error about 1e-16,
// with the coefficients as published. It serves starting guesses only.
//
// Written once for both builds (docs/kernels.md, "Writing a kernel once"). In WebAssembly, Math.exp/log/sqrt are
// AssemblyScript's musl ports compiled into the module (no host Math import), so results are bit-identical on
// every platform; in the JavaScript build they are the host's, a few ulps apart. The constants are musl's, bit for
// bit: each decimal literal is the shortest one that rounds to the hex pattern beside it
// (tests/kernels/portable.test.ts checks every pair).

import { tableF64 } from "../memory.ts";
import { ERFCX_TABLE, ERFCX_TABLE_HI, ERFCX_TABLE_LO, ERFCX_TABLE_STEPS } from "./erfcx-table.ts";
import { clearLow27Bits, clearLowWord, highWord } from "./words.ts";

// The table's last interval index (a whole number: 4 * 32 - 1). erfcxTable is written out for degree 7
// (8 coefficients per interval).
const ERFCX_TABLE_LAST: i32 = (((ERFCX_TABLE_HI - ERFCX_TABLE_LO) * ERFCX_TABLE_STEPS) as i32) - 1;

const ERX: f64 = 0.8450629115104675; // 0x3FEB0AC160000000
const PP0: f64 = 0.12837916709551256; // 0x3FC06EBA8214DB68
const PP1: f64 = -0.3250421072470015; // 0xBFD4CD7D691CB913
const PP2: f64 = -0.02848174957559851; // 0xBF9D2A51DBD7194F
const PP3: f64 = -0.005770270296489442; // 0xBF77A291236668E4
const PP4: f64 = -0.000023763016656650163; // 0xBEF8EAD6120016AC
const QQ1: f64 = 0.39791722395915535; // 0x3FD97779CDDADC09
const QQ2: f64 = 0.0650222499887673; // 0x3FB0A54C5536CEBA
const QQ3: f64 = 0.005081306281875766; // 0x3F74D022C4D36B0F
const QQ4: f64 = 0.00013249473800432164; // 0x3F215DC9221C1A10
const QQ5: f64 = -0.000003960228278775368; // 0xBED09C4342A26120
const PA0: f64 = -0.0023621185607526594; // 0xBF6359B8BEF77538
const PA1: f64 = 0.41485611868374833; // 0x3FDA8D00AD92B34D
const PA2: f64 = -0.3722078760357013; // 0xBFD7D240FBB8C3F1
const PA3: f64 = 0.31834661990116175; // 0x3FD45FCA805120E4
const PA4: f64 = -0.11089469428239668; // 0xBFBC63983D3E28EC
const PA5: f64 = 0.035478304325618236; // 0x3FA22A36599795EB
const PA6: f64 = -0.002166375594868791; // 0xBF61BF380A96073F
const QA1: f64 = 0.10642088040084423; // 0x3FBB3E6618EEE323
const QA2: f64 = 0.540397917702171; // 0x3FE14AF092EB6F33
const QA3: f64 = 0.07182865441419627; // 0x3FB2635CD99FE9A7
const QA4: f64 = 0.12617121980876164; // 0x3FC02660E763351F
const QA5: f64 = 0.01363708391202905; // 0x3F8BEDC26B51DD1C
const QA6: f64 = 0.011984499846799107; // 0x3F888B545735151D
const RA0: f64 = -0.009864944034847148; // 0xBF843412600D6435
const RA1: f64 = -0.6938585727071818; // 0xBFE63416E4BA7360
const RA2: f64 = -10.558626225323291; // 0xC0251E0441B0E726
const RA3: f64 = -62.375332450326006; // 0xC04F300AE4CBA38D
const RA4: f64 = -162.39666946257347; // 0xC0644CB184282266
const RA5: f64 = -184.60509290671104; // 0xC067135CEBCCABB2
const RA6: f64 = -81.2874355063066; // 0xC054526557E4D2F2
const RA7: f64 = -9.814329344169145; // 0xC023A0EFC69AC25C
const SA1: f64 = 19.651271667439257; // 0x4033A6B9BD707687
const SA2: f64 = 137.65775414351904; // 0x4061350C526AE721
const SA3: f64 = 434.56587747522923; // 0x407B290DD58A1A71
const SA4: f64 = 645.3872717332679; // 0x40842B1921EC2868
const SA5: f64 = 429.00814002756783; // 0x407AD02157700314
const SA6: f64 = 108.63500554177944; // 0x405B28A3EE48AE2C
const SA7: f64 = 6.570249770319282; // 0x401A47EF8E484A93
const SA8: f64 = -0.0604244152148581; // 0xBFAEEFF2EE749A62
const RB0: f64 = -0.0098649429247001; // 0xBF84341239E86F4A
const RB1: f64 = -0.799283237680523; // 0xBFE993BA70C285DE
const RB2: f64 = -17.757954917754752; // 0xC031C209555F995A
const RB3: f64 = -160.63638485582192; // 0xC064145D43C5ED98
const RB4: f64 = -637.5664433683896; // 0xC083EC881375F228
const RB5: f64 = -1025.0951316110772; // 0xC09004616A2E5992
const RB6: f64 = -483.5191916086514; // 0xC07E384E9BDC383F
const SB1: f64 = 30.33806074348246; // 0x403E568B261D5190
const SB2: f64 = 325.7925129965739; // 0x40745CAE221B9F0A
const SB3: f64 = 1536.729586084437; // 0x409802EB189D5118
const SB4: f64 = 3199.8582195085955; // 0x40A8FFB7688C246A
const SB5: f64 = 2553.0504064331644; // 0x40A3F219CEDF3BE6
const SB6: f64 = 474.52854120695537; // 0x407DA874E79FE763
const SB7: f64 = -22.44095244658582; // 0xC03670E242712D62

const TINY: f64 = 1e-300;
const SQRT_PI: f64 = 1.7724538509055160273; // sqrt(pi)
const INV_SQRT_PI: f64 = 0.56418958354775628695; // 1/sqrt(pi)
const INV_SQRT2: f64 = 0.70710678118654752440; // 1/sqrt(2)
const INV_SQRT_2PI: f64 = 0.39894228040143267794; // 1/sqrt(2 pi)
const SQRT_HALF_PI: f64 = 1.2533141373155002512; // sqrt(pi/2)

/** musl's R/S rational approximation of log(x erfc(x)) + x^2 + 0.5625 for 1.25 <= |x| < 28. */
function erfcTailRatio(ax: f64, ix: i32): f64 {
  const s = 1.0 / (ax * ax);
  let R: f64, S: f64;
  if (ix < 0x4006DB6D) {
    // |x| < 1/0.35
    R = RA0 + s * (RA1 + s * (RA2 + s * (RA3 + s * (RA4 + s * (RA5 + s * (RA6 + s * RA7))))));
    S = 1.0 + s * (SA1 + s * (SA2 + s * (SA3 + s * (SA4 + s * (SA5 + s * (SA6 + s * (SA7 + s * SA8)))))));
  } else {
    R = RB0 + s * (RB1 + s * (RB2 + s * (RB3 + s * (RB4 + s * (RB5 + s * RB6)))));
    S = 1.0 + s * (SB1 + s * (SB2 + s * (SB3 + s * (SB4 + s * (SB5 + s * (SB6 + s * SB7))))));
  }
  return R / S;
}

/** Complementary error function, musl erfc. */
export function erfc(x: f64): f64 {
  const hx = highWord(x);
  const ix = hx & 0x7fffffff;
  if (ix >= 0x7ff00000) {
    // erfc(nan) = nan, erfc(+inf) = 0, erfc(-inf) = 2
    return ((((hx as u32) >>> 31) << 1) as f64) + 1.0 / x;
  }
  if (ix < 0x3feb0000) {
    // |x| < 0.84375
    if (ix < 0x3c700000) return 1.0 - x;
    const z = x * x;
    const r = PP0 + z * (PP1 + z * (PP2 + z * (PP3 + z * PP4)));
    const s = 1.0 + z * (QQ1 + z * (QQ2 + z * (QQ3 + z * (QQ4 + z * QQ5))));
    const y = r / s;
    if (hx < 0x3fd00000) return 1.0 - (x + x * y); // x < 1/4
    return 0.5 - (x * y + (x - 0.5));
  }
  if (ix < 0x3ff40000) {
    // 0.84375 <= |x| < 1.25
    const s = Math.abs(x) - 1.0;
    const P = PA0 + s * (PA1 + s * (PA2 + s * (PA3 + s * (PA4 + s * (PA5 + s * PA6)))));
    const Q = 1.0 + s * (QA1 + s * (QA2 + s * (QA3 + s * (QA4 + s * (QA5 + s * QA6)))));
    if (hx >= 0) return (1.0 - ERX) - P / Q;
    return 1.0 + (ERX + P / Q);
  }
  if (ix < 0x403c0000) {
    // |x| < 28
    if (hx < 0 && ix >= 0x40180000) return 2.0 - TINY; // x < -6
    const ax = Math.abs(x);
    const ratio = erfcTailRatio(ax, ix);
    const z = clearLowWord(ax);
    const r = Math.exp(-z * z - 0.5625) * Math.exp((z - ax) * (z + ax) + ratio);
    if (hx > 0) return r / ax;
    return 2.0 - r / ax;
  }
  if (hx > 0) return TINY * TINY;
  return 2.0 - TINY;
}

/** exp(-x^2/2) without the ~x^2/2 ulps lost to rounding x*x: x = xh + xl with xh*xh exact. */
export function expNegHalfSquare(x: f64): f64 {
  const ax = Math.abs(x);
  if (ax < 2.0) return Math.exp(-0.5 * ax * ax);
  // Past sqrt(2 * 745.2) the result is below the smallest subnormal (and the split below would overflow).
  if (!(ax < 38.6)) return ax == ax ? 0.0 : ax;
  // Clearing the low 27 bits leaves 26 significant bits, so xh*xh is exact in a double.
  const xh = clearLow27Bits(ax);
  const xl = ax - xh;
  // d = -xl (ax + xh)/2 is below 2^-26 ax^2 < 3e-5 in magnitude wherever the result is a normal number, so
  // e^d = 1 + d(1 + d/2(1 + d/3(1 + d/4))) to 1e-22: one exp instead of two.
  const d = -0.5 * xl * (ax + xh);
  return Math.exp(-0.5 * xh * xh) * (1.0 + d * (1.0 + 0.5 * d * (1.0 + (d / 3.0) * (1.0 + 0.25 * d))));
}

/**
 * erfcx on [ERFCX_TABLE_LO, ERFCX_TABLE_HI) from the generated table: one degree-7 polynomial per interval of
 * width 1/32 (Chebyshev interpolants fitted with mpmath, tests/kernels/gen/erfcx_table.py, which checks this exact
 * evaluation order in double precision: worst 0.91 ulps). Estrin's scheme keeps the dependency chain short and
 * the constant term is added last (the rest is a few per cent of it). No exp and no division.
 */
// @inline
function erfcxTable(x: f64): f64 {
  // floor, then the conversion: x >= ERFCX_TABLE_LO, so this is the truncation, and the value is already whole
  // when the JavaScript build reads `as i32` as a mere type assertion.
  let k = Math.floor((x - ERFCX_TABLE_LO) * ERFCX_TABLE_STEPS) as i32;
  if (k > ERFCX_TABLE_LAST) k = ERFCX_TABLE_LAST;
  const centre = ERFCX_TABLE_LO + ((k as f64) + 0.5) * (1.0 / ERFCX_TABLE_STEPS); // exact: a power of two
  const u = (x - centre) * (2.0 * ERFCX_TABLE_STEPS);
  const p = k << 3; // 8 coefficients per interval
  const u2 = u * u;
  const u4 = u2 * u2;
  const low = tableF64(ERFCX_TABLE, p + 1) * u + u2 * (tableF64(ERFCX_TABLE, p + 2) + tableF64(ERFCX_TABLE, p + 3) * u);
  const high = (tableF64(ERFCX_TABLE, p + 4) + tableF64(ERFCX_TABLE, p + 5) * u) +
    u2 * (tableF64(ERFCX_TABLE, p + 6) + tableF64(ERFCX_TABLE, p + 7) * u);
  return tableF64(ERFCX_TABLE, p) + (low + u4 * high);
}

/** Scaled complementary error function erfcx(x) = exp(x^2) erfc(x), finite and accurate for every x > -26. */
export function erfcx(x: f64): f64 {
  if (x >= ERFCX_TABLE_LO && x < ERFCX_TABLE_HI) return erfcxTable(x);
  if (isNaN(x)) return x;
  if (x >= 1.25) {
    if (x < 28.0) return Math.exp(erfcTailRatio(x, highWord(x)) - 0.5625) / x;
    if (x == Infinity) return 0.0;
    // Asymptotic series in w = 1/(2x^2); alternating, truncated at the first term below 2^-56 of the sum.
    const w = 0.5 / (x * x);
    let term: f64 = 1.0;
    let sum: f64 = 1.0;
    for (let n = 1; n <= 12; n++) {
      term *= -((2 * n - 1) as f64) * w;
      sum += term;
      if (Math.abs(term) < 1.4e-17 * sum) break;
    }
    return sum * INV_SQRT_PI / x;
  }
  if (x >= -0.5) return Math.exp(x * x) * erfc(x);
  // x < -0.5: erfc(x) = 2 - erfc(-x), so erfcx(x) = 2 exp(x^2) - erfcx(-x); exp(x^2) on the exact split.
  if (x < -26.7) return Infinity;
  const ax = -x;
  const xh = clearLow27Bits(ax);
  const xl = ax - xh;
  const e2 = Math.exp(xh * xh) * Math.exp(xl * (ax + xh));
  return 2.0 * e2 - erfcx(ax);
}

/** Standard normal density phi(x). */
export function normPdf(x: f64): f64 {
  return INV_SQRT_2PI * expNegHalfSquare(x);
}

/** Standard normal distribution function Phi(x), with full relative accuracy in the lower tail. */
export function normCdf(x: f64): f64 {
  if (x < -1.7677669529663688) {
    // -x/sqrt2 > 1.25: the erfcx branch. Below -38.5 the value underflows to 0 (the true Phi(-38.5) < 2^-1074).
    if (x < -38.5) return 0.0;
    return 0.5 * erfcx(-x * INV_SQRT2) * expNegHalfSquare(x);
  }
  return 0.5 * erfc(-x * INV_SQRT2);
}

/** Y(h) = Phi(h)/phi(h), the normal Mills-ratio function used by the normalised Black formula. */
export function millsY(h: f64): f64 {
  return SQRT_HALF_PI * erfcx(-h * INV_SQRT2);
}

/** Inverse of the standard normal distribution function, Wichura's AS 241 (PPND16). p outside (0,1) gives NaN/±Inf. */
export function normInv(p: f64): f64 {
  if (!(p >= 0.0 && p <= 1.0)) return NaN;
  if (p == 0.0) return -Infinity;
  if (p == 1.0) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (
      (q *
        (((((((2.5090809287301226727e3 * r + 3.3430575583588128105e4) * r + 6.7265770927008700853e4) * r +
          4.5921953931549871457e4) * r + 1.3731693765509461125e4) * r + 1.9715909503065514427e3) * r +
          1.3314166789178437745e2) * r + 3.3871328727963666080)) /
      (((((((5.2264952788528545610e3 * r + 2.8729085735721942674e4) * r + 3.9307895800092710610e4) * r +
        2.1213794301586595867e4) * r + 5.3941960214247511077e3) * r + 6.8718700749205790830e2) * r +
        4.2313330701600911252e1) * r + 1.0)
    );
  }
  let r = q < 0.0 ? p : 1.0 - p;
  r = Math.sqrt(-Math.log(r));
  let value: f64;
  if (r <= 5.0) {
    r -= 1.6;
    value =
      (((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r + 2.41780725177450611770e-1) * r +
        1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.76949722146069140550) * r +
        4.63033784615654529590) * r + 1.42343711074968357734) /
      (((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r + 1.51986665636164571966e-2) * r +
        1.48103976427480074590e-1) * r + 6.89767334985100004550e-1) * r + 1.67638483018380384940) * r +
        2.05319162663775882187) * r + 1.0);
  } else {
    r -= 5.0;
    value =
      (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 1.24266094738807843860e-3) * r +
        2.65321895265761230930e-2) * r + 2.96560571828504891230e-1) * r + 1.78482653991729133580) * r +
        5.46378491116411436990) * r + 6.65790464350110377720) /
      (((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r + 1.84631831751005468180e-5) * r +
        7.86869131145613259100e-4) * r + 1.48753612908506148525e-2) * r + 1.36929880922735805310e-1) * r +
        5.99832206555887937690e-1) * r + 1.0);
  }
  return q < 0.0 ? -value : value;
}
