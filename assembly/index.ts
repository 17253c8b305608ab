// The single WebAssembly module of trademl. Each kernel family lives in its own folder and is re-exported
// here; the host loads build/release.wasm (or build/debug.wasm) through src/kernels/load.ts.
export * from "./arena";
export * from "./math/index";
export * from "./bsm/index";
export * from "./iv/index";
export * from "./svi/index";
export * from "./learn/index";
export * from "./validate/index";
