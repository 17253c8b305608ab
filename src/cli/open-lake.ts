/**
 * Opens the configured lake for a command: loads the configuration and the environment (src/config), then the
 * object store of the lake target, LAKE_ROOT directory or S3 (src/lake). It lives in the CLI because it is where
 * those two layers meet: pipelines receive a loaded config and a store, they never load configuration themselves.
 * The S3 store (and with it the AWS SDK) loads only for an S3 lake (lake/open-store.ts).
 */
import { loadConfig, type TrademlConfig } from "../config/index.ts";
import { lakeAccess, type LakeAccess } from "../lake/lake-access.ts";
import { openStore } from "../lake/open-store.ts";
import type { ObjectStore } from "../lake/types.ts";

export interface OpenLakeOptions {
  readonly configDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly envFile?: string | undefined;
  readonly cwd: string;
}

export interface OpenedLake {
  readonly config: TrademlConfig;
  readonly store: ObjectStore;
  /** The store bound for DuckDB readers, without a lease (commands that take one bind their own). */
  readonly lake: LakeAccess;
  close(): Promise<void>;
}

export async function openConfiguredLake(options: OpenLakeOptions): Promise<OpenedLake> {
  const config = await loadConfig({ configDir: options.configDir, env: options.env, envFile: options.envFile, cwd: options.cwd });
  const store = await openStore(config.lakeTarget);
  return { config, store, lake: lakeAccess(store), close: () => store.close() };
}
