/** Temporary configuration folders for tests: each test writes exactly the files it is about. */
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

export const SHIPPED_CONFIGS = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), "../../configs");

export interface TempDir {
  readonly dir: string;
  write(relative: string, text: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function tempDir(prefix = "trademl-config-"): Promise<TempDir> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return {
    dir,
    async write(relative, text) {
      const file = path.join(dir, relative);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, text, "utf8");
      return file;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A temp folder holding a copy of the shipped configs/ as `configs/`, ready to be broken by a test. */
export async function copyOfShippedConfigs(): Promise<TempDir & { configDir: string }> {
  const temp = await tempDir();
  const configDir = path.join(temp.dir, "configs");
  await cp(SHIPPED_CONFIGS, configDir, { recursive: true });
  return { ...temp, configDir };
}

/** 1-based line and column of the first occurrence of `needle` in `text`, computed independently of yaml. */
export function positionOf(text: string, needle: string): { line: number; col: number } {
  const index = text.indexOf(needle);
  if (index < 0) throw new Error(`fixture does not contain ${needle}`);
  const before = text.slice(0, index).split("\n");
  return { line: before.length, col: (before.at(-1)?.length ?? 0) + 1 };
}
