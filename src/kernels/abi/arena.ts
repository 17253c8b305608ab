/** ABI of the arena every build has (assembly/arena.ts; the TS engine's js-memory.ts). */
import { i32, kernelExport, type AbiExport } from "./types.ts";

export const ABI_VERSION_EXPORT = kernelExport("arena", "abiVersion", "the kernel ABI version", [], "i32");
export const ARENA_ALLOC = kernelExport("arena", "arenaAlloc", "reserves bytes, 16-byte aligned", [i32("bytes")], "i32");
export const ARENA_RESET = kernelExport("arena", "arenaReset", "frees every allocation at once", [], "void");

export const ARENA_ABI: readonly AbiExport[] = [ABI_VERSION_EXPORT, ARENA_ALLOC, ARENA_RESET];
