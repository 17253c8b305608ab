// Raw SVI w(k) = a + b(rho(k - m) + sqrt((k - m)^2 + sigma^2)), its derivatives, and the butterfly function
// g(k) = (1 - k w'/(2w))^2 - (w'^2/4)(1/w + 1/4) + w''/2 (Gatheral & Jacquier 2014, eq. (2.1) and
// Lemma 2.2). Only +, -, *, / and sqrt: bit-identical to the TypeScript reference on every platform.

@inline function ld(ptr: usize, i: i32): f64 {
  return load<f64>(ptr + (<usize>i << 3));
}

@inline function st(ptr: usize, i: i32, v: f64): void {
  store<f64>(ptr + (<usize>i << 3), v);
}

export function rawW(a: f64, b: f64, rho: f64, m: f64, sigma: f64, k: f64): f64 {
  const x = k - m;
  return a + b * (rho * x + sqrt<f64>(x * x + sigma * sigma));
}

/** g(k); NaN where w(k) <= 0. */
export function rawG(a: f64, b: f64, rho: f64, m: f64, sigma: f64, k: f64): f64 {
  const x = k - m;
  const r = sqrt<f64>(x * x + sigma * sigma);
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
    const ki = ld(kPtr, i);
    const x = ki - m;
    const r = sqrt<f64>(x * x + s2);
    const w = a + b * (rho * x + r);
    const w1 = b * (rho + x / r);
    const w2 = (b * s2) / (r * r * r);
    st(outW, i, w);
    st(outW1, i, w1);
    st(outW2, i, w2);
    if (w > 0) {
      const u = 1 - (ki * w1) / (2 * w);
      st(outG, i, u * u - ((w1 * w1) / 4) * (1 / w + 0.25) + w2 / 2);
    } else {
      st(outG, i, NaN);
    }
  }
  return 0;
}
