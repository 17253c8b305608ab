/**
 * Opens the configured lake for curation, reference and analyst commands: loads the configuration and the
 * environment, then the object store for the lake target (LAKE_ROOT directory or S3).
 */
import { loadConfig, type TrademlConfig } from "../config/index.ts";
import { openStore } from "../lake/open-store.ts";
import type { ObjectStore } from "../lake/types.ts";
import { lakeAccess, type CurateLake } from "./lake-access.ts";

export interface OpenLakeOptions {
  readonly configDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly envFile?: string | undefined;
  readonly cwd: string;
}

export interface OpenedLake {
  readonly config: TrademlConfig;
  readonly store: ObjectStore;
  readonly lake: CurateLake;
  close(): Promise<void>;
}

export async function openConfiguredLake(options: OpenLakeOptions): Promise<OpenedLake> {
  const config = await loadConfig({ configDir: options.configDir, env: options.env, envFile: options.envFile, cwd: options.cwd });
  const store = await openStore(config.lakeTarget);
  return { config, store, lake: lakeAccess(store), close: () => store.close() };
}
