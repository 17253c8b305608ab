/**
 * `trademl calc bsm` and `trademl calc iv`: one option priced with its Greeks, or its implied volatility, as a
 * table or JSON. A thin adapter over createKernels (src/kernels/index.ts), loaded lazily.
 */
import { DataError, UsageError } from "../../domain/errors.ts";
import type { CliContext, CommandOptions } from "../context.ts";
import type { GroupSpec } from "../group.ts";
import { jsonText } from "../json.ts";
import { enumOption, flagOption, numberOption, stringOption } from "../option-parsers.ts";

function optionType(options: CommandOptions): "call" | "put" {
  const text = stringOption(options, "type")?.toLowerCase();
  const type = enumOption(text === undefined ? {} : { type: text }, "type", ["call", "put", "c", "p"], "call");
  return type === "put" || type === "p" ? "put" : "call";
}

function engineOption(options: CommandOptions): "wasm" | "ts" {
  return enumOption(options, "engine", ["wasm", "ts"], "wasm");
}

/** The checks the kernels make, made first so the error names the flag (`--spot must be > 0`). */
const POSITIVE = { greaterThan: 0 };
const NON_NEGATIVE = { min: 0 };

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return v === 0 ? "0" : Math.abs(v) >= 1e-4 && Math.abs(v) < 1e9 ? v.toPrecision(10).replace(/\.?0+$/, "") : v.toExponential(9);
}

function table(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n")}\n`;
}

async function calcBsm(_args: readonly string[], options: CommandOptions, ctx: CliContext): Promise<number> {
  const input = {
    spot: numberOption(options, "spot", POSITIVE),
    strike: numberOption(options, "strike", POSITIVE),
    t: numberOption(options, "t", NON_NEGATIVE),
    rate: numberOption(options, "rate", { default: 0 }),
    div: numberOption(options, "div", { default: 0 }),
    vol: numberOption(options, "vol", NON_NEGATIVE),
    type: optionType(options),
  };
  const { createKernels } = await import("../../kernels/index.ts");
  const kernels = await createKernels({ engine: engineOption(options) });
  const out = kernels.bsmOne(input);
  if (out.status === "out_of_range") {
    throw new DataError("bsm_out_of_range", "the result does not fit a double (check rate * t and the scale of the inputs)");
  }
  if (out.status !== "ok") {
    throw new UsageError("invalid_option", "spot and strike must be > 0, t and vol >= 0, every input finite");
  }
  if (flagOption(options, "json")) {
    ctx.out(jsonText({ input, ...out }));
    return 0;
  }
  const { status: _status, ...greeks } = out;
  ctx.out(table([
    ["option", `${input.type} S=${input.spot} K=${input.strike} T=${input.t} r=${input.rate} q=${input.div} vol=${input.vol}`],
    ...Object.entries(greeks).map(([k, v]) => [k, formatNumber(v)] as const),
  ]));
  return 0;
}

async function calcIv(_args: readonly string[], options: CommandOptions, ctx: CliContext): Promise<number> {
  const input = {
    price: numberOption(options, "price"),
    spot: numberOption(options, "spot", POSITIVE),
    strike: numberOption(options, "strike", POSITIVE),
    t: numberOption(options, "t", POSITIVE),
    rate: numberOption(options, "rate", { default: 0 }),
    div: numberOption(options, "div", { default: 0 }),
    type: optionType(options),
  };
  const { createKernels } = await import("../../kernels/index.ts");
  const kernels = await createKernels({ engine: engineOption(options) });
  const out = kernels.impliedVolOne(input);
  if (out.status === "invalid_input") {
    throw new UsageError("invalid_option", "spot and strike must be > 0, t > 0, every input finite");
  }
  if (out.status !== "ok") {
    const why = {
      below_intrinsic: "the price is below the option's intrinsic value",
      above_maximum: "the price is at or above the no-arbitrage upper bound (the discounted forward for a call, strike for a put)",
      no_convergence: "the time value is too small to determine a volatility",
    }[out.status];
    throw new DataError(`iv_${out.status}`, `no implied volatility: ${why}`);
  }
  if (flagOption(options, "json")) {
    ctx.out(jsonText({ input, ...out }));
    return 0;
  }
  ctx.out(table([
    ["option", `${input.type} price=${input.price} S=${input.spot} K=${input.strike} T=${input.t} r=${input.rate} q=${input.div}`],
    ["vol", formatNumber(out.vol)],
    ["status", out.status],
  ]));
  return 0;
}

export const calcCommand: GroupSpec = {
  name: "calc",
  summary: "Price one option and its Greeks, or solve its implied volatility",
  options: [
    { flags: "--spot <spot>", description: "spot price (> 0)" },
    { flags: "--strike <strike>", description: "strike (> 0)" },
    { flags: "--t <years>", description: "time to expiry in years, ACT/365" },
    { flags: "--rate <rate>", description: "continuously compounded rate, decimal (default 0); may be negative" },
    { flags: "--div <yield>", description: "continuous dividend yield, decimal (default 0)" },
    { flags: "--vol <vol>", description: "volatility, decimal (bsm)" },
    { flags: "--price <price>", description: "option price (iv)" },
    { flags: "--type <type>", description: "call or put (default call)" },
    { flags: "--engine <engine>", description: "wasm (default) or ts, the same kernels compiled to JavaScript" },
    { flags: "--json", description: "print JSON instead of a table (an infinite Greek, e.g. gamma at t = 0, as \"Infinity\")" },
  ],
  actions: {
    bsm: {
      summary: "Black-Scholes-Merton price and Greeks",
      options: ["spot", "strike", "t", "rate", "div", "vol", "type", "engine", "json"],
      run: calcBsm,
    },
    iv: {
      summary: "Implied volatility from a price (Let's Be Rational)",
      options: ["price", "spot", "strike", "t", "rate", "div", "type", "engine", "json"],
      run: calcIv,
    },
  },
  examples: [
    "trademl calc bsm --spot 100 --strike 105 --t 0.5 --rate 0.03 --div 0.01 --vol 0.25 --type call",
    "trademl calc iv --price 4.2 --spot 100 --strike 105 --t 0.5 --rate 0.03 --div 0.01 --type call --json",
  ],
};
