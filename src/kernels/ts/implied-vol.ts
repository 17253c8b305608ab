// Pure-TypeScript twin of assembly/iv/index.ts: spot-form inputs normalised for Let's Be Rational.
import { impliedNormalisedVolatility, lastSolveStatus } from "./lets-be-rational.ts";

/** sigma for one option and its status code (IV_STATUS in ../types.ts). */
export function impliedVolRow(
  price: number, S: number, K: number, T: number, r: number, q: number, isCall: boolean,
): { vol: number; status: number } {
  const valid = S > 0 && S < Infinity && K > 0 && K < Infinity && T > 0 && T < Infinity &&
    Math.abs(r) < Infinity && Math.abs(q) < Infinity && !Number.isNaN(price) && price < Infinity;
  if (!valid) return { vol: Number.NaN, status: 4 };
  const x = Math.log(S / K) + (r - q) * T;
  // DF K e^{x/2} with one exp: rounding -rT + x/2 costs a few ulps of the scale, far below the solver's accuracy.
  const scale = K * Math.exp(0.5 * x - r * T);
  const s = impliedNormalisedVolatility(price / scale, x, isCall ? 1 : -1);
  const status = lastSolveStatus();
  return { vol: status === 0 ? s / Math.sqrt(T) : Number.NaN, status };
}
