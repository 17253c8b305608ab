// The committed JSON Schemas match the zod schemas, and every shipped YAML file points at one that exists.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { renderJsonSchemas } from "../../src/config/json-schema.ts";
import { CONFIG_FILES } from "../../src/config/load.ts";
import { runTrademl } from "../helpers/cli.ts";
import { SHIPPED_CONFIGS, tempDir } from "./fixtures.ts";

const SCHEMA_DIR = path.join(SHIPPED_CONFIGS, "schema");

describe("JSON Schemas for editors", () => {
  it("are up to date in configs/schema (regenerate with `trademl config schema --out configs/schema`)", async () => {
    const committed = (await readdir(SCHEMA_DIR)).filter((name) => name.endsWith(".schema.json")).sort();
    const rendered = renderJsonSchemas();
    expect(committed).toEqual([...rendered.keys()].sort());
    for (const [name, text] of rendered) {
      expect(await readFile(path.join(SCHEMA_DIR, name), "utf8"), `${name} is stale`).toBe(text);
    }
  });

  it("describe each file's keys and reject unknown ones", () => {
    const rendered = renderJsonSchemas();
    const backfill = JSON.parse(rendered.get("backfill.schema.json") ?? "{}") as {
      additionalProperties?: unknown;
      properties?: Record<string, { properties?: Record<string, { default?: unknown }> }>;
    };
    expect(backfill.additionalProperties).toBe(false);
    expect(Object.keys(backfill.properties ?? {}).sort()).toEqual(Object.keys(CONFIG_FILES.backfill.schema.shape).sort());
    expect(backfill.properties?.["qc"]?.properties?.["green_min_ratio"]?.default).toBe(0.98);
  });

  it("are referenced by every shipped YAML file through a path that exists", async () => {
    const files = [
      ...Object.values(CONFIG_FILES).map((entry) => entry.file),
      ...(await readdir(path.join(SHIPPED_CONFIGS, "training"))).map((name) => `training/${name}`),
    ];
    for (const file of files) {
      const text = await readFile(path.join(SHIPPED_CONFIGS, file), "utf8");
      const match = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text);
      expect(match, `${file} has no $schema comment`).not.toBeNull();
      const target = path.resolve(path.dirname(path.join(SHIPPED_CONFIGS, file)), match?.[1] ?? "");
      expect(renderJsonSchemas().has(path.basename(target)), `${file} → ${target}`).toBe(true);
    }
  });

  it("are written by `trademl config schema --out`, and `--check` notices a stale file", async () => {
    const temp = await tempDir();
    try {
      const write = await runTrademl(["config", "schema", "--out", "schemas"], {}, temp.dir);
      expect(write.code).toBe(0);
      expect((await readdir(path.join(temp.dir, "schemas"))).sort()).toEqual([...renderJsonSchemas().keys()].sort());
      expect((await runTrademl(["config", "schema", "--out", "schemas", "--check"], {}, temp.dir)).code).toBe(0);
      await temp.write("schemas/router.schema.json", "{}\n");
      const stale = await runTrademl(["config", "schema", "--out", "schemas", "--check"], {}, temp.dir);
      expect(stale.code).toBe(2);
      expect(stale.stderr).toContain("router.schema.json");
    } finally {
      await temp.cleanup();
    }
  });
});
