/**
 * Shared helpers of bench/bsm.bench.ts and bench/iv.bench.ts: the option workload, the machine line and the
 * peer runners (C built with gcc, Python with numpy/scipy/py_lets_be_rational). A peer that cannot run is
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
export function runC(name: string, flags: readonly string[], n: number, repeats: number): PeerResult {
  mkdirSync(outDir, { recursive: true });
  const exe = path.join(outDir, name);
  const source = path.join(root, "bench", "peers", "bsm_peer.c");
  const build = spawnSync("gcc", [...flags, source, "-o", exe, "-lm"], { encoding: "utf8" });
  if (build.status !== 0) return { ok: false, reason: `gcc ${flags.join(" ")} failed: ${(build.stderr || build.error?.message || "").trim()}` };
  const run = spawnSync(exe, [String(n), String(repeats)], { encoding: "utf8" });
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
