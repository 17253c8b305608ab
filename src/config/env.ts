/**
 * Environment knobs: vendor keys, the lake target and worker limits. They come from the process
 * environment and an optional `.env` file (the process environment wins, as with dotenv); both are
 * validated by one zod schema so a bad value stops with its name and, for `.env`, its line.
 * Every secret is registered with the redactor before validation, so no later message can leak it.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseEnv } from "node:util";
import { z } from "zod";
import { ConfigError } from "../domain/errors.ts";
import { registerSecret } from "../domain/redact.ts";
import { closestName } from "./did-you-mean.ts";
import { VENDORS, type Vendor } from "./schemas/common.ts";

/** Names whose values are secrets: never printed, logged or written to the lake. */
export const SECRET_ENV_KEYS = [
  "ALPACA_API_KEY_ID",
  "ALPACA_API_SECRET_KEY",
  "POLYGON_API_KEY",
  "FINNHUB_API_KEY",
  "FRED_API_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "MLFLOW_TRACKING_PASSWORD",
  "MLFLOW_TRACKING_TOKEN",
] as const;

const secret = z.string().min(1).optional();
const flag = z
  .enum(["true", "false", "1", "0", "yes", "no"], { message: "expected true or false" })
  .transform((value) => value === "true" || value === "1" || value === "yes");
const count = (max: number) =>
  z
    .string()
    .regex(/^\d+$/, "expected a whole number")
    .transform(Number)
    .pipe(z.number().int().min(1).max(max));

const inflightKeys = Object.fromEntries(
  VENDORS.map((vendor) => [`NODE_MAX_INFLIGHT_${vendor.toUpperCase()}`, count(64).optional()]),
) as Record<`NODE_MAX_INFLIGHT_${Uppercase<Vendor>}`, z.ZodOptional<ReturnType<typeof count>>>;

export const envSchema = z.object({
  ALPACA_API_KEY_ID: secret.describe("Alpaca key id (Dashboard → API keys)"),
  ALPACA_API_SECRET_KEY: secret.describe("Alpaca secret key"),
  POLYGON_API_KEY: secret.describe("Polygon.io / Massive API key"),
  FINNHUB_API_KEY: secret.describe("Finnhub API key"),
  FRED_API_KEY: secret.describe("FRED API key (32 lower-case hex characters)"),
  LAKE_ROOT: z.string().min(1).default("./lake").describe("local lake folder, used when no S3 bucket is set"),
  S3_ENDPOINT: z.url({ protocol: /^https?$/, message: "expected an http(s) URL such as http://127.0.0.1:9000" }).optional(),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "expected an S3 bucket name (3-63 lower-case letters, digits, '.', '-')")
    .optional(),
  S3_REGION: z.string().regex(/^[a-z0-9-]+$/, "expected a region such as us-east-1").default("us-east-1"),
  AWS_ACCESS_KEY_ID: secret,
  AWS_SECRET_ACCESS_KEY: secret,
  S3_FORCE_PATH_STYLE: flag.optional().describe("path-style URLs (MinIO); defaults to true when S3_ENDPOINT is set"),
  // MLflow's own variable names (https://mlflow.org/docs/latest/ml/auth/), so one .env serves trademl and the
  // mlflow CLI alike. Credentials in the URI's user-info would be printed wherever the URI is: refused.
  MLFLOW_TRACKING_URI: z
    .url({ protocol: /^https?$/, message: "expected the http(s) URL of an MLflow tracking server, such as http://127.0.0.1:5000" })
    .refine((uri) => {
      const parsed = new URL(uri);
      return parsed.username === "" && parsed.password === "";
    }, "must not carry credentials; set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN)")
    .optional()
    .describe("MLflow tracking server for training runs and the model registry"),
  MLFLOW_TRACKING_USERNAME: z.string().min(1).optional().describe("MLflow basic-auth user (with MLFLOW_TRACKING_PASSWORD)"),
  MLFLOW_TRACKING_PASSWORD: secret.describe("MLflow basic-auth password"),
  MLFLOW_TRACKING_TOKEN: secret.describe("MLflow bearer token (used when no username/password is set)"),
  NODE_WORKERS: count(64).default(4).describe("total concurrent collection units on the node"),
  ...inflightKeys,
});

export type Environment = z.output<typeof envSchema>;

export type LakeTarget =
  | { readonly kind: "local"; readonly root: string }
  | {
      readonly kind: "s3";
      readonly endpoint: string | undefined;
      readonly bucket: string;
      readonly region: string;
      readonly forcePathStyle: boolean;
      /** Undefined: the AWS SDK's default credential chain decides. */
      readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
    };

export interface LoadedEnvironment {
  readonly env: Environment;
  readonly lakeTarget: LakeTarget;
  /** The .env file that was read, if any. */
  readonly envFile: string | undefined;
  /** Non-fatal findings, e.g. an unknown key in `.env` that looks like a typo. */
  readonly warnings: readonly string[];
}

export interface LoadEnvironmentOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** A .env path; `undefined` reads `<cwd>/.env` if it exists; `false` reads none. */
  readonly envFile?: string | false | undefined;
  readonly cwd?: string;
}

interface EnvFileContents {
  readonly path: string;
  readonly values: Record<string, string>;
  /** 1-based line of each key's last assignment (the one that wins). */
  readonly lines: Record<string, number>;
}

const KNOWN_KEYS: ReadonlySet<string> = new Set(Object.keys(envSchema.shape));

async function readEnvFile(file: string, required: boolean): Promise<EnvFileContents | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    const missing = (cause as { code?: unknown }).code === "ENOENT";
    if (missing && !required) return undefined;
    throw new ConfigError("env_file_unreadable", `cannot read env file ${file}${missing ? ": no such file" : ""}`, { cause });
  }
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(parseEnv(text))) {
    if (value !== undefined) values[key] = value;
  }
  // util.parseEnv gives values only; find each key's line ourselves so errors can point at it.
  const lines: Record<string, number> = {};
  text.split(/\r?\n/).forEach((line, index) => {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line);
    if (match?.[1] !== undefined) lines[match[1]] = index + 1;
  });
  return { path: file, values, lines };
}

function deriveLakeTarget(env: Environment, cwd: string): LakeTarget {
  const s3Requested = env.S3_BUCKET !== undefined || env.S3_ENDPOINT !== undefined;
  if (!s3Requested) return { kind: "local", root: path.resolve(cwd, env.LAKE_ROOT) };
  if (env.S3_BUCKET === undefined) {
    throw new ConfigError("env_invalid", "S3_ENDPOINT is set but S3_BUCKET is not; set both to use S3, or neither for the local lake");
  }
  const hasId = env.AWS_ACCESS_KEY_ID !== undefined;
  const hasSecret = env.AWS_SECRET_ACCESS_KEY !== undefined;
  if (hasId !== hasSecret) {
    throw new ConfigError(
      "env_invalid",
      `${hasId ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY"} is set without ${hasId ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID"}; set both or neither`,
    );
  }
  return {
    kind: "s3",
    endpoint: env.S3_ENDPOINT,
    bucket: env.S3_BUCKET,
    region: env.S3_REGION,
    // MinIO and most S3-compatible stores need path-style URLs; AWS itself prefers virtual-hosted ones.
    forcePathStyle: env.S3_FORCE_PATH_STYLE ?? env.S3_ENDPOINT !== undefined,
    credentials:
      env.AWS_ACCESS_KEY_ID !== undefined && env.AWS_SECRET_ACCESS_KEY !== undefined
        ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY }
        : undefined,
  };
}

/** Where a variable came from, for error messages: the .env line, or the process environment. */
function origin(key: string, file: EnvFileContents | undefined, processEnv: LoadEnvironmentOptions["env"]): string {
  const line = file?.lines[key];
  if (processEnv[key] === undefined && file !== undefined && line !== undefined) return `${file.path}:${line}:1: ${key}`;
  return `environment variable ${key}`;
}

/** Reads `.env`, merges it under the process environment, validates it and derives the lake target. */
export async function loadEnvironment(options: LoadEnvironmentOptions): Promise<LoadedEnvironment> {
  const cwd = options.cwd ?? process.cwd();
  const file =
    options.envFile === false
      ? undefined
      : await readEnvFile(path.resolve(cwd, options.envFile ?? ".env"), options.envFile !== undefined);

  const merged: Record<string, string> = {};
  for (const source of [file?.values ?? {}, options.env]) {
    for (const [key, value] of Object.entries(source)) {
      // An empty assignment (`POLYGON_API_KEY=`) means "not set", as in the shipped .env.example.
      if (value !== undefined && value !== "") merged[key] = value;
    }
  }
  for (const key of SECRET_ENV_KEYS) registerSecret(merged[key]);

  const warnings: string[] = [];
  for (const key of Object.keys(file?.values ?? {})) {
    if (KNOWN_KEYS.has(key) || key.startsWith("TRADEML_")) continue;
    const hint = closestName(key, KNOWN_KEYS);
    if (hint !== undefined) warnings.push(`${origin(key, file, {})}: unknown setting; did you mean ${hint}?`);
  }
  const problems: string[] = [];
  for (const key of Object.keys(merged)) {
    if (key.startsWith("NODE_MAX_INFLIGHT_") && !KNOWN_KEYS.has(key)) {
      problems.push(`${origin(key, file, options.env)}: unknown vendor; expected one of ${VENDORS.map((v) => `NODE_MAX_INFLIGHT_${v.toUpperCase()}`).join(", ")}`);
    }
  }

  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? "");
      problems.push(`${origin(key, file, options.env)}: ${issue.message}`);
    }
  }
  if (problems.length > 0 || !parsed.success) {
    throw new ConfigError("env_invalid", `invalid environment:\n  ${problems.join("\n  ")}`, {
      details: { keys: problems.length },
    });
  }
  return { env: parsed.data, lakeTarget: deriveLakeTarget(parsed.data, cwd), envFile: file?.path, warnings };
}
