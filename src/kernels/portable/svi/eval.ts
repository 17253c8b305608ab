// Raw SVI w(k) = a + b(rho(k - m) + sqrt((k - m)^2 + sigma^2)), its derivatives, and the butterfly function
// g(k) = (1 - k w'/(2w))^2 - (w'^2/4)(1/w + 1/4) + w''/2 (Gatheral & Jacquier 2014, eq. (2.1) and
// Lemma 2.2). Only +, -, *, / and sqrt, all correctly rounded: both builds give the same bits on every platform.
// Written once for both builds (docs/kernels.md, "Writing a kernel once").
import { loadF64, storeF64 } from "../memory.ts";

export function rawW(a: f64, b: f64, rho: f64, m: f64, sigma: f64, k: f64): f64 {
  const x = k - m;
  return a + b * (rho * x + Math.sqrt(x * x + sigma * sigma));
}

/** g(k); NaN where w(k) <= 0. */
export function rawG(a: f64, b: f64, rho: f64, m: f64, sigma: f64, k: f64): f64 {
  const x = k - m;
  const r = Math.sqrt(x * x + sigma * sigma);
  const w = a + b * (rho * x + r);
  if (!(w > 0)) return NaN;
  const w1 = b * (rho + x / r);
  const w2 = (b * sigma * sigma) / (r * r * r);
  const u = 1 - (k * w1) / (2 * w);
  return u * u - ((w1 * w1) / 4) * (1 / w + 0.25) + w2 / 2;
}

/** Writes w, w', w'' and g for n log-moneyness values (struct of arrays); returns 0. */
export function sviEval(
  a: f64, b: f64, rho: f64, m: f64, sigma: f64,
  kPtr: usize, n: i32, outW: usize, outW1: usize, outW2: usize, outG: usize,
): i32 {
  const s2 = sigma * sigma;
  for (let i = 0; i < n; i++) {
    const ki = loadF64(kPtr, i);
    const x = ki - m;
    const r = Math.sqrt(x * x + s2);
    const w = a + b * (rho * x + r);
    const w1 = b * (rho + x / r);
    const w2 = (b * s2) / (r * r * r);
    storeF64(outW, i, w);
    storeF64(outW1, i, w1);
    storeF64(outW2, i, w2);
    if (w > 0) {
      const u = 1 - (ki * w1) / (2 * w);
      storeF64(outG, i, u * u - ((w1 * w1) / 4) * (1 / w + 0.25) + w2 / 2);
    } else {
      storeF64(outG, i, NaN);
    }
  }
  return 0;
}
