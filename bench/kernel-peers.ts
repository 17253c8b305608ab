/**
 * Shared helpers of the kernel benchmarks (and the arm64 vectors): the option and SVI workloads, the machine line
 * and the peer runners (C built with gcc, Python with numpy/scipy/py_lets_be_rational). A peer that cannot run is
 * reported as skipped with the reason, never silently dropped.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { cpus, homedir, totalmem } from "node:os";
import path from "node:path";

export const root = path.resolve(import.meta.dirname ?? ".", "..");
export const outDir = path.join(root, "bench", ".out");

export function machine(): string {
  const model = cpus()[0]?.model ?? "unknown CPU";
  return `${cpus().length} x ${model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${process.release.name} ${process.version}`;
}

/** Park-Miller-style LCG so both engines and every run see the same options. */
export function optionWorkload(n: number) {
  let seed = 12345;
  const u = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) / 16777216;
  };
  const strike = new Float64Array(n);
  const t = new Float64Array(n);
  const vol = new Float64Array(n);
  const isCall = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    strike[i] = 50 + 100 * u();
    t[i] = 7 / 365 + 2 * u();
    vol[i] = 0.1 + 0.5 * u();
    isCall[i] = i & 1;
  }
  return { spot: 100, strike, t, rate: 0.03, div: 0.01, vol, isCall };
}

/**
 * A real-shaped chain: every listed strike and expiry of one index-like underlier (spot 600), calls and puts.
 * Expiries: ten dailies, weeklies to two months, monthlies to a year, quarterlies to 2.5 years. Strikes: every 1
 * within 5% of spot, every 5 to 25% away, every 25 beyond, out to 4 ATM standard deviations (at least 10%, at most
 * -80%/+60%). Vols on an equity skew: ATM 14-20% by tenor, steeper and more convex at the short end, so short
 * dailies reach far into the tails in standard deviations. 6,418 options.
 */
export function chainWorkload() {
  const S = 600;
  const expiries: number[] = [];
  for (let d = 1; d <= 10; d++) expiries.push(d / 365);
  for (let w = 3; w <= 9; w++) expiries.push((7 * w) / 365);
  for (let m = 3; m <= 12; m++) expiries.push(m / 12);
  for (let qtr = 5; qtr <= 10; qtr++) expiries.push(qtr / 4);
  const strike: number[] = [];
  const t: number[] = [];
  const vol: number[] = [];
  const isCall: number[] = [];
  for (const T of expiries) {
    const atm = 0.14 + 0.06 * Math.exp(-2 * T);
    const width = Math.min(Math.max(4 * atm * Math.sqrt(T), 0.1), 0.8);
    const lo = S * Math.max(1 - width, 0.2);
    const hi = S * Math.min(1 + width, 1.6);
    for (let K = Math.ceil(lo / 25) * 25; K <= hi; ) {
      const k = Math.log(K / S) / Math.sqrt(Math.max(T, 1 / 52)); // moneyness per sqrt(year)
      const v = Math.min(Math.max(atm * (1 - 0.35 * k + 0.25 * k * k), 0.05), 2);
      for (const call of [1, 0]) {
        strike.push(K);
        t.push(T);
        vol.push(v);
        isCall.push(call);
      }
      const away = Math.abs(K / S - 1);
      K += away < 0.05 ? 1 : away < 0.25 ? 5 : 25;
    }
  }
  return { spot: S, strike: Float64Array.from(strike), t: Float64Array.from(t), rate: 0.043, div: 0.013, vol: Float64Array.from(vol), isCall: Uint8Array.from(isCall) };
}

/** Park–Miller generator: the same numbers every run and on every platform (integer arithmetic exact in doubles). */
export function parkMiller(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
}

/**
 * A busy underlier's surface: 200 expiries from one week to three years, 50 strikes each over +-3.5
 * ATM standard deviations, equity-like skew, quotes perturbed by 0.5 vol points (uniform) of noise.
 */
export function sviSurfaceWorkload(expiries: number, strikes: number): { k: number[]; w: number[]; t: number }[] {
  const draw = parkMiller(2026);
  const out: { k: number[]; w: number[]; t: number }[] = [];
  for (let e = 0; e < expiries; e++) {
    const t = 7 / 365 + (3 - 7 / 365) * (e / (expiries - 1)) ** 2;
    const atmVol = 0.18 + 0.04 * draw();
    const width = 3.5 * atmVol * Math.sqrt(t);
    const p = { a: atmVol * atmVol * t * 0.6, b: 0.08 * Math.sqrt(t) + 0.02, rho: -0.6 - 0.2 * draw(), m: 0.1 * width * (draw() - 0.3), sigma: 0.4 * width };
    const k: number[] = [], w: number[] = [];
    for (let i = 0; i < strikes; i++) {
      const x = -width + (2 * width * i) / (strikes - 1);
      const clean = p.a + p.b * (p.rho * (x - p.m) + Math.sqrt((x - p.m) ** 2 + p.sigma ** 2));
      const vol = Math.sqrt(clean / t) + 0.005 * (2 * draw() - 1);
      k.push(x);
      w.push(vol * vol * t);
    }
    out.push({ k, w, t });
  }
  return out;
}

export type PeerResult = { ok: true; value: Record<string, number> } | { ok: false; reason: string };

function python(): string | undefined {
  const candidates = [process.env["TRADEML_PYTHON"], path.join(homedir(), ".cache", "trademl", "venv-peers", "bin", "python"),
    path.join(outDir, "venv-kernels", "bin", "python")];
  return candidates.find((p): p is string => typeof p === "string" && existsSync(p));
}

export function runPython(script: string, args: readonly string[]): PeerResult {
  const py = python();
  if (!py) {
    return { ok: false, reason: "no Python with numpy/scipy (set TRADEML_PYTHON or pip install -r bench/peers/kernels-requirements.txt into bench/.out/venv-kernels)" };
  }
  const run = spawnSync(py, [path.join(root, "bench", "peers", script), ...args], { encoding: "utf8", timeout: 300_000 });
  if (run.status !== 0) return { ok: false, reason: `${script} failed: ${(run.stderr || run.error?.message || "").trim().split("\n").pop()}` };
  return { ok: true, value: JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}") as Record<string, number> };
}

/** Builds bench/peers/bsm_peer.c with `flags` and runs it; returns ns per option. */
export function runC(name: string, flags: readonly string[], n: number, repeats: number, inputFile?: string): PeerResult {
  mkdirSync(outDir, { recursive: true });
  const exe = path.join(outDir, name);
  const source = path.join(root, "bench", "peers", "bsm_peer.c");
  const build = spawnSync("gcc", [...flags, source, "-o", exe, "-lm"], { encoding: "utf8" });
  if (build.status !== 0) return { ok: false, reason: `gcc ${flags.join(" ")} failed: ${(build.stderr || build.error?.message || "").trim()}` };
  const run = spawnSync(exe, [String(n), String(repeats), ...(inputFile === undefined ? [] : [inputFile])], { encoding: "utf8" });
  if (run.status !== 0) return { ok: false, reason: `${name} failed` };
  const [ns] = run.stdout.trim().split(/\s+/);
  return { ok: true, value: { ns_per_option: Number(ns) } };
}

/**
 * Process CPU time in milliseconds. The bench machine is shared by several jobs, so wall time mostly measures
 * the neighbours; CPU time of this process is what the kernels cost (all threads summed, so worker runs are
 * timed on the wall clock instead).
 */
export function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Best-of-`reps` CPU time of `f`, in ns per item. */
export async function bestCpu(items: number, f: () => unknown, reps = 3): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = cpuNow();
    await f();
    best = Math.min(best, cpuNow() - t0);
  }
  return (best * 1e6) / items;
}

/** Best-of-`reps` wall time of `f`, in ms. */
export async function bestWall(f: () => unknown, reps = 5): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await f();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

export function fmt(ns: number): string {
  return ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(1)} ns`;
}

export function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, "utf8"));
}

/**
 * The Python test peers' venv (skfolio, scikit-learn, numpy, LightGBM) that `scripts/test-services.sh install
 * pypeers` builds in a cache folder keyed by the hash of tests/peers/requirements.txt; TRADEML_PYTHON overrides it.
 */
export function pypeersPython(): string | undefined {
  const requirements = readFileSync(path.join(root, "tests", "peers", "requirements.txt"));
  const key = createHash("sha256").update(requirements).digest("hex").slice(0, 12);
  const services = process.env["TRADEML_SERVICES_DIR"] ?? path.join(homedir(), ".cache", "trademl", "services");
  return [process.env["TRADEML_PYTHON"], path.join(services, "pypeers", key, "venv", "bin", "python")]
    .find((p): p is string => typeof p === "string" && existsSync(p));
}
