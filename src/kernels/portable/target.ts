/**
 * Which compiler built the code: asc into WebAssembly, or tsc into JavaScript (the TS engine).
 *
 * asc reads `0.5 as i32` as a conversion (0.5 becomes 0), tsc as a type assertion (the value stays 0.5), so the
 * constant is true in WebAssembly and false in JavaScript. asc folds it at compile time and never compiles the
 * other target's branch of an `if (IN_WASM)`; under tsc both branches are type-checked (the WebAssembly builtins
 * are declared in assemblyscript.d.ts) and the JIT folds the test. Only the modules of this folder that wrap a
 * target's primitives (memory.ts, words.ts, the erfcx table) branch on it; kernels call those modules.
 */
export const IN_WASM: bool = (0.5 as i32) == 0;
