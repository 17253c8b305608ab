/**
 * Opens the object store for a lake target. The S3 store (and with it the AWS SDK) is imported lazily, so a
 * local-lake command never loads the SDK.
 */
import { registerSecret } from "../domain/redact.ts";
import type { StoreTarget, ObjectStore } from "./types.ts";

export interface OpenStoreOptions {
  /** Ends the store's retries once aborted (the process's SIGTERM signal), whether or not a caller passes its own. */
  readonly signal?: AbortSignal | undefined;
}

export async function openStore(target: StoreTarget, options: OpenStoreOptions = {}): Promise<ObjectStore> {
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  if (target.kind === "local") {
    const { LocalStore } = await import("./local-store.ts");
    return new LocalStore({ root: target.root, ...signal });
  }
  const { S3Store } = await import("./s3-store.ts");
  const credentials = target.credentials;
  if (credentials !== undefined) registerSecret(credentials.secretAccessKey);
  return new S3Store({
    bucket: target.bucket,
    ...(target.endpoint === undefined ? {} : { endpoint: target.endpoint }),
    ...(target.region === undefined ? {} : { region: target.region }),
    ...(target.forcePathStyle === undefined ? {} : { forcePathStyle: target.forcePathStyle }),
    ...(credentials === undefined
      ? {}
      : {
          accessKeyId: credentials.accessKeyId,
          secretAccessKey: credentials.secretAccessKey,
          ...(credentials.sessionToken === undefined ? {} : { sessionToken: credentials.sessionToken }),
        }),
    ...(target.multipartThresholdBytes === undefined ? {} : { multipartThresholdBytes: target.multipartThresholdBytes }),
    ...(target.maxAttempts === undefined ? {} : { maxAttempts: target.maxAttempts }),
    ...signal,
  });
}

/**
 * Opens the store and proves it safe for several writers with the conformance probe; a store that fails a
 * required check is refused with a UsageError naming the check and what it protects (DESIGN.md, the probe).
 * Multi-writer entry points (the node loop, backfill workers) open the lake through this.
 */
export async function openMultiWriterStore(target: StoreTarget, options: OpenStoreOptions = {}): Promise<ObjectStore> {
  const store = await openStore(target, options);
  try {
    const { probeStore, assertMultiWriterSafe } = await import("./probe.ts");
    assertMultiWriterSafe(await probeStore(store));
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}
