// The portability layer of the kernels written once (src/kernels/portable/): what the JavaScript build relies on.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { jsArenaAlloc, jsArenaReset, jsMemory } from "../../src/kernels/js-memory.ts";
import { loadF64, storeF64 } from "../../src/kernels/portable/memory.ts";
import { IN_WASM } from "../../src/kernels/portable/target.ts";
import { clearLow27Bits, clearLowWord, highWord } from "../../src/kernels/portable/math/words.ts";

describe("the portable kernels under tsc", () => {
  it("know they run as JavaScript", () => {
    expect(IN_WASM).toBe(false);
  });

  it("carry musl's constants bit for bit (each decimal literal against the hex pattern beside it)", () => {
    const source = readFileSync(new URL("../../src/kernels/portable/math/normal.ts", import.meta.url), "utf8");
    const pairs = [...source.matchAll(/^const (\w+): f64 = (-?[\d.e+-]+); \/\/ 0x([0-9A-F]{16})$/gm)];
    expect(pairs.length).toBe(54);
    const view = new DataView(new ArrayBuffer(8));
    for (const [, name, decimal, hex] of pairs) {
      view.setFloat64(0, Number(decimal));
      const bits = view.getBigUint64(0).toString(16).toUpperCase().padStart(16, "0");
      expect(bits, name).toBe(hex);
    }
  });

  it("read a double's words as musl does", () => {
    expect(highWord(1)).toBe(0x3ff00000);
    expect(highWord(-2)).toBe(0xc0000000 | 0);
    expect(clearLowWord(Math.PI)).toBe(3.1415920257568359);
    const split = clearLow27Bits(Math.PI);
    expect(split * split).toBe(Number((BigInt(split * 2 ** 24) ** 2n)) / 2 ** 48); // 26 bits: the square is exact
  });
});

describe("the TS engine's memory", () => {
  it("hands out 16-byte aligned pointers, never 0, and keeps contents when it grows", () => {
    jsArenaReset();
    const first = jsArenaAlloc(24);
    expect(first).toBeGreaterThan(0);
    expect(first % 16).toBe(0);
    storeF64(first, 2, 42.5);
    const before = jsMemory.buffer;
    const big = jsArenaAlloc(4 * before.byteLength);
    expect(big % 16).toBe(0);
    expect(jsMemory.buffer).not.toBe(before);
    expect(loadF64(first, 2)).toBe(42.5);
    jsArenaReset();
    expect(jsArenaAlloc(8)).toBe(first);
  });

  it("fails loudly on an access outside memory (where WebAssembly would trap)", () => {
    const end = jsMemory.buffer.byteLength;
    expect(() => loadF64(end, 0)).toThrow(RangeError);
    expect(() => storeF64(end - 8, 1, 1)).toThrow(RangeError);
  });
});
