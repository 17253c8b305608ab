/**
 * Views over a loaded TrademlConfig: the effective per-vendor limits other modules need, and a copy that
 * is safe to print (every secret replaced structurally, then the text passed through the redactor too).
 */
import type { Environment, LakeTarget } from "./env.ts";
import { SECRET_ENV_KEYS } from "./env.ts";
import type { TrademlConfig } from "./load.ts";
import type { Vendor } from "./schemas/common.ts";
import { REDACTED } from "../domain/redact.ts";

export { REDACTED };

/** Concurrent requests for a vendor: NODE_MAX_INFLIGHT_<VENDOR> when set, else node.yml. */
export function maxInflight(config: Pick<TrademlConfig, "env" | "node">, vendor: Vendor): number {
  const key = `NODE_MAX_INFLIGHT_${vendor.toUpperCase()}` as `NODE_MAX_INFLIGHT_${Uppercase<Vendor>}`;
  return config.env[key] ?? config.node.vendors[vendor].max_inflight;
}

/**
 * Requests per UTC day a consumer may spend on a vendor: its share (edge.yml or backfill.yml `daily_budget`), a
 * sub-limit of the vendor's one daily budget in node.yml; a consumer without a configured share (options
 * sampling, reference data) may spend the vendor's whole budget.
 */
export function consumerBudget(config: Pick<TrademlConfig, "edge" | "backfill" | "node">, vendor: Vendor, consumer: string): number {
  const share = consumer === "edge" || consumer === "backfill" ? config[consumer].daily_budget[vendor] : undefined;
  return share ?? config.node.vendors[vendor].daily_budget;
}

/** Whether the keys a vendor needs are present (FRED and Polygon: one key; Alpaca: id and secret). */
export function hasVendorKeys(env: Environment, vendor: Vendor): boolean {
  switch (vendor) {
    case "alpaca":
      return env.ALPACA_API_KEY_ID !== undefined && env.ALPACA_API_SECRET_KEY !== undefined;
    case "polygon":
      return env.POLYGON_API_KEY !== undefined;
    case "finnhub":
      return env.FINNHUB_API_KEY !== undefined;
    case "fred":
      return env.FRED_API_KEY !== undefined;
  }
}

function redactEnv(env: Environment): Record<string, unknown> {
  const secretKeys: ReadonlySet<string> = new Set(SECRET_ENV_KEYS);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) continue;
    out[key] = secretKeys.has(key) ? REDACTED : value;
  }
  return out;
}

function redactTarget(target: LakeTarget): Record<string, unknown> {
  if (target.kind === "local") return { ...target };
  return {
    ...target,
    credentials: target.credentials === undefined ? "default AWS credential chain" : { accessKeyId: REDACTED, secretAccessKey: REDACTED },
  };
}

/** The effective configuration as plain data with every secret replaced by "[REDACTED]". */
export function redactedConfig(config: TrademlConfig): Record<string, unknown> {
  return {
    config_dir: config.configDir,
    env_file: config.envFile ?? null,
    files: config.files.map((file) => ({ ...file })),
    edge: config.edge,
    backfill: config.backfill,
    curator: config.curator,
    router: config.router,
    node: config.node,
    training: config.training,
    env: redactEnv(config.env),
    lake_target: redactTarget(config.lakeTarget),
    warnings: [...config.warnings],
  };
}
