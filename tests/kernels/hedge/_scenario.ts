/**
 * Random but valid hedging scenarios (seeded): per-path books with staggered entries and exits, expiries inside
 * and beyond the horizon, irregular time steps, moving rates, vols and marks. Each scenario is given both as the
 * façade's HedgeInput and as the oracle's per-path legs and steps.
 */
import type { HedgeInput, HedgeParamsInput } from "../../../src/kernels/hedge/index.ts";
import { mulberry32 } from "../../../src/sim/random.ts";
import type { OracleLeg, OracleStep } from "./_oracle.ts";
import { bsm, gaussianStream } from "./_world.ts";

export interface Scenario {
  readonly input: HedgeInput;
  readonly params: HedgeParamsInput;
  readonly legs: OracleLeg[][];
  readonly steps: OracleStep[][];
}

export function randomScenario(seed: number, paths: number, steps: number, nLegs: number, params: HedgeParamsInput, markFromPrice: boolean): Scenario {
  const u = mulberry32(seed);
  const z = gaussianStream(seed + 1);
  const legs: OracleLeg[][] = [];
  const allSteps: OracleStep[][] = [];
  const spot = new Float64Array(paths * steps);
  const time = new Float64Array(paths * steps);
  const rate = Float64Array.from({ length: steps }, (_, k) => 0.02 + 0.01 * Math.sin(k / 7));
  const div = Float64Array.from({ length: paths }, () => 0.03 * u());
  const borrow = Float64Array.from({ length: paths }, () => [30, 300, 2500][Math.floor(3 * u())] ?? 30);
  const vol = Array.from({ length: nLegs }, () => new Float64Array(paths * steps));
  const mark = Array.from({ length: nLegs }, () => new Float64Array(paths * steps));
  const halfSpread = Array.from({ length: nLegs }, () => 0.02 + 0.05 * u());
  const book = {
    strike: new Float64Array(paths * nLegs), expiry: new Float64Array(paths * nLegs), isCall: new Int32Array(paths * nLegs),
    quantity: new Float64Array(paths * nLegs), entryPrice: new Float64Array(paths * nLegs),
    entryStep: new Int32Array(paths * nLegs), exitStep: new Int32Array(paths * nLegs), perPath: true,
  };
  for (let p = 0; p < paths; p++) {
    const pathLegs: OracleLeg[] = [];
    for (let l = 0; l < nLegs; l++) {
      const entryStep = l === 0 ? 0 : Math.floor(u() * steps * 0.6);
      const exitStep = u() < 0.4 ? Math.min(steps - 1, entryStep + 1 + Math.floor(u() * steps * 0.5)) : -1;
      const leg: OracleLeg = {
        strike: 80 + 40 * u(),
        expiry: (steps / 365) * (0.3 + 1.5 * u()),
        isCall: u() < 0.5,
        quantity: l === nLegs - 1 && u() < 0.3 ? 0 : Math.round((u() - 0.5) * 40) || 5,
        entryPrice: u() < 0.5 ? Number.NaN : 0.5 + 8 * u(),
        entryStep,
        exitStep,
      };
      pathLegs.push(leg);
      const at = p * nLegs + l;
      book.strike[at] = leg.strike;
      book.expiry[at] = leg.expiry;
      book.isCall[at] = leg.isCall ? 1 : 0;
      book.quantity[at] = leg.quantity;
      book.entryPrice[at] = leg.entryPrice;
      book.entryStep[at] = leg.entryStep;
      book.exitStep[at] = leg.exitStep;
    }
    legs.push(pathLegs);
    const pathSteps: OracleStep[] = [];
    let s = 100, t = 0;
    const v = Array.from({ length: nLegs }, () => 0.15 + 0.2 * u());
    for (let k = 0; k < steps; k++) {
      if (k > 0) {
        const dt = (0.5 + 1.5 * u()) / 365;
        t += dt;
        s *= Math.exp(0.3 * Math.sqrt(dt) * z());
        for (let l = 0; l < nLegs; l++) v[l] = Math.max(0.05, (v[l] ?? 0.2) + 0.01 * z());
      }
      const at = p * steps + k;
      spot[at] = s;
      time[at] = t;
      const stepVol: number[] = [];
      const stepMark: number[] = [];
      for (let l = 0; l < nLegs; l++) {
        const leg = pathLegs[l];
        const volNow = v[l] ?? 0.2;
        const tau = (leg?.expiry ?? 0) - t;
        const fair = leg && tau > 0 ? bsm(s, leg.strike, tau, rate[k] ?? 0, div[p] ?? 0, volNow, leg.isCall).price : 0;
        const markNow = fair * (1 + 0.01 * z());
        const volCol = vol[l];
        const markCol = mark[l];
        if (volCol) volCol[at] = volNow;
        if (markCol) markCol[at] = markNow;
        stepVol.push(volNow);
        stepMark.push(markNow);
      }
      pathSteps.push({
        spot: s, time: t, rate: rate[k] ?? 0, div: div[p] ?? 0, borrowBps: borrow[p] ?? 0, vol: stepVol,
        mark: markFromPrice ? stepMark : undefined, halfSpread,
      });
    }
    allSteps.push(pathSteps);
  }
  const input: HedgeInput = {
    paths, steps, book,
    spot: { perPathStep: spot }, time: { perPathStep: time }, rate: { perStep: rate }, div: { perPath: div },
    borrowBps: { perPath: borrow },
    vol: { perLeg: vol.map((values) => ({ perPathStep: values })) },
    ...(markFromPrice ? { mark: { perLeg: mark.map((values) => ({ perPathStep: values })) } } : {}),
    halfSpread: { perLeg: halfSpread },
  };
  return { input, params, legs, steps: allSteps };
}
