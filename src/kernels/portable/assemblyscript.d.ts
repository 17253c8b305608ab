/**
 * What tsc needs to read the portable kernels (this folder): AssemblyScript's number types, and the few
 * AssemblyScript builtins that appear only inside `if (IN_WASM)` branches (target.ts). Types only: nothing here
 * exists at run time in JavaScript, and the JavaScript build never takes those branches. asc does not read this
 * file; it has the real definitions (node_modules/assemblyscript/std/assembly/index.d.ts).
 * Rules for writing portable code: docs/kernels.md, "Writing a kernel once".
 */
declare type i32 = number;
declare type u32 = number;
declare type u8 = number;
declare type u64 = number;
declare type f64 = number;
declare type usize = number;
declare type bool = boolean;
/** A static array literal: a data segment in WebAssembly, a plain array in JavaScript. */
declare type StaticArray<T> = readonly T[];

/** Loads a value of type T from linear memory (IN_WASM branches only). */
declare function load<T>(ptr: usize, immOffset?: usize): T;
/** Stores a value of type T to linear memory (IN_WASM branches only). */
declare function store<T>(ptr: usize, value: T, immOffset?: usize): void;
/** Reinterprets the bits of a value as another type of the same size (IN_WASM branches only). */
declare function reinterpret<T>(value: number): T;
/** The address of a static array's data (IN_WASM branches only). */
declare function changetype<T>(value: StaticArray<number>): T;
