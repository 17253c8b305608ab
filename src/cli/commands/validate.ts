/**
 * `trademl validate cpcv|dsr|pbo|calibration`: the validation toolkit of src/validate on the command line, for an
 * analyst with a CSV. Tables by default, `--format json` for scripts. Thin adapters: parse options, call the
 * library, print.
 */
import { AppError, DataError } from "../../domain/errors.ts";
import type { CliContext, CommandOptions } from "../context.ts";
import type { GroupSpec } from "../group.ts";
import { jsonText } from "../json.ts";
import { enumOption, integerOption, numberOption, optionalInteger, requiredString, stringOption } from "../option-parsers.ts";

type Format = "table" | "json";

function formatOf(options: CommandOptions): Format {
  return enumOption(options, "format", ["table", "json"], "table");
}

function num(value: number, digits = 6): string {
  return Number.isFinite(value) ? value.toFixed(digits) : String(value);
}

function table(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n")}\n`;
}

/** Consecutive indices as ranges: [0,1,2,5,6] → "0-2, 5-6". */
function ranges(indices: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < indices.length; ) {
    let j = i;
    while (j + 1 < indices.length && indices[j + 1] === (indices[j] ?? 0) + 1) j++;
    parts.push(i === j ? `${indices[i]}` : `${indices[i]}-${indices[j]}`);
    i = j + 1;
  }
  return parts.length === 0 ? "-" : parts.join(", ");
}

/** Input errors found in a user's file are data errors (exit 3), whatever the library calls them. */
function asDataError(error: unknown): never {
  if (error instanceof AppError && !(error instanceof DataError)) throw new DataError(error.code, error.message, { cause: error });
  throw error;
}

async function cpcv(_args: readonly string[], options: CommandOptions, ctx: CliContext): Promise<number> {
  const { cpcvSplits } = await import("../../validate/cpcv.ts");
  const n = integerOption(options, "n", { min: 0 });
  const result = cpcvSplits(n, {
    folds: integerOption(options, "folds", { default: 10 }),
    testFolds: integerOption(options, "testFolds", { default: 2 }),
    purge: integerOption(options, "purge", { default: 0 }),
    embargo: integerOption(options, "embargo", { default: 0 }),
  });
  if (formatOf(options) === "json") {
    ctx.out(jsonText({
      splits: result.splits.map((split) => ({ train: split.train, test: split.test })),
      path_ids: result.plan.pathIds,
    }));
    return 0;
  }
  const { plan } = result;
  const lines = [
    `${n} samples, ${plan.folds} folds, ${plan.testFolds} test folds: ${plan.nSplits} splits, ${plan.nPaths} paths (purge ${plan.purge}, embargo ${plan.embargo})`,
    "",
    "split  test folds  paths    train  purged  test rows",
    ...result.splits.map((split, s) =>
      `${String(s).padStart(5)}  ${split.testFolds.join(",").padEnd(10)}  ${split.pathIds.join(",").padEnd(7)}  ${String(split.train.length).padStart(5)}  ${String(split.purged.length).padStart(6)}  ${split.test.map(ranges).join(" | ")}`),
  ];
  ctx.out(`${lines.join("\n")}\n`);
  return 0;
}

async function dsr(_args: readonly string[], options: CommandOptions, ctx: CliContext): Promise<number> {
  const { deflatedSharpe } = await import("../../validate/deflated-sharpe.ts");
  const input = {
    sharpe: numberOption(options, "sharpe"),
    periods: integerOption(options, "periods", { min: 2 }),
    trials: integerOption(options, "trials", { min: 2 }),
    skew: numberOption(options, "skew", { default: 0 }),
    kurtosis: numberOption(options, "kurtosis", { default: 3 }),
    trialsSharpeVar: numberOption(options, "trialsSharpeVar", { min: 0 }),
    periodsPerYear: numberOption(options, "periodsPerYear", { default: 252, greaterThan: 0 }),
  };
  const result = deflatedSharpe(input);
  if (formatOf(options) === "json") {
    ctx.out(jsonText({ dsr: result.dsr, sr0: result.sr0, sr0_annualised: result.sr0Annualised }));
    return 0;
  }
  ctx.out(table([
    ["deflated Sharpe ratio", num(result.dsr)],
    ["SR0 (expected max, per period)", num(result.sr0)],
    ["SR0 annualised", num(result.sr0Annualised)],
    ["observed SR per period", num(result.sharpePerPeriod)],
    ["inputs", `SR ${input.sharpe} a year over ${input.periods} returns (${input.periodsPerYear}/year), ${input.trials} trials, skew ${input.skew}, kurtosis ${input.kurtosis}, var(SR trials) ${input.trialsSharpeVar}`],
  ]));
  return 0;
}

async function pbo(_args: readonly string[], options: CommandOptions, ctx: CliContext): Promise<number> {
  const { readNumericCsv } = await import("../../validate/read-csv.ts");
  const { probabilityOfBacktestOverfitting, checkPboInput } = await import("../../validate/pbo.ts");
  const splits = integerOption(options, "splits", { default: 16 });
  const file = requiredString(options, "file", "a CSV of per-period returns, one column per trial");
  const csv = await readNumericCsv(file);
  const matrix = { values: csv.values, rows: csv.rows, cols: csv.columns.length };
  const bad = csv.values.findIndex((v) => !Number.isFinite(v));
  if (bad !== -1) {
    const row = Math.floor(bad / matrix.cols);
    throw new DataError("pbo_bad_value", `${file}:${csv.lines[row] ?? "?"}: column ${csv.columns[bad % matrix.cols] ?? "?"} is not a finite return`);
  }
  try {
    checkPboInput(matrix, splits);
  } catch (error) {
    if (error instanceof AppError && error.code !== "pbo_bad_splits") {
      asDataError(new DataError(error.code, `${file}: ${error.message}`, { cause: error }));
    }
    throw error;
  }
  const result = probabilityOfBacktestOverfitting(matrix, { splits });
  if (formatOf(options) === "json") {
    ctx.out(jsonText({
      pbo: result.pbo, prob_oos_loss: result.probOosLoss, degradation: result.degradation, combinations: result.combinations,
      splits: result.splits, trials: result.trials, rows: result.rows, logits: result.logits,
    }));
    return 0;
  }
  const sorted = [...result.logits].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
  ctx.out(table([
    ["probability of backtest overfitting", num(result.pbo, 4)],
    ["probability of out-of-sample loss", num(result.probOosLoss, 4)],
    ["performance degradation", `OOS SR = ${num(result.degradation.intercept, 4)} + ${num(result.degradation.slope, 4)} x IS SR (R^2 ${num(result.degradation.r2, 3)})`],
    ["median logit", num(median, 4)],
    ["combinations", `${result.combinations} (S = ${result.splits} blocks of ${file}'s ${result.rows} rows, ${result.trials} trials)`],
  ]));
  return 0;
}

async function calibration(_args: readonly string[], options: CommandOptions, ctx: CliContext): Promise<number> {
  const { readNumericCsv, csvColumn } = await import("../../validate/read-csv.ts");
  const { calibrationReport, checkForecasts } = await import("../../validate/calibration.ts");
  const bins = integerOption(options, "bins", { default: 10, min: 1 });
  const file = requiredString(options, "file", "a CSV with columns y (0 or 1) and p (a probability)");
  const plot = stringOption(options, "plot");
  const csv = await readNumericCsv(file);
  const y = csvColumn(csv, "y");
  const p = csvColumn(csv, "p");
  try {
    checkForecasts(y, p, (i) => `${file}:${csv.lines[i] ?? "?"}`);
  } catch (error) {
    asDataError(error);
  }
  const report = calibrationReport(y, p, bins);
  let written: string | undefined;
  if (plot !== undefined) {
    const { writeFile } = await import("node:fs/promises");
    const { resolve } = await import("node:path");
    const { renderChart } = await import("../../charts/render.ts");
    const { reliabilitySpec } = await import("../../validate/reliability-plot.ts");
    const spec = reliabilitySpec(report, `Reliability: ${file}`);
    written = resolve(ctx.cwd, plot);
    await writeFile(written, plot.toLowerCase().endsWith(".svg") ? await renderChart(spec, "svg") : await renderChart(spec, "png"));
  }
  if (formatOf(options) === "json") {
    ctx.out(jsonText({
      brier: report.brier, log_loss: report.logLoss, ece: report.ece, n: report.n,
      bins: report.bins.map((b) => ({ lower: b.lower, upper: b.upper, count: b.count, mean_predicted: b.meanPredicted, fraction_positive: b.fractionPositive })),
      ...(written === undefined ? {} : { plot: written }),
    }));
    return 0;
  }
  const lines = [
    table([["forecasts", String(report.n)], ["Brier score", num(report.brier)], ["log-loss", num(report.logLoss)], ["ECE", num(report.ece)]]).trimEnd(),
    "",
    "bin            count  mean p    observed",
    ...report.bins.map((b) => `${b.lower.toFixed(2)}-${b.upper.toFixed(2)}  ${String(b.count).padStart(9)}  ${b.meanPredicted.toFixed(4)}    ${b.fractionPositive.toFixed(4)}`),
    ...(written === undefined ? [] : ["", `reliability diagram: ${written}`]),
  ];
  ctx.out(`${lines.join("\n")}\n`);
  return 0;
}

const FORMAT = { flags: "--format <format>", description: "table (default) or json" };

export const validateCommand: GroupSpec = {
  name: "validate",
  summary: "Validate models and backtests: CPCV splits, deflated Sharpe, PBO, calibration",
  options: [
    { flags: "--n <samples>", description: "cpcv: number of samples (dates)" },
    { flags: "--folds <k>", description: "cpcv: folds, at least 3 (default 10)" },
    { flags: "--test-folds <p>", description: "cpcv: folds held out per split, at least 2 (default 2)" },
    { flags: "--purge <n>", description: "cpcv: samples purged on each side of a test block (default 0)" },
    { flags: "--embargo <n>", description: "cpcv: further samples dropped after a test block (default 0)" },
    { flags: "--sharpe <sr>", description: "dsr: observed Sharpe ratio, annualised" },
    { flags: "--periods <t>", description: "dsr: number of returns behind it" },
    { flags: "--trials <n>", description: "dsr: number of trials (strategies or models tried), at least 2" },
    { flags: "--skew <g3>", description: "dsr: skewness of the returns (default 0)" },
    { flags: "--kurtosis <g4>", description: "dsr: kurtosis of the returns, non-excess: 3 for normal (default 3)" },
    { flags: "--trials-sharpe-var <v>", description: "dsr: variance of the trials' annualised Sharpe ratios" },
    { flags: "--periods-per-year <n>", description: "dsr: returns per year (default 252)" },
    { flags: "--file <csv>", description: "pbo: T x N returns, one column per trial; calibration: columns y and p" },
    { flags: "--splits <s>", description: "pbo: even number of row blocks S (default 16)" },
    { flags: "--bins <b>", description: "calibration: uniform bins (default 10)" },
    { flags: "--plot <file>", description: "calibration: write the reliability diagram (.png, or .svg)" },
    FORMAT,
  ],
  actions: {
    cpcv: { summary: "Combinatorial purged cross-validation splits and path ids (as skfolio)", options: ["n", "folds", "test-folds", "purge", "embargo", "format"], run: cpcv },
    dsr: {
      summary: "Deflated Sharpe ratio and the expected maximum Sharpe ratio of the trials",
      options: ["sharpe", "periods", "trials", "skew", "kurtosis", "trials-sharpe-var", "periods-per-year", "format"],
      run: dsr,
    },
    pbo: { summary: "Probability of backtest overfitting (CSCV) of a returns CSV", options: ["file", "splits", "format"], run: pbo },
    calibration: { summary: "Brier score, log-loss, ECE and the reliability diagram of a forecasts CSV", options: ["file", "bins", "plot", "format"], run: calibration },
  },
  examples: [
    "trademl validate cpcv --n 20 --folds 4 --test-folds 2 --purge 1 --embargo 1 --format json",
    "trademl validate dsr --sharpe 2.5 --periods 1250 --trials 100 --skew -3 --kurtosis 10 --trials-sharpe-var 0.5 --periods-per-year 250",
    "trademl validate pbo --file returns.csv --splits 16",
    "trademl validate calibration --file preds.csv --bins 10 --plot reliability.png",
  ],
};
