/**
 * Fold scoring on the WebAssembly build (default) or the TypeScript twin. The loader caches nothing: callers keep
 * one scorer for many batches.
 */
import { loadKernelModule, type KernelSource } from "../load.ts";
import { createTsFoldScorer } from "./reference.ts";
import type { FoldScorer } from "./types.ts";
import { createWasmFoldScorer, type WasmFoldScorer } from "./wasm.ts";

export interface FoldScorerOptions {
  readonly engine?: "wasm" | "ts";
  readonly source?: KernelSource;
}

export async function createFoldScorer(options: { readonly engine: "ts" }): Promise<FoldScorer>;
export async function createFoldScorer(options?: { readonly engine?: "wasm"; readonly source?: KernelSource }): Promise<WasmFoldScorer>;
export async function createFoldScorer(options: FoldScorerOptions = {}): Promise<FoldScorer> {
  if (options.engine === "ts") return createTsFoldScorer();
  return createWasmFoldScorer(await loadKernelModule(options.source ?? {}));
}

export { scoreFoldsReference } from "./reference.ts";
export { foldScoringShape, type FoldScoringShape } from "./shape.ts";
export * from "./types.ts";
export type { FoldScoringPlan, WasmFoldScorer } from "./wasm.ts";
