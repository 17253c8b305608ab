/**
 * Runs the LightGBM peer (bench/peers/gbdt_lightgbm.py) on a panel with the Python of the test peers' venv
 * (`scripts/test-services.sh install pypeers`; tests get it from `pypeersService()`, benchmarks from
 * `pypeersPython()`): writes the panel as raw little-endian columns and reads the predictions back. A test and
 * benchmark oracle only.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { GbdtParams } from "../../src/config/schemas/model.ts";
import type { LearnPanel } from "../../src/kernels/learn/index.ts";

const root = path.resolve(import.meta.dirname ?? ".", "../..");

export interface PeerRows {
  readonly train: Int32Array;
  readonly valid: Int32Array;
  readonly test: Int32Array;
}

export type PeerRun =
  | { ok: true; predictions: Float64Array; fitCpuS: number; fitWallS: number; predictCpuS: number; predictWallS: number; trees: number; version: string }
  | { ok: false; reason: string };

function bytesOf(view: Float64Array | Int32Array): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** Trains LightGBM (num_threads=1, L2) on rows.train with `params` and predicts rows.test; best of `repeats` times. */
export function runLightgbm(python: string, panel: LearnPanel, rows: PeerRows, params: GbdtParams, repeats = 1): PeerRun {
  const dir = mkdtempSync(path.join(tmpdir(), "trademl-lightgbm-"));
  try {
    const n = panel.label.length;
    const x = new Float64Array(panel.features.length * n);
    panel.features.forEach((column, j) => x.set(column, j * n));
    writeFileSync(path.join(dir, "x.f64"), bytesOf(x));
    writeFileSync(path.join(dir, "y.f64"), bytesOf(Float64Array.from(panel.label)));
    if (panel.weight !== undefined) writeFileSync(path.join(dir, "w.f64"), bytesOf(Float64Array.from(panel.weight)));
    writeFileSync(path.join(dir, "train.i32"), bytesOf(rows.train));
    writeFileSync(path.join(dir, "valid.i32"), bytesOf(rows.valid));
    writeFileSync(path.join(dir, "test.i32"), bytesOf(rows.test));
    writeFileSync(path.join(dir, "params.json"), JSON.stringify(params));
    const run = spawnSync(python, [path.join(root, "bench/peers/gbdt_lightgbm.py"), dir, String(repeats)], {
      encoding: "utf8",
      timeout: 900_000,
      // One thread for every library the peer loads, so the timing is single-core like the WASM kernel.
      env: { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" },
    });
    if (run.status !== 0) return { ok: false, reason: `gbdt_lightgbm.py failed: ${(run.stderr || run.error?.message || "").trim().split("\n").pop() ?? ""}` };
    const out = JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}") as Record<string, number | string>;
    const pred = readFileSync(path.join(dir, "pred.f64"));
    return {
      ok: true,
      predictions: new Float64Array(pred.buffer.slice(pred.byteOffset, pred.byteOffset + pred.byteLength)),
      fitCpuS: Number(out["fit_cpu_s"]),
      fitWallS: Number(out["fit_wall_s"]),
      predictCpuS: Number(out["predict_cpu_s"]),
      predictWallS: Number(out["predict_wall_s"]),
      trees: Number(out["trees"]),
      version: String(out["lightgbm"]),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
