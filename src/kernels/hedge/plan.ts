/**
 * Checks a HedgeInput's shapes and turns its series into the forms the kernel reads: every column has a kind
 * (scalar, per step, per path, per path and step) that fixes its strides, and the legs of one leg column share a
 * kind (a narrower leg is widened), so one pointer and a leg stride address them all. A length that does not match
 * its kind is the caller's bug and fails loudly.
 */
import { DataError, UsageError } from "../../domain/errors.ts";
import type { HedgeBook, HedgeInput, LegSeries, StepSeries } from "./types.ts";

export type SeriesKind = "scalar" | "step" | "path" | "pathStep";

export interface PlannedSeries {
  readonly kind: SeriesKind;
  /** 1, nSteps, nPaths or nPaths x nSteps values. */
  readonly values: ArrayLike<number>;
}

export interface PlannedLegSeries {
  readonly kind: SeriesKind;
  /** One array per leg, each of the kind's length. */
  readonly legs: readonly ArrayLike<number>[];
}

export interface PlannedBook {
  readonly perPath: boolean;
  readonly strike: ArrayLike<number>;
  readonly expiry: ArrayLike<number>;
  readonly isCall: ArrayLike<boolean | number>;
  readonly quantity: ArrayLike<number>;
  readonly entryPrice: ArrayLike<number> | undefined;
  readonly entryStep: ArrayLike<number> | undefined;
  readonly exitStep: ArrayLike<number> | undefined;
}

export interface HedgePlan {
  readonly paths: number;
  readonly steps: number;
  readonly legs: number;
  readonly book: PlannedBook;
  readonly spot: PlannedSeries;
  readonly time: PlannedSeries;
  readonly rate: PlannedSeries;
  readonly div: PlannedSeries;
  readonly borrow: PlannedSeries | undefined;
  readonly vol: PlannedLegSeries;
  readonly mark: PlannedLegSeries | undefined;
  readonly halfSpread: PlannedLegSeries | undefined;
}

/** Values per path of a kind (0 when shared by every path). */
export function perPathLength(kind: SeriesKind, steps: number): number {
  return kind === "pathStep" ? steps : kind === "path" ? 1 : 0;
}

function lengthOf(kind: SeriesKind, paths: number, steps: number): number {
  switch (kind) {
    case "scalar": return 1;
    case "step": return steps;
    case "path": return paths;
    case "pathStep": return paths * steps;
  }
}

function planSeries(series: StepSeries, name: string, paths: number, steps: number): PlannedSeries {
  let planned: PlannedSeries;
  if (typeof series === "number") planned = { kind: "scalar", values: [series] };
  else if ("perStep" in series) planned = { kind: "step", values: series.perStep };
  else if ("perPath" in series) planned = { kind: "path", values: series.perPath };
  else planned = { kind: "pathStep", values: series.perPathStep };
  const want = lengthOf(planned.kind, paths, steps);
  if (planned.values.length !== want) {
    throw new DataError("batch_shape_mismatch", `hedge: "${name}" (${planned.kind}) has ${planned.values.length} values, expected ${want}`);
  }
  return planned;
}

/** The narrowest kind that can hold every kind of `kinds`. */
function widest(kinds: readonly SeriesKind[]): SeriesKind {
  const set = new Set(kinds);
  set.delete("scalar");
  if (set.size === 0) return "scalar";
  if (set.size === 1) return [...set][0] ?? "pathStep";
  return "pathStep";
}

/** `series` written out as `kind` (a wider or equal kind). */
function widen(series: PlannedSeries, kind: SeriesKind, paths: number, steps: number): ArrayLike<number> {
  if (series.kind === kind) return series.values;
  const out = new Float64Array(lengthOf(kind, paths, steps));
  const v = series.values;
  for (let p = 0; p < (kind === "step" ? 1 : paths); p++) {
    for (let k = 0; k < (kind === "path" ? 1 : steps); k++) {
      const value = series.kind === "scalar" ? v[0] : series.kind === "step" ? v[k] : series.kind === "path" ? v[p] : v[p * steps + k];
      out[kind === "step" ? k : kind === "path" ? p : p * steps + k] = value ?? Number.NaN;
    }
  }
  return out;
}

function planLegSeries(series: LegSeries, name: string, paths: number, steps: number, legs: number): PlannedLegSeries {
  if (typeof series === "object" && "perLeg" in series) {
    if (series.perLeg.length !== legs) {
      throw new DataError("batch_shape_mismatch", `hedge: "${name}" has ${series.perLeg.length} legs, the book ${legs}`);
    }
    const planned = series.perLeg.map((s, l) => planSeries(s, `${name}[${l}]`, paths, steps));
    const kind = widest(planned.map((s) => s.kind));
    return { kind, legs: planned.map((s) => widen(s, kind, paths, steps)) };
  }
  const one = planSeries(series, name, paths, steps);
  return { kind: one.kind, legs: Array.from({ length: legs }, () => one.values) };
}

function planBook(book: HedgeBook, paths: number): { book: PlannedBook; legs: number } {
  const perPath = book.perPath ?? false;
  const n = book.strike.length;
  if (perPath && paths > 0 && n % paths !== 0) {
    throw new DataError("batch_shape_mismatch", `hedge: a per-path book has ${n} values per column, not a multiple of ${paths} paths`);
  }
  const legs = perPath ? (paths > 0 ? n / paths : 0) : n;
  const columns: [string, ArrayLike<unknown> | undefined][] = [
    ["expiry", book.expiry], ["isCall", book.isCall], ["quantity", book.quantity], ["entryPrice", book.entryPrice],
    ["entryStep", book.entryStep], ["exitStep", book.exitStep],
  ];
  for (const [name, column] of columns) {
    if (column !== undefined && column.length !== n) {
      throw new DataError("batch_shape_mismatch", `hedge: book column "${name}" has ${column.length} values but "strike" has ${n}`);
    }
  }
  // Steps are i32 in the kernel: a fractional or huge step would be silently truncated there.
  for (const [name, column] of [["entryStep", book.entryStep], ["exitStep", book.exitStep]] as const) {
    if (column === undefined) continue;
    for (let i = 0; i < column.length; i++) {
      const v = column[i];
      if (v === undefined || !Number.isInteger(v) || Math.abs(v) > 2 ** 31 - 1) {
        throw new UsageError("hedge_bad_book", `hedge: book column "${name}" value ${i} is ${v}, not a step number`);
      }
    }
  }
  return {
    legs,
    book: {
      perPath, strike: book.strike, expiry: book.expiry, isCall: book.isCall, quantity: book.quantity,
      entryPrice: book.entryPrice, entryStep: book.entryStep, exitStep: book.exitStep,
    },
  };
}

export function planHedge(input: HedgeInput): HedgePlan {
  const { paths, steps } = input;
  if (!Number.isInteger(paths) || paths < 0) throw new UsageError("hedge_bad_shape", `hedge: paths must be an integer >= 0, got ${paths}`);
  if (!Number.isInteger(steps) || steps < 1) throw new UsageError("hedge_bad_shape", `hedge: steps must be an integer >= 1, got ${steps}`);
  const { book, legs } = planBook(input.book, paths);
  const series = (s: StepSeries, name: string) => planSeries(s, name, paths, steps);
  const legSeries = (s: LegSeries, name: string) => planLegSeries(s, name, paths, steps, legs);
  return {
    paths, steps, legs, book,
    spot: series(input.spot, "spot"),
    time: series(input.time, "time"),
    rate: series(input.rate, "rate"),
    div: series(input.div ?? 0, "div"),
    borrow: input.borrowBps === undefined ? undefined : series(input.borrowBps, "borrowBps"),
    vol: legSeries(input.vol, "vol"),
    mark: input.mark === undefined ? undefined : legSeries(input.mark, "mark"),
    halfSpread: input.halfSpread === undefined ? undefined : legSeries(input.halfSpread, "halfSpread"),
  };
}
