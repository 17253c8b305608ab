/**
 * Fold scoring of a whole CPCV run: every split of a 10-fold, 2-test-fold CPCV (45 splits, 9 paths) on a panel of
 * 2,500 dates × 500 names, i.e. 22,500 scored cross-sections (IC, rank IC, quintile long-short, hit rate) and 9
 * path Sharpe ratios. Rows: the WASM kernel (one call; with and without copying the panel in), its TypeScript
 * twin, a vectorised numpy implementation of the same arithmetic (the baseline) and skfolio's own path
 * (CombinatorialPurgedCV splits + MultiPeriodPortfolio per path). Process CPU time, best of 3; ratios are against
 * numpy in the same run. The peers' outputs are checked against the kernel's before any number is printed.
 * Run: npx tsx bench/validate.bench.ts [dates] [names]
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createFoldScorer, foldScoringShape, scoreFoldsReference, type FoldScores, type FoldScoringInput } from "../src/kernels/fold-scoring/index.ts";
import { mulberry32 } from "../src/sim/random.ts";
import { cpcvSplits } from "../src/validate/cpcv.ts";
import { cpcvScoringLayout } from "../src/validate/fold-scoring.ts";
import { bestCpu, machine, outDir, pypeersPython, root } from "./kernel-peers.ts";

const dates = Number(process.argv[2] ?? 2500);
const names = Number(process.argv[3] ?? 500);
const FOLDS = 10;
const TEST_FOLDS = 2;
const QUANTILES = 5;
const PERIODS_PER_YEAR = 252;

/** A panel with a weak signal: outcome ~ N(0, 2%), prediction = 0.1·outcome + noise; 2% of names absent a day. */
function buildPanel(): FoldScoringInput {
  const rng = mulberry32(20240613);
  const normal = (): number => Math.sqrt(-2 * Math.log(Math.max(rng(), 1e-300))) * Math.cos(2 * Math.PI * rng());
  const cv = cpcvSplits(dates, { folds: FOLDS, testFolds: TEST_FOLDS });
  const layout = cpcvScoringLayout(cv);
  const outcomes = Float64Array.from({ length: dates * names }, () => (rng() < 0.02 ? NaN : 0.02 * normal()));
  const predictions = new Float64Array(layout.rowDate.length * names);
  for (let r = 0; r < layout.rowDate.length; r++) {
    const d = layout.rowDate[r] ?? 0;
    for (let j = 0; j < names; j++) {
      const y = outcomes[d * names + j] ?? NaN;
      predictions[r * names + j] = Number.isNaN(y) ? NaN : 0.1 * y + 0.02 * normal();
    }
  }
  return { names, predictions, outcomes, rowDate: layout.rowDate, rowPath: layout.rowPath, paths: layout.paths, quantiles: QUANTILES, periodsPerYear: PERIODS_PER_YEAR };
}

function writePanel(folder: string, input: FoldScoringInput): void {
  mkdirSync(folder, { recursive: true });
  const bytes = (a: Float64Array | Int32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  writeFileSync(path.join(folder, "pred.f64"), bytes(input.predictions));
  writeFileSync(path.join(folder, "outcome.f64"), bytes(input.outcomes));
  writeFileSync(path.join(folder, "row_date.i32"), bytes(input.rowDate));
  writeFileSync(path.join(folder, "row_path.i32"), bytes(input.rowPath));
  writeFileSync(path.join(folder, "meta.json"), JSON.stringify({
    names, dates, folds: FOLDS, test_folds: TEST_FOLDS, paths: input.paths, quantiles: QUANTILES, periods_per_year: PERIODS_PER_YEAR,
  }));
}

function readF64(file: string): Float64Array {
  const buffer = readFileSync(file);
  return new Float64Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength));
}

/** Largest absolute difference, NaN matching NaN. */
function maxDiff(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    worst = Math.max(worst, Math.abs(x - y));
  }
  return worst;
}

type Row = { name: string; seconds: number | undefined; note: string };

function runPeer(folder: string, mode: "numpy" | "skfolio", expected: FoldScores, rows: Row[], label: string): void {
  const python = pypeersPython();
  if (python === undefined) {
    rows.push({ name: label, seconds: undefined, note: "skipped: no pypeers venv (scripts/test-services.sh install pypeers) and no TRADEML_PYTHON" });
    return;
  }
  const run = spawnSync(python, [path.join(root, "bench", "peers", "validate_numpy.py"), folder, mode, "3"], { encoding: "utf8", timeout: 1_800_000 });
  if (run.status !== 0) {
    rows.push({ name: label, seconds: undefined, note: `skipped: ${(run.stderr || run.error?.message || "").trim().split("\n").pop() ?? ""}` });
    return;
  }
  const answer = JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}") as { seconds: number; numpy: string };
  const checks = ([["ic", expected.ic], ["rank_ic", expected.rankIc], ["long_short", expected.longShort], ["hit_rate", expected.hitRate], ["path_sharpe", expected.pathSharpe]] as const)
    .map(([key, ours]) => [key, maxDiff(readF64(path.join(folder, `${mode}-${key}.f64`)), ours)] as const);
  const bad = checks.filter(([, diff]) => !(diff < 1e-9));
  if (bad.length > 0) throw new Error(`${label} disagrees with the kernel: ${bad.map(([k, d]) => `${k} max |diff| ${d}`).join(", ")}`);
  rows.push({ name: label, seconds: answer.seconds, note: `numpy ${answer.numpy}; agrees with the kernel (max |diff| ${Math.max(...checks.map(([, d]) => d)).toExponential(1)})` });
}

const input = buildPanel();
const shape = foldScoringShape(input);
const folder = path.join(outDir, "validate-panel");
writePanel(folder, input);

const wasm = await createFoldScorer();
const expected = wasm.score(input);
const twin = scoreFoldsReference(input);
const rows: Row[] = [];

// Like for like with numpy, which holds the panel in its own memory: the kernel call alone, the panel already in
// the module's memory.
const job = wasm.plan(shape);
job.predictions.set(input.predictions);
job.outcomes.set(input.outcomes);
job.rowDate.set(input.rowDate);
job.rowPath.set(input.rowPath);
rows.push({ name: "WASM kernel call only (panel in module memory)", seconds: (await bestCpu(1, () => job.run(), 3)) / 1e9, note: `one call for all ${shape.rows.toLocaleString("en")} rows` });
rows.push({ name: "WASM scorer.score (copies the panel in, results out)", seconds: (await bestCpu(1, () => wasm.score(input), 3)) / 1e9, note: "" });
rows.push({ name: "TypeScript twin", seconds: (await bestCpu(1, () => scoreFoldsReference(input), 2)) / 1e9, note: "bit-identical to the kernel" });
for (const key of ["ic", "rankIc", "longShort", "hitRate", "pathSharpe"] as const) {
  if (maxDiff(expected[key], twin[key]) !== 0) throw new Error(`the TypeScript twin differs from the kernel in ${key}`);
}
runPeer(folder, "numpy", expected, rows, "numpy, same arithmetic, vectorised (baseline)");
runPeer(folder, "skfolio", expected, rows, "skfolio path: CombinatorialPurgedCV + MultiPeriodPortfolio per path");

const baseline = rows.find((r) => r.name.startsWith("numpy"))?.seconds;
console.log(`\nFold scoring: CPCV ${FOLDS} folds / ${TEST_FOLDS} test folds (45 splits, ${input.paths} paths) on ${dates.toLocaleString("en")} dates × ${names} names = ${shape.rows.toLocaleString("en")} cross-sections; process CPU time, best of 3 — ${machine()}\n`);
console.log("| task | CPU time | numpy / task |");
console.log("|---|---|---|");
for (const r of rows) {
  const ratio = r.seconds !== undefined && baseline !== undefined ? `${(baseline / r.seconds).toFixed(2)}x` : "—";
  console.log(`| ${r.name} | ${r.seconds === undefined ? "—" : `${(r.seconds * 1000).toFixed(0)} ms`} | ${ratio}${r.note ? ` (${r.note})` : ""} |`);
}
