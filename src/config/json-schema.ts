/**
 * JSON Schemas for editors, generated from the zod schemas (zod v4 `z.toJSONSchema`, input side, so keys
 * with defaults are optional). The YAML files point at them with a `# yaml-language-server: $schema=`
 * comment; `trademl config schema --out configs/schema` rewrites them and a test fails when they are stale.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { CONFIG_FILES } from "./load.ts";
import { optionsBacktestSchema } from "./schemas/options-backtest.ts";
import { optionsVolTrainingSchema, trainingSchema } from "./schemas/training.ts";

interface SchemaEntry {
  readonly name: string;
  readonly title: string;
  readonly schema: z.ZodType;
}

export const SCHEMA_ENTRIES: readonly SchemaEntry[] = [
  ...Object.entries(CONFIG_FILES).map(([section, entry]) => ({
    name: section,
    title: `trademl configs/${entry.file}`,
    schema: entry.schema as z.ZodType,
  })),
  { name: "training", title: "trademl configs/training/<model>.yml", schema: trainingSchema },
  { name: "training-options-vol", title: "trademl configs/training/options_vol.yml", schema: optionsVolTrainingSchema },
  { name: "backtest-options", title: "trademl configs/backtest/options.yml", schema: optionsBacktestSchema },
];

/** File name → JSON text (2-space indent, trailing newline), deterministic for a given zod version. */
export function renderJsonSchemas(): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of SCHEMA_ENTRIES) {
    const json = z.toJSONSchema(entry.schema, { io: "input", target: "draft-2020-12", unrepresentable: "any" });
    const document = { ...json, title: entry.title };
    out.set(`${entry.name}.schema.json`, `${JSON.stringify(document, null, 2)}\n`);
  }
  return out;
}

/** Writes every schema into `dir` and returns the paths written. */
export async function writeJsonSchemas(dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of renderJsonSchemas()) {
    const file = path.join(dir, name);
    await writeFile(file, text, "utf8");
    written.push(file);
  }
  return written;
}
