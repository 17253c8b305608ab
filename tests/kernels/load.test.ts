import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { KernelError } from "../../src/domain/errors.ts";
import { Arena } from "../../src/kernels/arena.ts";
import { buildUrl, loadKernelModule } from "../../src/kernels/load.ts";

describe("kernel module loading", () => {
  it("imports nothing but env.abort, in both builds", async () => {
    for (const build of ["release", "debug"] as const) {
      const module = await WebAssembly.compile(await readFile(buildUrl(build)));
      const imports = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`);
      expect(imports.every((name) => name === "env.abort")).toBe(true);
    }
  });

  it("loads from the default file URL, from an explicit URL and from bytes", async () => {
    const fromDefault = await loadKernelModule();
    expect(fromDefault.build).toBe("release");
    const fromUrl = await loadKernelModule({ url: buildUrl("debug") });
    expect(fromUrl.exports.abiVersion()).toBe(fromDefault.exports.abiVersion());
    const fromBytes = await loadKernelModule({ bytes: await readFile(buildUrl("release")) });
    expect(fromBytes.build).toBe("custom");
  });

  it("fails with a KernelError naming the file when the module is missing", async () => {
    const missing = new URL("./no-such.wasm", buildUrl("release"));
    await expect(loadKernelModule({ url: missing })).rejects.toBeInstanceOf(KernelError);
    await expect(loadKernelModule({ url: missing })).rejects.toThrow(/no-such\.wasm/);
  });

  it("hands out aligned, disjoint arena buffers and refuses allocation after views exist", async () => {
    const module = await loadKernelModule();
    const arena = new Arena(module).reset();
    const a = arena.alloc(3, 8);
    const b = arena.alloc(5, 8);
    expect(a % 16).toBe(0);
    expect(b).toBeGreaterThanOrEqual(a + 24);
    const view = arena.f64(b, 5);
    view.fill(1.5);
    expect(arena.f64(a, 3).every((x) => x !== 1.5 || a === b)).toBe(true);
    expect(() => arena.alloc(1, 8)).toThrow(KernelError);
    arena.reset();
    expect(arena.alloc(1, 8)).toBe(a);
  });
});
