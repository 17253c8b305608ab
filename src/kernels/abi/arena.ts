/** ABI of the arena every build has (assembly/arena.ts; the TS engine's js-memory.ts). */
import { BOTH_BUILDS, i32, type AbiExport } from "./types.ts";

export const ABI_VERSION_EXPORT: AbiExport = {
  name: "abiVersion", family: "arena", summary: "the kernel ABI version (src/kernels/portable/abi-version.ts)",
  params: [], result: "i32", builds: BOTH_BUILDS,
};

export const ARENA_ALLOC: AbiExport = {
  name: "arenaAlloc", family: "arena", summary: "reserves bytes, 16-byte aligned; returns the pointer",
  params: [i32("bytes")], result: "i32", builds: BOTH_BUILDS,
};

export const ARENA_RESET: AbiExport = {
  name: "arenaReset", family: "arena", summary: "frees every allocation; earlier pointers are invalid",
  params: [], result: "void", builds: BOTH_BUILDS,
};

export const ARENA_ABI: readonly AbiExport[] = [ABI_VERSION_EXPORT, ARENA_ALLOC, ARENA_RESET];
