/**
 * Opens the configured lake for curation, reference and analyst commands: loads the configuration and the
 * environment, then the object store for the lake target (LAKE_ROOT directory or S3).
 */
import { loadConfig, type TrademlConfig } from "../config/index.ts";
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

export async function openStoreFor(target: TrademlConfig["lakeTarget"]): Promise<ObjectStore> {
  if (target.kind === "local") {
    const { LocalStore } = await import("../lake/local-store.ts");
    return new LocalStore({ root: target.root });
  }
  const { S3Store } = await import("../lake/s3-store.ts");
  return new S3Store({
    bucket: target.bucket,
    ...(target.endpoint === undefined ? {} : { endpoint: target.endpoint }),
    region: target.region,
    forcePathStyle: target.forcePathStyle,
    ...(target.credentials === undefined ? {} : target.credentials),
  });
}

export async function openConfiguredLake(options: OpenLakeOptions): Promise<OpenedLake> {
  const config = await loadConfig({ configDir: options.configDir, env: options.env, envFile: options.envFile, cwd: options.cwd });
  const store = await openStoreFor(config.lakeTarget);
  return { config, store, lake: lakeAccess(store), close: () => store.close() };
}
