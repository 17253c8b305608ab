/**
 * The option family of the kernel façade: BSM prices and Greeks, implied volatility, batch and
 * object-per-option forms, on whichever engine the façade was created with.
 */
import { KernelError } from "../domain/errors.ts";
import { statusName } from "./abi/status-name.ts";
import { impliedVolForward, type ForwardIvBatch, type ForwardIvResult } from "./implied-vol-forward.ts";
import {
  BSM_STATUS_NAMES, IV_STATUS_NAMES, type BsmBatch, type BsmPrices, type BsmResult, type BsmStatusName, type ImpliedVolOutcome,
  type IvBatch, type IvResult, type IvStatusName, type OptionEngine, type OptionGreeks, type OptionQuote, type OptionSpec,
} from "./types.ts";

export interface OptionFamily {
  /**
   * Prices and the eight Greeks of a batch (struct of arrays; scalars broadcast). `out`: an earlier result of
   * the same length to overwrite instead of allocating (repeated large batches).
   */
  bsm(batch: BsmBatch, out?: BsmResult): BsmResult;
  /** Prices only: cheaper when the Greeks are not needed. */
  bsmPrice(batch: BsmBatch, out?: BsmPrices): BsmPrices;
  /** Implied vols of a batch, with a status per row. */
  impliedVol(batch: IvBatch, out?: IvResult): IvResult;
  /** One option as an object (convenience for small inputs). */
  bsmOne(option: OptionSpec): OptionGreeks;
  /** A few options as objects. */
  bsmOptions(options: readonly OptionSpec[]): OptionGreeks[];
  impliedVolOne(quote: OptionQuote): ImpliedVolOutcome;
  /**
   * Implied vols on the forward (Black-76: price, forward, strike, t, discount factor), with statuses the kernel
   * cannot know first (implied-vol-forward.ts): the path options_iv is stored with and `implied_vol_fwd` runs.
   */
  impliedVolForward(batch: ForwardIvBatch): ForwardIvResult;
  impliedVolQuotes(quotes: readonly OptionQuote[]): ImpliedVolOutcome[];
}

// A status code the ABI does not define is a KernelError (statusName), never a default name.
function bsmStatusName(code: number | undefined): BsmStatusName {
  return statusName(BSM_STATUS_NAMES, code ?? -1, "bsmBatch");
}

function ivStatusName(code: number | undefined): IvStatusName {
  return statusName(IV_STATUS_NAMES, code ?? -1, "impliedVolBatch");
}

function only<T>(rows: readonly T[]): T {
  const row = rows[0];
  if (row === undefined) throw new KernelError("kernel_internal", "a one-row batch returned no row");
  return row;
}

export function optionFamily(engine: OptionEngine): OptionFamily {
  function bsmOptions(options: readonly OptionSpec[]): OptionGreeks[] {
    const r = engine.bsm({
      spot: options.map((o) => o.spot), strike: options.map((o) => o.strike), t: options.map((o) => o.t),
      rate: options.map((o) => o.rate), div: options.map((o) => o.div), vol: options.map((o) => o.vol),
      isCall: options.map((o) => o.type === "call"),
    });
    return options.map((_, i) => ({
      price: r.price[i] ?? NaN, delta: r.delta[i] ?? NaN, gamma: r.gamma[i] ?? NaN, vega: r.vega[i] ?? NaN,
      theta: r.theta[i] ?? NaN, rho: r.rho[i] ?? NaN, vanna: r.vanna[i] ?? NaN, volga: r.volga[i] ?? NaN,
      charm: r.charm[i] ?? NaN, status: bsmStatusName(r.status[i]),
    }));
  }

  function impliedVolQuotes(quotes: readonly OptionQuote[]): ImpliedVolOutcome[] {
    const r = engine.impliedVol({
      price: quotes.map((o) => o.price), spot: quotes.map((o) => o.spot), strike: quotes.map((o) => o.strike),
      t: quotes.map((o) => o.t), rate: quotes.map((o) => o.rate), div: quotes.map((o) => o.div),
      isCall: quotes.map((o) => o.type === "call"),
    });
    return quotes.map((_, i) => ({ vol: r.vol[i] ?? NaN, status: ivStatusName(r.status[i]) }));
  }

  return {
    bsm: (batch, out) => engine.bsm(batch, out),
    bsmPrice: (batch, out) => engine.bsmPrice(batch, out),
    impliedVol: (batch, out) => engine.impliedVol(batch, out),
    bsmOptions,
    bsmOne: (option) => only(bsmOptions([option])),
    impliedVolQuotes,
    impliedVolOne: (quote) => only(impliedVolQuotes([quote])),
    impliedVolForward: (batch) => impliedVolForward({ impliedVol: (b, out) => engine.impliedVol(b, out) }, batch),
  };
}
