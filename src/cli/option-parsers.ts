/**
 * Shared parsers for command options: numbers, integers, dates, enums, strings and flags. Every command reads its
 * options through these, so one flag means one thing everywhere and every error names the flag.
 *
 * The values arrive as the text the user typed: `src/cli/argv.ts` keeps the raw text of every value option and
 * `src/cli/group.ts` hands it to the command, so `0x10` is refused here instead of silently becoming 16 (cac's
 * parser, mri, converts anything `Number()` accepts).
 */
import { UsageError } from "../domain/errors.ts";
import type { CommandOptions } from "./context.ts";

/** Decimal numbers only: an optional sign, digits with an optional fraction, an optional exponent. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface NumberRule {
  /** Inclusive lower bound. */
  readonly min?: number;
  /** Inclusive upper bound. */
  readonly max?: number;
  /** Exclusive lower bound (`--spot must be > 0`). */
  readonly greaterThan?: number;
  /** Exclusive upper bound. */
  readonly lessThan?: number;
  /** Used when the option is absent; without it the option is required. */
  readonly default?: number;
}

/** `tradingDays` → `--trading-days`: the flag as the user typed it (cac camel-cases option names). */
export function flagName(name: string): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The option's text, undefined when absent; a repeated option or a flag without its value is an error. */
export function stringOption(options: CommandOptions, name: string): string | undefined {
  const raw = options[name];
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) throw new UsageError("repeated_option", `${flagName(name)} may be given only once`);
  if (typeof raw === "boolean") throw new UsageError("missing_value", `${flagName(name)} needs a value`);
  if (typeof raw !== "string" && typeof raw !== "number") {
    throw new UsageError("bad_option", `${flagName(name)} has an unreadable value`);
  }
  return String(raw);
}

/** The option's text; an error naming the flag when it is absent. */
export function requiredString(options: CommandOptions, name: string, what = "a value"): string {
  const text = stringOption(options, name);
  if (text === undefined || text === "") throw new UsageError("missing_option", `${flagName(name)} is required (${what})`);
  return text;
}

/** A boolean flag (`--json`); a value given to it (`--json=yes`) is an error rather than silently true. */
export function flagOption(options: CommandOptions, name: string): boolean {
  const raw = options[name];
  if (raw === undefined || raw === false) return false;
  if (raw === true) return true;
  throw new UsageError("bad_option", `${flagName(name)} takes no value`);
}

function checkBounds(name: string, value: number, rule: NumberRule): number {
  const flag = flagName(name);
  if (rule.greaterThan !== undefined && !(value > rule.greaterThan)) {
    throw new UsageError("out_of_range", `${flag} must be > ${rule.greaterThan}, not ${value}`);
  }
  if (rule.lessThan !== undefined && !(value < rule.lessThan)) {
    throw new UsageError("out_of_range", `${flag} must be < ${rule.lessThan}, not ${value}`);
  }
  if (rule.min !== undefined && value < rule.min) throw new UsageError("out_of_range", `${flag} must be >= ${rule.min}, not ${value}`);
  if (rule.max !== undefined && value > rule.max) throw new UsageError("out_of_range", `${flag} must be <= ${rule.max}, not ${value}`);
  return value;
}

/** Parses decimal text into a finite number; `what` names the flag or field in the error. */
export function parseDecimal(text: string, what: string): number {
  const value = DECIMAL.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(value)) throw new UsageError("bad_number", `${what} must be a finite decimal number, not "${text}"`);
  return value;
}

/** An optional number: undefined when absent, else a finite decimal within the rule's bounds. */
export function optionalNumber(options: CommandOptions, name: string, rule: NumberRule = {}): number | undefined {
  const text = stringOption(options, name);
  if (text === undefined) return rule.default;
  return checkBounds(name, parseDecimal(text, flagName(name)), rule);
}

/** A number option; required unless the rule gives a default. */
export function numberOption(options: CommandOptions, name: string, rule: NumberRule = {}): number {
  const value = optionalNumber(options, name, rule);
  if (value === undefined) throw new UsageError("missing_option", `${flagName(name)} is required (a number)`);
  return value;
}

/** An optional integer (decimal digits only, within the safe-integer range). */
export function optionalInteger(options: CommandOptions, name: string, rule: NumberRule = {}): number | undefined {
  const text = stringOption(options, name);
  if (text === undefined) return rule.default;
  const value = DECIMAL.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value)) throw new UsageError("bad_integer", `${flagName(name)} must be an integer, not "${text}"`);
  return checkBounds(name, value, rule);
}

/** An integer option; required unless the rule gives a default. */
export function integerOption(options: CommandOptions, name: string, rule: NumberRule = {}): number {
  const value = optionalInteger(options, name, rule);
  if (value === undefined) throw new UsageError("missing_option", `${flagName(name)} is required (an integer)`);
  return value;
}

/** A calendar date as YYYY-MM-DD (a real day: 2023-02-29 is refused), or undefined when absent. */
export function dateOption(options: CommandOptions, name: string): string | undefined {
  const text = stringOption(options, name);
  if (text === undefined) return undefined;
  const match = ISO_DATE.exec(text);
  const [year, month, day] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [NaN, NaN, NaN];
  const probe = new Date(Date.UTC(year, month - 1, day));
  const real = match !== null && probe.getUTCFullYear() === year && probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
  if (!real) throw new UsageError("bad_date", `${flagName(name)} must be a date as YYYY-MM-DD, not "${text}"`);
  return text;
}

/** One of a fixed set of words; the fallback when absent. */
export function enumOption<T extends string>(options: CommandOptions, name: string, values: readonly T[], fallback: T): T {
  const text = stringOption(options, name);
  if (text === undefined) return fallback;
  const found = values.find((value) => value === text);
  if (found === undefined) throw new UsageError("bad_choice", `${flagName(name)} must be one of ${values.join(", ")}, not "${text}"`);
  return found;
}
