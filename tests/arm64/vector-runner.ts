/**
 * Runs every kernel vector set (vector-sets.ts) through a kernel instance and digests the exact bits of every
 * result and output, one group per set, export and output. Generic by construction: buffers are staged and
 * outputs collected from the ABI descriptor (src/kernels/abi/). The command is run-vectors.ts.
 */
import { createHash } from "node:crypto";
import { abiExport, bindExport } from "../../src/kernels/abi/index.ts";
import { runExport } from "../../src/kernels/abi/run.ts";
import { Arena } from "../../src/kernels/arena.ts";
import type { KernelInstance } from "../../src/kernels/instance.ts";
import { VECTOR_SETS, type Reference } from "./vector-sets.ts";

export interface Digest {
  readonly count: number;
  readonly sha256: string;
}

/** Every set's calls on `instance`: the values of each group "set: export.output" in call order. */
export function runVectorSets(instance: KernelInstance, reference: Reference): Map<string, number[]> {
  const arena = new Arena(instance);
  const groups = new Map<string, number[]>();
  const push = (key: string, values: ArrayLike<number>): void => {
    const list = groups.get(key) ?? [];
    for (let i = 0; i < values.length; i++) list.push(values[i] ?? Number.NaN);
    groups.set(key, list);
  };
  for (const set of VECTOR_SETS) {
    if ("run" in set) {
      for (const [key, values] of set.run(instance)) push(`${set.name}: ${key}`, values);
      continue;
    }
    for (const call of set.calls(reference)) {
      const exp = abiExport(call.export);
      const hasBuffers = exp.params.some((p) => p.kind === "buffer");
      if (!hasBuffers) {
        const scalars: Record<string, number> = {};
        for (const [name, value] of Object.entries(call.args)) if (typeof value === "number") scalars[name] = value;
        push(`${set.name}: ${exp.name}`, [bindExport(instance, exp)(scalars)]);
        continue;
      }
      const done = runExport(instance, arena, exp, call.args);
      push(`${set.name}: ${exp.name}`, [done.result]);
      for (const p of exp.params) {
        if (p.kind !== "buffer" || p.role !== "out" || call.args[p.name] === 0) continue;
        push(`${set.name}: ${exp.name}.${p.name}`, p.element === "i32" ? done.i32(p.name) : done.f64(p.name));
      }
    }
  }
  return groups;
}

/**
 * SHA-256 of the values as doubles. NaN payloads and signs are not specified by WebAssembly (x64 and arm64
 * differ), so every NaN is hashed as the one canonical NaN; every other value bit for bit, the sign of zero too.
 */
export function digest(values: readonly number[]): Digest {
  const canonical = Float64Array.from(values, (v) => (Number.isNaN(v) ? Number.NaN : v));
  return { count: values.length, sha256: createHash("sha256").update(new Uint8Array(canonical.buffer)).digest("hex") };
}

