// Pure-TypeScript twin of assembly/math/normal.ts (the reference engine: test oracle and fallback). Same
// algorithms and the same musl/AS 241 constants bit for bit; results differ from the WASM build only by the
// host's Math.exp/log (V8's, not musl's), i.e. by a few ulps. Keep the two files in step.
//
// Sources: musl src/math/erf.c (FreeBSD msun s_erf.c, Copyright (C) 1993 Sun Microsystems, freely
// redistributable with this notice); Wichura, AS 241, Applied Statistics 37(3), 1988. See the AssemblyScript
// file for the derivations.

const scratch = new DataView(new ArrayBuffer(8));

/** The double with the given high and low 32-bit words (musl's INSERT_WORDS). */
function fromWords(hi: number, lo: number): number {
  scratch.setUint32(0, hi >>> 0);
  scratch.setUint32(4, lo >>> 0);
  return scratch.getFloat64(0);
}

/** The high 32-bit word as a signed integer (musl's GET_HIGH_WORD). */
function highWord(x: number): number {
  scratch.setFloat64(0, x);
  return scratch.getInt32(0);
}

/** x with its low 32 bits cleared (musl's SET_LOW_WORD(z, 0)). */
function clearLowWord(x: number): number {
  scratch.setFloat64(0, x);
  scratch.setUint32(4, 0);
  return scratch.getFloat64(0);
}

/** x with its low 27 mantissa bits cleared: 26 significant bits, so its square is exact. */
function splitHigh26(x: number): number {
  scratch.setFloat64(0, x);
  scratch.setUint32(4, scratch.getUint32(4) & 0xf8000000);
  return scratch.getFloat64(0);
}

const ERX = fromWords(0x3FEB0AC1, 0x60000000); // 8.45062911510467529297e-01
const PP0 = fromWords(0x3FC06EBA, 0x8214DB68); // 1.28379167095512558561e-01
const PP1 = fromWords(0xBFD4CD7D, 0x691CB913); // -3.25042107247001499370e-01
const PP2 = fromWords(0xBF9D2A51, 0xDBD7194F); // -2.84817495755985104766e-02
const PP3 = fromWords(0xBF77A291, 0x236668E4); // -5.77027029648944159157e-03
const PP4 = fromWords(0xBEF8EAD6, 0x120016AC); // -2.37630166566501626084e-05
const QQ1 = fromWords(0x3FD97779, 0xCDDADC09); // 3.97917223959155352819e-01
const QQ2 = fromWords(0x3FB0A54C, 0x5536CEBA); // 6.50222499887672944485e-02
const QQ3 = fromWords(0x3F74D022, 0xC4D36B0F); // 5.08130628187576562776e-03
const QQ4 = fromWords(0x3F215DC9, 0x221C1A10); // 1.32494738004321644526e-04
const QQ5 = fromWords(0xBED09C43, 0x42A26120); // -3.96022827877536812320e-06
const PA0 = fromWords(0xBF6359B8, 0xBEF77538); // -2.36211856075265944077e-03
const PA1 = fromWords(0x3FDA8D00, 0xAD92B34D); // 4.14856118683748331666e-01
const PA2 = fromWords(0xBFD7D240, 0xFBB8C3F1); // -3.72207876035701323847e-01
const PA3 = fromWords(0x3FD45FCA, 0x805120E4); // 3.18346619901161753674e-01
const PA4 = fromWords(0xBFBC6398, 0x3D3E28EC); // -1.10894694282396677476e-01
const PA5 = fromWords(0x3FA22A36, 0x599795EB); // 3.54783043256182359371e-02
const PA6 = fromWords(0xBF61BF38, 0x0A96073F); // -2.16637559486879084300e-03
const QA1 = fromWords(0x3FBB3E66, 0x18EEE323); // 1.06420880400844228286e-01
const QA2 = fromWords(0x3FE14AF0, 0x92EB6F33); // 5.40397917702171048937e-01
const QA3 = fromWords(0x3FB2635C, 0xD99FE9A7); // 7.18286544141962662868e-02
const QA4 = fromWords(0x3FC02660, 0xE763351F); // 1.26171219808761642112e-01
const QA5 = fromWords(0x3F8BEDC2, 0x6B51DD1C); // 1.36370839120290507362e-02
const QA6 = fromWords(0x3F888B54, 0x5735151D); // 1.19844998467991074170e-02
const RA0 = fromWords(0xBF843412, 0x600D6435); // -9.86494403484714822705e-03
const RA1 = fromWords(0xBFE63416, 0xE4BA7360); // -6.93858572707181764372e-01
const RA2 = fromWords(0xC0251E04, 0x41B0E726); // -1.05586262253232909814e+01
const RA3 = fromWords(0xC04F300A, 0xE4CBA38D); // -6.23753324503260060396e+01
const RA4 = fromWords(0xC0644CB1, 0x84282266); // -1.62396669462573470355e+02
const RA5 = fromWords(0xC067135C, 0xEBCCABB2); // -1.84605092906711035994e+02
const RA6 = fromWords(0xC0545265, 0x57E4D2F2); // -8.12874355063065934246e+01
const RA7 = fromWords(0xC023A0EF, 0xC69AC25C); // -9.81432934416914548592e+00
const SA1 = fromWords(0x4033A6B9, 0xBD707687); // 1.96512716674392571292e+01
const SA2 = fromWords(0x4061350C, 0x526AE721); // 1.37657754143519042600e+02
const SA3 = fromWords(0x407B290D, 0xD58A1A71); // 4.34565877475229228821e+02
const SA4 = fromWords(0x40842B19, 0x21EC2868); // 6.45387271733267880336e+02
const SA5 = fromWords(0x407AD021, 0x57700314); // 4.29008140027567833386e+02
const SA6 = fromWords(0x405B28A3, 0xEE48AE2C); // 1.08635005541779435134e+02
const SA7 = fromWords(0x401A47EF, 0x8E484A93); // 6.57024977031928170135e+00
const SA8 = fromWords(0xBFAEEFF2, 0xEE749A62); // -6.04244152148580987438e-02
const RB0 = fromWords(0xBF843412, 0x39E86F4A); // -9.86494292470009928597e-03
const RB1 = fromWords(0xBFE993BA, 0x70C285DE); // -7.99283237680523006574e-01
const RB2 = fromWords(0xC031C209, 0x555F995A); // -1.77579549177547519889e+01
const RB3 = fromWords(0xC064145D, 0x43C5ED98); // -1.60636384855821916062e+02
const RB4 = fromWords(0xC083EC88, 0x1375F228); // -6.37566443368389627722e+02
const RB5 = fromWords(0xC0900461, 0x6A2E5992); // -1.02509513161107724954e+03
const RB6 = fromWords(0xC07E384E, 0x9BDC383F); // -4.83519191608651397019e+02
const SB1 = fromWords(0x403E568B, 0x261D5190); // 3.03380607434824582924e+01
const SB2 = fromWords(0x40745CAE, 0x221B9F0A); // 3.25792512996573918826e+02
const SB3 = fromWords(0x409802EB, 0x189D5118); // 1.53672958608443695994e+03
const SB4 = fromWords(0x40A8FFB7, 0x688C246A); // 3.19985821950859553908e+03
const SB5 = fromWords(0x40A3F219, 0xCEDF3BE6); // 2.55305040643316442583e+03
const SB6 = fromWords(0x407DA874, 0xE79FE763); // 4.74528541206955367215e+02
const SB7 = fromWords(0xC03670E2, 0x42712D62); // -2.24409524465858183362e+01

const TINY: number = 1e-300;
const SQRT_PI: number = 1.7724538509055160273; // sqrt(pi)
const INV_SQRT_PI: number = 0.56418958354775628695; // 1/sqrt(pi)
const INV_SQRT2: number = 0.70710678118654752440; // 1/sqrt(2)
const INV_SQRT_2PI: number = 0.39894228040143267794; // 1/sqrt(2 pi)
const SQRT_HALF_PI: number = 1.2533141373155002512; // sqrt(pi/2)



/** musl's R/S rational approximation of log(x erfc(x)) + x^2 + 0.5625 for 1.25 <= |x| < 28. */
function erfcTailRatio(ax: number, ix: number): number {
  const s = 1.0 / (ax * ax);
  let R: number, S: number;
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
export function erfc(x: number): number {
  const hx = highWord(x);
  const ix = hx & 0x7fffffff;
  if (ix >= 0x7ff00000) {
    // erfc(nan) = nan, erfc(+inf) = 0, erfc(-inf) = 2
    return ((hx >>> 31) << 1) + 1.0 / x;
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
export function expNegHalfSquare(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.0) return Math.exp(-0.5 * ax * ax);
  // Past sqrt(2 * 745.2) the result is below the smallest subnormal (and the split below would overflow).
  if (!(ax < 38.6)) return ax === ax ? 0.0 : ax;
  // Clearing the low 27 bits leaves 26 significant bits, so xh*xh is exact in a double.
  const xh = splitHigh26(ax);
  const xl = ax - xh;
  // d = -xl (ax + xh)/2 is below 2^-26 ax^2 < 3e-5 in magnitude wherever the result is a normal number, so
  // e^d = 1 + d(1 + d/2(1 + d/3(1 + d/4))) to 1e-22: one exp instead of two.
  const d = -0.5 * xl * (ax + xh);
  return Math.exp(-0.5 * xh * xh) * (1.0 + d * (1.0 + 0.5 * d * (1.0 + (d / 3.0) * (1.0 + 0.25 * d))));
}

/** Scaled complementary error function erfcx(x) = exp(x^2) erfc(x), finite and accurate for every x > -26. */
export function erfcx(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x >= 1.25) {
    if (x < 28.0) return Math.exp(erfcTailRatio(x, highWord(x)) - 0.5625) / x;
    if (x == Infinity) return 0.0;
    // Asymptotic series in w = 1/(2x^2); alternating, truncated at the first term below 2^-56 of the sum.
    const w = 0.5 / (x * x);
    let term: number = 1.0;
    let sum: number = 1.0;
    for (let n = 1; n <= 12; n++) {
      term *= -((2 * n - 1)) * w;
      sum += term;
      if (Math.abs(term) < 1.4e-17 * sum) break;
    }
    return sum * INV_SQRT_PI / x;
  }
  if (x >= -0.5) return Math.exp(x * x) * erfc(x);
  // x < -0.5: erfc(x) = 2 - erfc(-x), so erfcx(x) = 2 exp(x^2) - erfcx(-x); exp(x^2) on the exact split.
  if (x < -26.7) return Infinity;
  const ax = -x;
  const xh = splitHigh26(ax);
  const xl = ax - xh;
  const e2 = Math.exp(xh * xh) * Math.exp(xl * (ax + xh));
  return 2.0 * e2 - erfcx(ax);
}

/** Standard normal density phi(x). */
export function normPdf(x: number): number {
  return INV_SQRT_2PI * expNegHalfSquare(x);
}

/** Standard normal distribution function Phi(x), with full relative accuracy in the lower tail. */
export function normCdf(x: number): number {
  if (x < -1.7677669529663688) {
    // -x/sqrt2 > 1.25: the erfcx branch. Below -38.5 the value underflows to 0 (the true Phi(-38.5) < 2^-1074).
    if (x < -38.5) return 0.0;
    return 0.5 * erfcx(-x * INV_SQRT2) * expNegHalfSquare(x);
  }
  return 0.5 * erfc(-x * INV_SQRT2);
}

/** Y(h) = Phi(h)/phi(h), the normal Mills-ratio function used by the normalised Black formula. */
export function millsY(h: number): number {
  return SQRT_HALF_PI * erfcx(-h * INV_SQRT2);
}

/** Inverse of the standard normal distribution function, Wichura's AS 241 (PPND16). p outside (0,1) gives NaN/±Inf. */
export function normInv(p: number): number {
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
  let value: number;
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
