/**
 * What validation costs at startup: `loadConfig` on the shipped configs/ (read, parse with positions,
 * validate every file and the environment, cross-file checks) against a baseline measured in the same
 * run — reading the same files and `yaml.parse` without positions or validation.
 * Run: npx tsx bench/config-load.bench.ts
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { Bench } from "tinybench";
import { parse } from "yaml";
import { loadConfig } from "../src/config/load.ts";

const configDir = path.resolve(import.meta.dirname ?? ".", "../configs");
const files = [
  ...(await readdir(configDir)).filter((name) => name.endsWith(".yml")).map((name) => path.join(configDir, name)),
  ...(await readdir(path.join(configDir, "training"))).map((name) => path.join(configDir, "training", name)),
];

const bench = new Bench({ time: 1500, warmupTime: 300 });
bench
  .add("baseline: read + yaml.parse", async () => {
    for (const file of files) parse(await readFile(file, "utf8"));
  })
  .add("loadConfig (positions + zod + env)", async () => {
    await loadConfig({ configDir, env: {}, envFile: false });
  });
await bench.run();

const means = bench.tasks.map((task) => {
  const result = task.result;
  return { name: task.name, mean: result.state === "completed" ? result.latency.mean : Number.NaN };
});
const baseline = means[0]?.mean ?? Number.NaN;
console.log(`${files.length} files`);
for (const { name, mean } of means) {
  console.log(`${name.padEnd(38)} ${mean.toFixed(3).padStart(8)} ms/op   ${(mean / baseline).toFixed(2)}x baseline`);
}
