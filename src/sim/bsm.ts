/**
 * Black–Scholes–Merton for the simulator's option chains. The simulator prices from a known smile so tests
 * can recover it; the production pricer is the WebAssembly kernel family, this is only the data generator.
 * Conventions follow DESIGN.md: time in years (ACT/365), continuous rates, vol as a decimal.
 */

/** Standard normal CDF via the complementary error function (W. J. Cody's rational erfc is overkill here;
 *  Abramowitz & Stegun 7.1.26 has |error| < 1.5e-7, ample for synthetic quotes rounded to cents). */
export function normCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erfc = poly * Math.exp(-z * z);
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

export function normPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

export interface BsmInput {
  spot: number;
  strike: number;
  years: number;
  rate: number;
  dividendYield: number;
  vol: number;
  isCall: boolean;
}

export interface BsmOutput {
  price: number;
  delta: number;
  gamma: number;
  /** Per 1.00 of vol. */
  vega: number;
  /** Per year of calendar time. */
  theta: number;
  /** Per 1.00 of rate. */
  rho: number;
}

/** Black (1976) on the forward F = S·e^{(r−q)T}, discounted by e^{−rT}; Hull, Options, Futures and Other
 *  Derivatives, ch. 17–19 for the Greeks. */
export function bsm(input: BsmInput): BsmOutput {
  const { spot, strike, years, rate, dividendYield, vol, isCall } = input;
  const sd = vol * Math.sqrt(years);
  const df = Math.exp(-rate * years);
  const dq = Math.exp(-dividendYield * years);
  const forward = spot * Math.exp((rate - dividendYield) * years);
  const d1 = (Math.log(forward / strike) + 0.5 * sd * sd) / sd;
  const d2 = d1 - sd;
  const sign = isCall ? 1 : -1;
  const price = df * sign * (forward * normCdf(sign * d1) - strike * normCdf(sign * d2));
  const delta = sign * dq * normCdf(sign * d1);
  const gamma = (dq * normPdf(d1)) / (spot * sd);
  const vega = spot * dq * normPdf(d1) * Math.sqrt(years);
  const theta =
    (-spot * dq * normPdf(d1) * vol) / (2 * Math.sqrt(years)) -
    sign * rate * strike * df * normCdf(sign * d2) +
    sign * dividendYield * spot * dq * normCdf(sign * d1);
  const rho = sign * strike * years * df * normCdf(sign * d2);
  return { price, delta, gamma, vega, theta, rho };
}

/** Black (1976), undiscounted: the forward price of an option on F struck at K with total standard deviation sd = σ√T. */
export function black76(forward: number, strike: number, sd: number, isCall: boolean): number {
  const sign = isCall ? 1 : -1;
  if (!(sd > 0)) return Math.max(sign * (forward - strike), 0);
  const d1 = (Math.log(forward / strike) + 0.5 * sd * sd) / sd;
  return sign * (forward * normCdf(sign * d1) - strike * normCdf(sign * (d1 - sd)));
}
