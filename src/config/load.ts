/**
 * Loads the configuration folder and the environment into one validated TrademlConfig.
 *
 * Layout of the folder (default `configs/`): edge.yml, backfill.yml, curator.yml, router.yml, node.yml, borrow.yml
 * and training/<model>.yml. A missing file means "all defaults" (the schemas hold them); an unknown file
 * name is an error, because a misspelt file name would otherwise be ignored silently.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { z } from "zod";
import { ConfigError, IoError } from "../domain/errors.ts";
import { closestName } from "./did-you-mean.ts";
import { loadEnvironment, type Environment, type LakeTarget } from "./env.ts";
import { validateSource } from "./issues.ts";
import { backfillSchema, type BackfillConfig } from "./schemas/backfill.ts";
import { borrowSchema, type BorrowConfig } from "./schemas/borrow.ts";
import { VENDORS } from "./schemas/common.ts";
import { curatorSchema, type CuratorConfig } from "./schemas/curator.ts";
import { edgeSchema, type EdgeConfig } from "./schemas/edge.ts";
import { nodeSchema, type NodeConfig } from "./schemas/node.ts";
import { routerSchema, type RouterConfig } from "./schemas/router.ts";
import { optionsVolTrainingSchema, trainingSchema, type OptionsVolTrainingConfig, type TrainingConfig } from "./schemas/training.ts";
import { parseYamlSource, type YamlSource } from "./yaml-source.ts";

/** The single-file sections, their file names and schemas. */
export const CONFIG_FILES = {
  edge: { file: "edge.yml", schema: edgeSchema },
  backfill: { file: "backfill.yml", schema: backfillSchema },
  curator: { file: "curator.yml", schema: curatorSchema },
  router: { file: "router.yml", schema: routerSchema },
  node: { file: "node.yml", schema: nodeSchema },
  borrow: { file: "borrow.yml", schema: borrowSchema },
} as const;

export type ConfigSection = keyof typeof CONFIG_FILES;
export const TRAINING_DIR = "training";

/** Models with their own schema; any other training/<model>.yml uses the common training schema. */
export const TRAINING_SCHEMAS: Readonly<Record<string, z.ZodType>> = { options_vol: optionsVolTrainingSchema };

export function trainingSchemaFor(model: string): z.ZodType<TrainingConfig> {
  return (TRAINING_SCHEMAS[model] as z.ZodType<TrainingConfig> | undefined) ?? trainingSchema;
}

export type AnyTrainingConfig = TrainingConfig | OptionsVolTrainingConfig;

export interface ConfigFileInfo {
  readonly section: string;
  readonly file: string;
  /** False when the file is absent and the schema defaults apply. */
  readonly present: boolean;
}

export interface TrademlConfig {
  readonly configDir: string;
  readonly files: readonly ConfigFileInfo[];
  readonly edge: EdgeConfig;
  readonly backfill: BackfillConfig;
  readonly curator: CuratorConfig;
  readonly router: RouterConfig;
  readonly node: NodeConfig;
  readonly borrow: BorrowConfig;
  /** One entry per configs/training/<model>.yml. */
  readonly training: Readonly<Record<string, AnyTrainingConfig>>;
  /** The validated environment (secrets included: print it only through `redactedConfig`). */
  readonly env: Environment;
  readonly lakeTarget: LakeTarget;
  readonly envFile: string | undefined;
  /** Non-fatal findings worth showing to the user. */
  readonly warnings: readonly string[];
}

export interface LoadConfigOptions {
  readonly configDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** A .env path; `undefined` reads `<cwd>/.env` when present; `false` reads none. */
  readonly envFile?: string | false | undefined;
  /** Base for relative paths (configDir, envFile, LAKE_ROOT); defaults to process.cwd(). */
  readonly cwd?: string;
}

/** The path as the user should see it: relative to cwd when inside it. */
function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (cause) {
    if ((cause as { code?: unknown }).code === "ENOENT") return undefined;
    throw new IoError("config_unreadable", `cannot read ${file}`, { cause });
  }
}

async function readSource(file: string, shown: string): Promise<YamlSource | undefined> {
  const text = await readOptional(file);
  return text === undefined ? undefined : parseYamlSource(text, shown);
}

/**
 * Loads one YAML file and validates it. A missing file yields the schema's defaults (or a ConfigError
 * when the schema has required keys); a malformed or invalid one a ConfigError naming file:line:col.
 */
export async function loadConfigFile<S extends z.ZodType>(file: string, schema: S, options: { cwd?: string } = {}): Promise<z.output<S>> {
  const cwd = options.cwd ?? process.cwd();
  const absolute = path.resolve(cwd, file);
  const shown = displayPath(absolute, cwd);
  const source = (await readSource(absolute, shown)) ?? parseYamlSource("", shown);
  return validateSource(schema, source);
}

async function listYamlFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((entry) => entry.isFile() && /\.ya?ml$/i.test(entry.name)).map((entry) => entry.name).sort();
  } catch (cause) {
    if ((cause as { code?: unknown }).code === "ENOENT") return [];
    throw new IoError("config_unreadable", `cannot list ${dir}`, { cause });
  }
}

async function requireDirectory(dir: string, shown: string): Promise<void> {
  try {
    if ((await stat(dir)).isDirectory()) return;
  } catch (cause) {
    if ((cause as { code?: unknown }).code !== "ENOENT") throw new IoError("config_unreadable", `cannot read ${dir}`, { cause });
  }
  throw new ConfigError(
    "config_dir_missing",
    `configuration folder ${shown} does not exist; pass --config-dir <folder> (or set TRADEML_CONFIG_DIR)`,
  );
}

function rejectUnknownFiles(names: readonly string[], known: readonly string[], where: string): void {
  for (const name of names) {
    if (known.includes(name)) continue;
    const hint = closestName(name, known);
    throw new ConfigError(
      "config_unknown_file",
      `${where}/${name}: not a trademl configuration file; ${hint !== undefined ? `did you mean ${hint}?` : `expected ${known.join(", ")}`}`,
    );
  }
}

/** A consumer's daily budget may not exceed what the vendor allows in total (node.yml). */
function checkBudgets(config: TrademlConfig, sources: Partial<Record<ConfigSection, YamlSource>>): void {
  const problems: string[] = [];
  for (const section of ["edge", "backfill"] as const) {
    for (const vendor of VENDORS) {
      const budget = config[section].daily_budget[vendor];
      const cap = config.node.vendors[vendor].daily_budget;
      if (budget === undefined || budget <= cap) continue;
      const source = sources[section];
      const pos = source?.locate(["daily_budget", vendor]) ?? { line: 1, col: 1 };
      problems.push(
        `${source?.file ?? CONFIG_FILES[section].file}:${pos.line}:${pos.col}: daily_budget.${vendor}: ${budget} exceeds the vendor's daily_budget ${cap} in node.yml`,
      );
    }
  }
  if (problems.length > 0) throw new ConfigError("config_invalid", problems.join("\n"));
}

/** Loads every configuration file and the environment. Throws ConfigError (exit 2) on the first bad file. */
export async function loadConfig(options: LoadConfigOptions): Promise<TrademlConfig> {
  const cwd = options.cwd ?? process.cwd();
  const dir = path.resolve(cwd, options.configDir);
  const shownDir = displayPath(dir, cwd);
  // The environment first: it registers secrets with the redactor before any other message can be made.
  const environment = await loadEnvironment({ env: options.env, envFile: options.envFile, cwd });
  await requireDirectory(dir, shownDir);

  const knownFiles = Object.values(CONFIG_FILES).map((entry) => entry.file);
  rejectUnknownFiles(await listYamlFiles(dir), knownFiles, shownDir);

  const files: ConfigFileInfo[] = [];
  const sources: Partial<Record<ConfigSection, YamlSource>> = {};
  const loadSection = async <S extends z.ZodType>(section: ConfigSection, schema: S): Promise<z.output<S>> => {
    const file = path.join(dir, CONFIG_FILES[section].file);
    const shown = displayPath(file, cwd);
    const source = await readSource(file, shown);
    if (source !== undefined) sources[section] = source;
    files.push({ section, file: shown, present: source !== undefined });
    return validateSource(schema, source ?? parseYamlSource("", shown));
  };
  const node = await loadSection("node", nodeSchema);
  const edge = await loadSection("edge", edgeSchema);
  const backfill = await loadSection("backfill", backfillSchema);
  const curator = await loadSection("curator", curatorSchema);
  const router = await loadSection("router", routerSchema);
  const borrow = await loadSection("borrow", borrowSchema);

  const training: Record<string, AnyTrainingConfig> = {};
  const trainingDir = path.join(dir, TRAINING_DIR);
  for (const name of await listYamlFiles(trainingDir)) {
    const file = path.join(trainingDir, name);
    const shown = displayPath(file, cwd);
    const model = name.replace(/\.ya?ml$/i, "");
    if (!/^[a-z][a-z0-9_]*$/.test(model) || !name.endsWith(".yml")) {
      throw new ConfigError("config_unknown_file", `${shown}: training files are named <model>.yml with a snake_case model name`);
    }
    const source = await readSource(file, shown);
    if (source === undefined) continue;
    training[model] = validateSource(trainingSchemaFor(model), source);
    files.push({ section: `training.${model}`, file: shown, present: true });
  }

  const config: TrademlConfig = {
    configDir: shownDir,
    files,
    edge,
    backfill,
    curator,
    router,
    borrow,
    node,
    training,
    env: environment.env,
    lakeTarget: environment.lakeTarget,
    envFile: environment.envFile === undefined ? undefined : displayPath(environment.envFile, cwd),
    warnings: [...environment.warnings, ...routerWarnings(router, training)],
  };
  checkBudgets(config, sources);
  return config;
}

/** A router weight for a model with no training file is allowed (it may be trained elsewhere) but worth a note. */
function routerWarnings(router: RouterConfig, training: Readonly<Record<string, AnyTrainingConfig>>): string[] {
  if (Object.keys(training).length === 0) return [];
  return Object.keys(router.weights)
    .filter((model) => !(model in training))
    .map((model) => `router.yml: weights.${model} names a model with no training/${model}.yml`);
}
