#!/usr/bin/env node
/**
 * One-click Windows trainer (docs/operations.md): scripts\trainer.cmd and scripts\trainer.ps1 only find Node and
 * call this file, so every step lives here and is tested on Linux (tests/ops/trainer-script.test.ts).
 *
 *   node scripts/trainer.mjs [--dry-run] [--options-vol] [--model NAME]... [--no-open] [--config-dir DIR]
 *
 * 1. Node >= 20.19 (else: exactly what to install).
 * 2. Dependencies: `npm ci` when node_modules does not hold the versions package-lock.json pins, or the build
 *    (dist/, build/release.wasm) is missing; otherwise nothing.
 * 3. Configuration: `trademl config check` must pass; .env is looked at for what a trainer needs (the shared S3
 *    lake, MLflow) and anything missing is said plainly.
 * 4. `trademl trainer run --model M` for each model in configs/training/ except options_vol; with --options-vol,
 *    options_vol too, where its own gate (min_surface_qc_rate of the option surfaces) decides whether it trains.
 *    --model NAME (repeatable) runs exactly those.
 * 4b. The nightly DAG's trainer step `shadow_score` for the latest session (`trademl dag run --role trainer
 *    --steps shadow_score`), so the challenger's shadow period advances on every trainer run.
 * 5. Opens the daily report (`trademl report --open`) unless --no-open.
 *
 * Plain JavaScript with node: built-ins only, because it runs before `npm ci` has installed or built anything.
 * Exit codes: 0 ok, 2 usage or configuration, 3 Node missing or too old, otherwise the first failing step's code.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
// A namespace import: a named one would fail to link on an old Node before checkNode() can say what to do.
import * as util from "node:util";

const NODE_MIN = [20, 19];
const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OPTIONS_VOL = "options_vol";

function say(message) {
  process.stdout.write(`[trainer] ${message}\n`);
}

function fail(code, message) {
  process.stderr.write(`[trainer] error: ${message}\n`);
  process.exit(code);
}

function usage() {
  process.stdout.write(
    "usage: scripts\\trainer.cmd [--dry-run] [--options-vol] [--model NAME]... [--no-open] [--config-dir DIR]\n" +
      "  --dry-run       print every step instead of running it\n" +
      "  --options-vol   also train options_vol (its option-surface QC gate decides whether it may)\n" +
      "  --model NAME    train only NAME (repeatable); default: every model in configs/training except options_vol\n" +
      "  --no-open       do not open the daily report at the end\n" +
      "  --config-dir D  configuration folder (default: configs)\n",
  );
}

export function parseArgs(argv) {
  const args = { dryRun: false, optionsVol: false, models: [], open: true, configDir: "configs", help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) fail(2, `${arg} needs a value`);
      i += 1;
      return next;
    };
    if (arg === "--dry-run") args.dryRun = true;
    else if (arg === "--options-vol") args.optionsVol = true;
    else if (arg === "--no-open") args.open = false;
    else if (arg === "--model") args.models.push(value());
    else if (arg === "--config-dir") args.configDir = value();
    else if (arg === "-h" || arg === "--help") args.help = true;
    else fail(2, `unknown argument ${arg} (see --help)`);
  }
  return args;
}

/** 1. The Node running this file is new enough. */
function checkNode() {
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major > NODE_MIN[0] || (major === NODE_MIN[0] && minor >= NODE_MIN[1])) {
    say(`Node ${process.versions.node} (>= ${NODE_MIN.join(".")})`);
    return;
  }
  fail(
    3,
    `Node ${process.versions.node} is too old; trademl needs ${NODE_MIN.join(".")} or later.\n` +
      "  Windows: winget install OpenJS.NodeJS.LTS   (or the installer from https://nodejs.org), then open a new terminal.",
  );
}

/** Why the installed dependencies do not match package-lock.json, or undefined when they do. */
export function dependenciesStale(root) {
  const lockFile = join(root, "package-lock.json");
  if (!existsSync(lockFile)) return "package-lock.json is missing";
  const lock = JSON.parse(readFileSync(lockFile, "utf8"));
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const direct = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies });
  for (const name of direct) {
    const pinned = lock.packages?.[`node_modules/${name}`]?.version;
    const installedFile = join(root, "node_modules", name, "package.json");
    if (!existsSync(installedFile)) return `${name} is not installed`;
    const installed = JSON.parse(readFileSync(installedFile, "utf8")).version;
    if (pinned !== undefined && installed !== pinned) return `${name} ${installed} is installed, package-lock.json pins ${pinned}`;
  }
  for (const built of ["dist/index.js", "build/release.wasm"]) {
    if (!existsSync(join(root, built))) return `${built} is not built`;
  }
  return undefined;
}

/** Runs a command in the repository with its output shown; returns its exit code (printed only with --dry-run). */
function step(args, command, commandArgs, options = {}) {
  const shown = [command, ...commandArgs].map((word) => (/\s/.test(word) ? `"${word}"` : word)).join(" ");
  if (args.dryRun) {
    process.stdout.write(`would run: ${shown}\n`);
    return { code: 0, output: "" };
  }
  say(`> ${shown}`);
  // npm is npm.cmd on Windows, which Node only starts through a shell; the arguments here are fixed words.
  const result = spawnSync(command, commandArgs, {
    cwd: repo,
    encoding: "utf8",
    shell: options.shell === true && process.platform === "win32",
    stdio: options.capture === true ? ["inherit", "pipe", "pipe"] : "inherit",
  });
  if (result.error !== undefined) fail(3, `cannot run ${command}: ${result.error.message}`);
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  if (options.capture === true) {
    if (options.quiet !== true || result.status !== 0) process.stdout.write(result.stdout ?? "");
    process.stderr.write(result.stderr ?? "");
  }
  return { code: result.status ?? 1, output };
}

function trademl(args, commandArgs, options) {
  return step(args, process.execPath, [join("bin", "trademl.js"), "--config-dir", args.configDir, ...commandArgs], options);
}

/** 2. Dependencies installed and built. */
function ensureDependencies(args) {
  const stale = dependenciesStale(repo);
  if (stale === undefined) {
    say("dependencies are installed and built");
    return;
  }
  say(`installing dependencies (${stale})`);
  const { code } = step(args, "npm", ["ci", "--no-audit", "--no-fund"], { shell: true });
  if (code !== 0) fail(code, "npm ci failed (see above)");
}

/** 3. The configuration validates, and .env has what a trainer needs. */
function checkConfiguration(args) {
  // The effective configuration it prints is long; only its errors and warnings are worth showing here.
  const { code } = trademl(args, ["--log-level", "warn", "config", "check"], { capture: true, quiet: true });
  if (code !== 0) fail(code, "the configuration is invalid (see above); fix it and run the trainer again");
  say("the configuration is valid");
  const envFile = join(repo, ".env");
  if (!existsSync(envFile)) {
    say("no .env: copy .env.example to .env and fill in S3_* (the Pi's lake) and MLFLOW_TRACKING_URI");
    return;
  }
  const env = { ...util.parseEnv(readFileSync(envFile, "utf8")), ...process.env };
  const missing = [];
  if (!env.S3_BUCKET) missing.push("S3_BUCKET is empty: the lake is a local folder, not the Pi's lake over S3");
  if (!env.MLFLOW_TRACKING_URI) missing.push("MLFLOW_TRACKING_URI is empty: training stops before registering a model");
  for (const line of missing) say(`.env: ${line}`);
  if (missing.length === 0) say(".env: the shared S3 lake and MLflow are configured");
}

/** The models to train: --model, else every configs/training/*.yml but options_vol (added by --options-vol). */
export function modelsToTrain(args, trainingDir) {
  if (args.models.length > 0) return args.models;
  const configured = existsSync(trainingDir)
    ? readdirSync(trainingDir).filter((file) => file.endsWith(".yml")).map((file) => file.slice(0, -4)).sort()
    : [];
  return configured.filter((model) => model !== OPTIONS_VOL || args.optionsVol);
}

/** 4. One training run per model; stops at the first that fails. */
function train(args) {
  const models = modelsToTrain(args, resolve(repo, args.configDir, "training"));
  if (models.length === 0) fail(2, `no models to train in ${join(args.configDir, "training")}`);
  say(`training: ${models.join(", ")}${models.includes(OPTIONS_VOL) ? " (options_vol trains only if its surface QC gate passes)" : ""}`);
  for (const model of models) {
    const { code, output } = trademl(args, ["trainer", "run", "--model", model], { capture: true });
    if (code === 0) continue;
    if (/not built/i.test(output)) fail(code, "`trademl trainer run` is not built in this version of trademl yet");
    fail(code, `training ${model} failed (exit ${code}); see above`);
  }
}

/**
 * 4b. The DAG's shadow_score step for the latest session (`trademl dag run --role trainer --steps shadow_score`):
 * the challenger's shadow period advances on every trainer run too, not only where the trainer's DAG is
 * scheduled. The step skips itself (exit 0) without MLflow; a failure is said and the report still opens.
 */
function shadowScore(args) {
  const { code } = trademl(args, ["dag", "run", "--role", "trainer", "--steps", "shadow_score"], { capture: true });
  if (code !== 0) say(`shadow scoring failed (exit ${code}); see above (trademl dag status shows the run)`);
}

/** 5. The daily report, in the default browser. */
function openReport(args) {
  if (!args.open) return;
  const { code, output } = trademl(args, ["report", "--open"], { capture: true });
  if (code === 0) return;
  if (/unknown command|not built/i.test(output)) say("the daily report is not built in this version of trademl; nothing to open");
  else say(`could not open the report (exit ${code}); see above`);
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    usage();
    return;
  }
  if (args.dryRun) say("dry run: nothing is installed, trained or opened");
  checkNode();
  ensureDependencies(args);
  checkConfiguration(args);
  train(args);
  shadowScore(args);
  openReport(args);
  say("done");
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
