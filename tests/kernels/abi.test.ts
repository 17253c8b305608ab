// The ABI descriptor (src/kernels/abi/) against the kernels as built: every export of both builds is described,
// with the arity it really has; status codes are the kernels' own; an unknown status is an error; and the arm64
// vector sets call every export, so a new family cannot join without joining the bit-identity run.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { KernelError } from "../../src/domain/errors.ts";
import { BSM_BATCH, HEDGE_RUN, KERNEL_ABI, SVI_FIT_BATCH, statusName } from "../../src/kernels/abi/index.ts";
import { createFoldScorer } from "../../src/kernels/fold-scoring/index.ts";
import { createWasmFoldScorer } from "../../src/kernels/fold-scoring/wasm.ts";
import { bookFromLegs, createHedgeKernels } from "../../src/kernels/hedge/index.ts";
import { PATH_OUT, PATH_OUT_SLOTS } from "../../src/kernels/hedge/layout.ts";
import { createOptionEngine } from "../../src/kernels/option-engine.ts";
import { optionFamily } from "../../src/kernels/options.ts";
import type { KernelInstance } from "../../src/kernels/instance.ts";
import { loadKernelModule, type KernelModule } from "../../src/kernels/load.ts";
import * as bsm from "../../src/kernels/portable/bsm/row.ts";
import * as iv from "../../src/kernels/portable/iv/lets-be-rational.ts";
import * as svi from "../../src/kernels/portable/svi/constants.ts";
import { createSviKernels, sviFamily } from "../../src/kernels/svi/index.ts";
import { SVI_STATUS_NAMES } from "../../src/kernels/svi/status.ts";
import { tsKernelInstance } from "../../src/kernels/ts-instance.ts";
import { BSM_STATUS_NAMES, IV_STATUS_NAMES } from "../../src/kernels/types.ts";
import { VECTOR_SETS, type Reference } from "../arm64/vector-sets.ts";

function functionArity(raw: Readonly<Record<string, unknown>>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, value] of Object.entries(raw)) if (typeof value === "function") out.set(name, value.length);
  return out;
}

describe.each(["release", "debug"] as const)("the ABI descriptor against build/%s.wasm", (build) => {
  it("describes every exported function with its real arity, and nothing the module lacks", async () => {
    const module = await loadKernelModule({ build });
    const exported = functionArity(module.raw);
    exported.delete("_initialize"); // the start function (asconfig exportStart), called by the loader
    const described = new Map(KERNEL_ABI.filter((e) => e.builds.includes("wasm")).map((e) => [e.name, e.params.length]));
    expect([...exported.keys()].sort()).toEqual([...described.keys()].sort());
    for (const [name, arity] of described) expect(exported.get(name), name).toBe(arity);
    expect(module.raw["memory"]).toBeInstanceOf(WebAssembly.Memory);
  });
});

describe("the ABI descriptor against the TS engine", () => {
  it("describes every export of the JavaScript build with its arity", () => {
    const exported = functionArity(tsKernelInstance().raw);
    const described = new Map(KERNEL_ABI.filter((e) => e.builds.includes("ts")).map((e) => [e.name, e.params.length]));
    expect([...exported.keys()].sort()).toEqual([...described.keys()].sort());
    for (const [name, arity] of described) expect(exported.get(name), name).toBe(arity);
  });
});

describe("status codes", () => {
  it("name the kernels' own constants", () => {
    expect(BSM_STATUS_NAMES[bsm.BSM_OK]).toBe("ok");
    expect(BSM_STATUS_NAMES[bsm.BSM_INVALID_INPUT]).toBe("invalid_input");
    expect(BSM_STATUS_NAMES[bsm.BSM_OUT_OF_RANGE]).toBe("out_of_range");
    expect(IV_STATUS_NAMES[iv.IV_OK]).toBe("ok");
    expect(IV_STATUS_NAMES[iv.IV_BELOW_INTRINSIC]).toBe("below_intrinsic");
    expect(IV_STATUS_NAMES[iv.IV_ABOVE_MAXIMUM]).toBe("above_maximum");
    expect(IV_STATUS_NAMES[iv.IV_NO_CONVERGENCE]).toBe("no_convergence");
    expect(IV_STATUS_NAMES[iv.IV_INVALID_INPUT]).toBe("invalid_input");
    const sviCodes: [number, string][] = [
      [svi.STATUS_OK, "ok"], [svi.STATUS_TOO_FEW_QUOTES, "too_few_quotes"], [svi.STATUS_NON_FINITE, "non_finite_input"],
      [svi.STATUS_NEGATIVE_VARIANCE, "negative_variance"], [svi.STATUS_BAD_WEIGHT, "bad_weight"],
      [svi.STATUS_BAD_MATURITY, "bad_maturity"], [svi.STATUS_NOT_CONVERGED, "not_converged"], [svi.STATUS_DEGENERATE, "degenerate"],
    ];
    for (const [code, name] of sviCodes) expect(SVI_STATUS_NAMES[code]).toBe(name);
    expect(BSM_BATCH.statuses).toBe(BSM_STATUS_NAMES);
    expect(SVI_FIT_BATCH.statuses).toBe(SVI_STATUS_NAMES);
  });

  it("outside the ABI's list are a KernelError, not a default name", () => {
    for (const code of [3, -1, 0.5, Number.NaN]) {
      const error = (() => {
        try {
          statusName(BSM_STATUS_NAMES, code, "bsmBatch");
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(KernelError);
      expect(error).toMatchObject({ code: "kernel_unknown_status" });
    }
  });

  /** The TS engine's kernels with `name` wrapped so that it writes `code` as row 0's status afterwards. */
  function reporting(name: string, code: number): KernelInstance {
    const base = tsKernelInstance();
    const exp = KERNEL_ABI.find((e) => e.name === name);
    const real = base.raw[name];
    const statusAt = exp?.params.findIndex((p) => p.name === "status") ?? -1;
    if (typeof real !== "function" || statusAt < 0) throw new Error(`no ${name} with a status buffer`);
    const wrapped = (...args: number[]): unknown => {
      const result: unknown = Reflect.apply(real, undefined, args);
      new Int32Array(base.memory.buffer, args[statusAt] ?? 0, 1)[0] = code;
      return result;
    };
    return { engine: "ts", memory: base.memory, raw: { ...base.raw, [name]: wrapped } };
  }

  it("from a kernel make the façade throw (BSM, implied vol, SVI)", () => {
    const options = optionFamily(createOptionEngine(reporting("bsmBatch", 9)));
    const spec = { spot: 100, strike: 100, t: 1, rate: 0, div: 0, vol: 0.2, type: "call" } as const;
    expect(() => options.bsmOne(spec)).toThrow(/bsmBatch reported status 9/);
    const ivOptions = optionFamily(createOptionEngine(reporting("impliedVolBatch", 11)));
    expect(() => ivOptions.impliedVolOne({ ...spec, price: 8 })).toThrow(/impliedVolBatch reported status 11/);
    const slice = { k: [-0.2, -0.1, 0, 0.1, 0.2], w: [0.044, 0.041, 0.04, 0.041, 0.044] };
    expect(createSviKernels("ts").sviFit(slice).status).toBe("ok"); // the unwrapped kernels fit it
    expect(() => sviFamily({ instance: reporting("sviFitBatch", 42) }).sviFit(slice)).toThrow(/sviFitBatch reported status 42/);
  });
});

describe("status codes of the WebAssembly-only families", () => {
  /** The release module with `name` replaced by `wrap(real)`. */
  type Wrap = (real: (...args: number[]) => unknown, memory: { readonly buffer: ArrayBuffer }) => (...args: number[]) => unknown;
  async function wrapping(name: string, wrap: Wrap): Promise<KernelModule> {
    const module = await loadKernelModule();
    const real = module.raw[name];
    if (typeof real !== "function") throw new Error(`no export ${name}`);
    const call = (...args: number[]): unknown => Reflect.apply(real, undefined, args);
    return { ...module, raw: { ...module.raw, [name]: wrap(call, module.memory) } };
  }

  it("fold scoring: a status outside the ABI's list is a KernelError", async () => {
    const input = {
      names: 3, predictions: Float64Array.from([0.1, 0.2, 0.3]), outcomes: Float64Array.from([0.3, 0.1, 0.2]),
      rowDate: Int32Array.from([0]), rowPath: Int32Array.from([0]), paths: 1,
    };
    expect((await createFoldScorer()).score(input).validNames[0]).toBe(3); // the real kernel scores it
    const broken = createWasmFoldScorer(await wrapping("scoreFolds", () => () => 9));
    expect(() => broken.score(input)).toThrow(/scoreFolds reported status 9/);
    const refused = createWasmFoldScorer(await wrapping("scoreFolds", () => () => 2));
    expect(() => refused.score(input)).toThrow(/date is outside the outcome panel/);
  });

  it("hedge: a path status outside the ABI's list is a KernelError", async () => {
    const input = {
      paths: 1, steps: 3, book: bookFromLegs([{ strike: 100, expiry: 0.25, type: "call", quantity: -10 }]),
      spot: { perPathStep: [100, 101, 99] }, time: { perStep: [0, 1 / 365, 2 / 365] }, rate: 0.03, vol: 0.2,
    } as const;
    expect(createHedgeKernels(await loadKernelModule()).hedge(input).totals.status[0]).toBe(0);
    const statusAt = HEDGE_RUN.params.findIndex((p) => p.name === "pathOut");
    // The real call, then path 0's status overwritten with 42 through the path output table.
    const module = await wrapping("hedgeRun", (real, memory) => (...args: number[]) => {
      const result = real(...args);
      const column = new Int32Array(memory.buffer, args[statusAt] ?? 0, PATH_OUT_SLOTS)[PATH_OUT.status] ?? 0;
      new Int32Array(memory.buffer, column, 1)[0] = 42;
      return result;
    });
    expect(() => createHedgeKernels(module).hedge(input, {}, { steps: false })).toThrow(/hedgeRun reported status 42/);
  });
});

describe("the arm64 vector sets", () => {
  it("call every export of the WebAssembly build (the arena's allocator is used by every buffer call)", () => {
    const reference: Reference = JSON.parse(readFileSync(new URL("../ref/kernels-reference.json", import.meta.url), "utf8"));
    const called = new Set(VECTOR_SETS.flatMap((set) => ("run" in set ? set.covers : set.calls(reference).map((c) => c.export))));
    const missing = KERNEL_ABI.filter((e) => e.builds.includes("wasm") && !called.has(e.name)).map((e) => e.name);
    expect(missing.filter((name) => name !== "arenaAlloc" && name !== "arenaReset")).toEqual([]);
  });
});
